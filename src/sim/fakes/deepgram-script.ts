/**
 * The transcription logic of the Deepgram fake, pure and driven by the audio clock (ms of mu-law
 * received on one connection, 8 bytes per ms). Given a script of utterances, it says which
 * Deepgram live messages are due when the clock advances or when Finalize / CloseStream arrive.
 * Message shapes follow Deepgram's live API (`Results`, `SpeechStarted`, `UtteranceEnd`).
 */

/** One scripted utterance, in audio ms of the connection. Words are spread evenly across it. */
export interface ScriptedUtterance {
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
}

/** Behaviour knobs, all in audio milliseconds. */
export interface TranscriptionTiming {
  /** Silence after the last word before `speech_final` (Deepgram's `endpointing`). */
  readonly endpointingMs: number;
  /** Gap after the last word before `UtteranceEnd` (`utterance_end_ms`), or null when off. */
  readonly utteranceEndMs: number | null;
  /** Minimum audio between two interim results. */
  readonly interimIntervalMs: number;
  readonly interimResults: boolean;
  readonly vadEvents: boolean;
}

interface Word {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
}

interface UtteranceState {
  readonly words: readonly Word[];
  readonly startMs: number;
  readonly endMs: number;
  speechStartedSent: boolean;
  finalizedWords: number;
  speechFinalSent: boolean;
  utteranceEndSent: boolean;
  lastInterimAtMs: number;
  lastInterimWords: number;
}

/** A Deepgram live message (JSON object) the fake will send. */
export type DeepgramMessage = Record<string, unknown>;

function splitWords(u: ScriptedUtterance): Word[] {
  const tokens = u.text.split(/\s+/).filter((t) => t !== "");
  const span = Math.max(1, u.endMs - u.startMs);
  const each = span / Math.max(1, tokens.length);
  return tokens.map((word, i) => ({
    word,
    startMs: Math.round(u.startMs + i * each),
    endMs: Math.round(u.startMs + (i + 1) * each),
  }));
}

const round3 = (ms: number): number => Math.round(ms) / 1000;

/** Per-connection transcription state machine. */
export class ScriptedTranscriber {
  readonly #utterances: UtteranceState[];
  readonly #timing: TranscriptionTiming;
  readonly #requestId: string;
  /** Audio ms already covered by a final result (Results windows start here). */
  #finalCursorMs = 0;
  #clockMs = 0;

  constructor(script: readonly ScriptedUtterance[], timing: TranscriptionTiming, requestId: string) {
    this.#timing = timing;
    this.#requestId = requestId;
    this.#utterances = [...script]
      .sort((a, b) => a.startMs - b.startMs)
      .map((u) => ({
        words: splitWords(u),
        startMs: u.startMs,
        endMs: u.endMs,
        speechStartedSent: false,
        finalizedWords: 0,
        speechFinalSent: false,
        utteranceEndSent: false,
        lastInterimAtMs: -Infinity,
        lastInterimWords: 0,
      }));
  }

  /** Audio ms received so far. */
  get clockMs(): number {
    return this.#clockMs;
  }

