/**
 * Text-to-speech ports. Audio is raw mu-law 8 kHz (ElevenLabs `ulaw_8000`), ready for Twilio.
 * Two shapes, because two vendor paths exist and the gateway measures both:
 * - `TtsPort`: one request per phrase (HTTP streaming).
 * - `TtsStreamPort`: one stream per reply, text pushed token by token (websocket).
 * Both are abortable (barge-in) and fail with ProviderError.
 */

/** Voice and model to speak with. */
export interface TtsVoice {
  readonly voiceId: string;
  readonly modelId?: string;
  readonly settings?: {
    readonly stability?: number;
    readonly similarityBoost?: number;
    readonly style?: number;
    readonly useSpeakerBoost?: boolean;
    /** Speaking rate multiplier (1 = normal). */
    readonly speed?: number;
  };
}

/** Speaks one phrase. */
export interface TtsPort {
  /** Mu-law chunks as they arrive; aborting the signal stops the request and the iteration. */
  synthesize(text: string, opts: { readonly voice: TtsVoice; readonly signal?: AbortSignal }): AsyncIterable<Uint8Array>;
}

/** A reply being spoken while its text is still arriving. */
export interface TtsTextStream {
  /** Appends text (a token, a clause). */
  pushText(text: string): void;
  /** Asks the vendor to generate audio for the text so far (end of a clause). */
  flush(): void;
  /** No more text: the audio ends once the pending text is spoken. */
  end(): void;
  /** Mu-law chunks as they arrive; ends after `end()` once all audio came. */
  readonly audio: AsyncIterable<Uint8Array>;
}

/** Opens incremental speech streams. */
export interface TtsStreamPort {
  open(opts: { readonly voice: TtsVoice; readonly signal?: AbortSignal }): TtsTextStream;
}
