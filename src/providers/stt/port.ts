/**
 * Speech-to-text port: one live session per call, fed raw mu-law 8 kHz straight from Twilio.
 * Messages are delivered RAW (Deepgram live JSON) because recordings store them verbatim as `stt`
 * lines (FIXTURES.md) and the engine reads their audio-time fields itself.
 */
import type { ProviderError } from "../errors.ts";

/** A word of a transcript, audio seconds since the start of the connection. */
export interface SttWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  readonly confidence?: number;
  readonly punctuated_word?: string;
}

/** Deepgram live `Results`. */
export interface SttResultsMessage {
  readonly type: "Results";
  /** Window start and length, audio seconds since the start of the connection. */
  readonly start: number;
  readonly duration: number;
  readonly is_final: boolean;
  readonly speech_final: boolean;
  readonly from_finalize?: boolean;
  readonly channel: { readonly alternatives: ReadonlyArray<{ readonly transcript: string; readonly confidence?: number; readonly words: readonly SttWord[] }> };
}

/** Deepgram live `SpeechStarted` (vad_events). `timestamp` in audio seconds. */
export interface SttSpeechStartedMessage {
  readonly type: "SpeechStarted";
  readonly timestamp: number;
}

/** Deepgram live `UtteranceEnd`. `last_word_end` in audio seconds. */
export interface SttUtteranceEndMessage {
  readonly type: "UtteranceEnd";
  readonly last_word_end: number;
}

/** Deepgram live `Metadata` (sent before a clean close). */
export interface SttMetadataMessage {
  readonly type: "Metadata";
  readonly request_id?: string;
  readonly duration?: number;
}

/** Any message of the live protocol (the object as the vendor sent it). */
export type SttMessage = SttResultsMessage | SttSpeechStartedMessage | SttUtteranceEndMessage | SttMetadataMessage;

/** Events of a live session. */
export type SttEvent =
  | {
      readonly type: "message";
      readonly message: SttMessage;
      /**
       * Audio ms sent on earlier connections of this session: add it to the message's audio
       * times (which restart at 0 on each connection) to get session audio time.
       */
      readonly audioOffsetMs: number;
    }
  /** The connection dropped; audio is buffered while we reconnect. */
  | { readonly type: "reconnecting"; readonly attempt: number; readonly delayMs: number; readonly error: ProviderError }
  | { readonly type: "reconnected"; readonly audioOffsetMs: number }
  /** Fatal: reconnection gave up (or a non-retryable failure). The session is closed. */
  | { readonly type: "error"; readonly error: ProviderError }
  /** The session is over (after close(), or after a fatal error). Emitted once. */
  | { readonly type: "close"; readonly code: number; readonly reason: string };

/** Per-session options. */
export interface SttOpenOptions {
  /** BCP-47 language, e.g. "en" or "multi"; vendor default when absent. */
  readonly language?: string;
  /** Opaque tag attached to the session (we pass the call id). */
  readonly tag?: string;
}

/** A live recognition session. */
export interface SttSession {
  /** Mu-law 8 kHz bytes (any length). Buffered while reconnecting. */
  send(mulaw: Uint8Array): void;
  /** Flush: final results now for the audio so far (end of turn known to us). */
  finalize(): void;
  /** Keep the connection alive without audio. Sent automatically too. */
  keepAlive(): void;
  /** Ends the stream cleanly (final results, then close). Resolves once closed. */
  close(): Promise<void>;
}

/** Opens sessions. Rejects with ProviderError when the first connection cannot be made. */
export interface SttPort {
  open(options: SttOpenOptions, onEvent: (event: SttEvent) => void): Promise<SttSession>;
}