  /** Advances the audio clock to `clockMs`; returns messages now due, in order. */
  advance(clockMs: number): DeepgramMessage[] {
    this.#clockMs = Math.max(this.#clockMs, clockMs);
    const now = this.#clockMs;
    const out: DeepgramMessage[] = [];
    for (const u of this.#utterances) {
      if (now < u.startMs) break;
      if (this.#timing.vadEvents && !u.speechStartedSent) {
        u.speechStartedSent = true;
        out.push({ type: "SpeechStarted", channel: [0], timestamp: round3(u.startMs) });
      }
      const heard = u.words.filter((w) => w.endMs <= now).length;
      if (!u.speechFinalSent && now >= u.endMs + this.#timing.endpointingMs) {
        u.speechFinalSent = true;
        const msg = this.#final(u, u.words.length, { speechFinal: true, fromFinalize: false, windowEndMs: now });
        if (msg) out.push(msg);
        continue;
      }
      if (
        this.#timing.interimResults &&
        !u.speechFinalSent &&
        heard > u.finalizedWords &&
        heard > u.lastInterimWords &&
        now - u.lastInterimAtMs >= this.#timing.interimIntervalMs
      ) {
        u.lastInterimAtMs = now;
        u.lastInterimWords = heard;
        out.push(this.#results(u.words.slice(u.finalizedWords, heard), { isFinal: false, speechFinal: false, fromFinalize: false, windowEndMs: now }));
      }
      const lastWordEnd = u.words.at(-1)?.endMs ?? u.endMs;
      if (this.#timing.utteranceEndMs !== null && this.#timing.interimResults && !u.utteranceEndSent && now >= lastWordEnd + this.#timing.utteranceEndMs) {
        u.utteranceEndSent = true;
        out.push({ type: "UtteranceEnd", channel: [0, 1], last_word_end: round3(lastWordEnd) });
      }
    }
    return out;
  }

  /** Deepgram `Finalize`: flush what has been heard as a final with `from_finalize: true`. */
  finalize(): DeepgramMessage[] {
    const out: DeepgramMessage[] = [];
    for (const u of this.#utterances) {
      if (u.speechFinalSent) continue;
      const heard = u.words.filter((w) => w.endMs <= this.#clockMs).length;
      if (heard <= u.finalizedWords) continue;
      const msg = this.#final(u, heard, { speechFinal: false, fromFinalize: true, windowEndMs: this.#clockMs });
      if (msg) out.push(msg);
      if (heard === u.words.length) u.speechFinalSent = true;
    }
    return out;
  }

  /** `Metadata` sent before a clean close. */
  metadata(): DeepgramMessage {
    return {
      type: "Metadata",
      transaction_key: "deprecated",
      request_id: this.#requestId,
      sha256: "0".repeat(64),
      created: new Date(0).toISOString(),
      duration: round3(this.#clockMs),
      channels: 1,
      models: ["00000000-0000-0000-0000-000000000003"],
      model_info: { "00000000-0000-0000-0000-000000000003": { name: "general-nova-3", version: "fake", arch: "nova-3" } },
    };
  }

  #final(u: UtteranceState, upTo: number, o: { speechFinal: boolean; fromFinalize: boolean; windowEndMs: number }): DeepgramMessage | null {
    const words = u.words.slice(u.finalizedWords, upTo);
    u.finalizedWords = Math.max(u.finalizedWords, upTo);
    if (words.length === 0) return null;
    const msg = this.#results(words, { isFinal: true, ...o });
    this.#finalCursorMs = o.windowEndMs;
    return msg;
  }

  #results(words: readonly Word[], o: { isFinal: boolean; speechFinal: boolean; fromFinalize: boolean; windowEndMs: number }): DeepgramMessage {
    const startMs = Math.min(this.#finalCursorMs, words[0]?.startMs ?? this.#finalCursorMs);
    return {
      type: "Results",
      channel_index: [0, 1],
      duration: round3(o.windowEndMs - startMs),
      start: round3(startMs),
      is_final: o.isFinal,
      speech_final: o.speechFinal,
      from_finalize: o.fromFinalize,
      channel: {
        alternatives: [
          {
            transcript: words.map((w) => w.word).join(" "),
            confidence: 0.98,
            words: words.map((w) => ({
              word: w.word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, ""),
              start: round3(w.startMs),
              end: round3(w.endMs),
              confidence: 0.98,
              punctuated_word: w.word,
            })),
          },
        ],
      },
      metadata: {
        request_id: this.#requestId,
        model_info: { name: "general-nova-3", version: "fake", arch: "nova-3" },
        model_uuid: "00000000-0000-0000-0000-000000000003",
      },
    };
  }
}
