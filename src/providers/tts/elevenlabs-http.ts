/**
 * ElevenLabs HTTP streaming TTS (one request per phrase) through the official SDK
 * (@elevenlabs/elevenlabs-js 2.73.0): `textToSpeech.stream` in `ulaw_8000`, which streams raw,
 * headerless mu-law that can go to Twilio as it is.
 */
import { ElevenLabsClient } from "@elevenlabs/elevenlabs-js";
import { ProviderError, ProviderErrorCode } from "../errors.ts";
import { type GuardStop, guardStream } from "../stream-guard.ts";
import { toElevenLabsError } from "./elevenlabs-errors.ts";
import type { TtsPort, TtsVoice } from "./port.ts";

/** Options of the HTTP adapter. */
export interface ElevenLabsHttpOptions {
  readonly apiKey: string;
  /** Origin replacing ElevenLabs' (ELEVENLABS_BASE_URL); "" = real. */
  readonly baseUrl: string;
  readonly defaultModelId: string;
  /** Bound on the response headers, ms. */
  readonly connectTimeoutMs: number;
  /** Bound on the first audio byte after the request, ms. */
  readonly firstByteTimeoutMs: number;
  /** Bound on the gap between two audio chunks, ms. */
  readonly idleTimeoutMs: number;
}

/** Defaults: the real vendor, the flash model (lowest latency), 5 s / 3 s / 3 s bounds. */
export const DEFAULT_ELEVENLABS_HTTP_OPTIONS: ElevenLabsHttpOptions = Object.freeze({
  apiKey: "",
  baseUrl: "",
  defaultModelId: "eleven_flash_v2_5",
  connectTimeoutMs: 5000,
  firstByteTimeoutMs: 3000,
  idleTimeoutMs: 3000,
});

function voiceSettings(voice: TtsVoice) {
  const s = voice.settings;
  if (!s) return undefined;
  return {
    ...(s.stability !== undefined ? { stability: s.stability } : {}),
    ...(s.similarityBoost !== undefined ? { similarityBoost: s.similarityBoost } : {}),
    ...(s.style !== undefined ? { style: s.style } : {}),
    ...(s.useSpeakerBoost !== undefined ? { useSpeakerBoost: s.useSpeakerBoost } : {}),
    ...(s.speed !== undefined ? { speed: s.speed } : {}),
  };
}

/** HTTP streaming implementation of the TTS port. */
export class ElevenLabsHttpTts implements TtsPort {
  readonly options: ElevenLabsHttpOptions;
  readonly #client: ElevenLabsClient;

  constructor(overrides: Partial<ElevenLabsHttpOptions> & { readonly apiKey: string }) {
    this.options = Object.freeze({ ...DEFAULT_ELEVENLABS_HTTP_OPTIONS, ...overrides });
    this.#client = new ElevenLabsClient({
      apiKey: this.options.apiKey,
      maxRetries: 0, // retries are the caller's decision (a retried phrase costs latency)
      timeoutInSeconds: this.options.connectTimeoutMs / 1000,
      ...(this.options.baseUrl !== "" ? { baseUrl: this.options.baseUrl } : {}),
    });
  }

  synthesize(text: string, opts: { readonly voice: TtsVoice; readonly signal?: AbortSignal }): AsyncIterable<Uint8Array> {
    const controller = new AbortController();
    const outer = opts.signal;
    const client = this.#client;
    const options = this.options;
    const settings = voiceSettings(opts.voice);
    const body = async function* (): AsyncGenerator<Uint8Array> {
      const onOuterAbort = (): void => controller.abort(outer?.reason);
      outer?.addEventListener("abort", onOuterAbort, { once: true });
      try {
        let stream: ReadableStream<Uint8Array>;
        try {
          stream = await client.textToSpeech.stream(
            opts.voice.voiceId,
            {
              text,
              modelId: opts.voice.modelId ?? options.defaultModelId,
              outputFormat: "ulaw_8000",
              ...(settings ? { voiceSettings: settings } : {}),
            },
            { abortSignal: controller.signal },
          );
        } catch (err) {
          throw toElevenLabsError(err);
        }
        try {
          for await (const chunk of stream) if (chunk.byteLength > 0) yield chunk;
        } catch (err) {
          throw toElevenLabsError(err);
        }
      } finally {
        outer?.removeEventListener("abort", onOuterAbort);
        controller.abort();
      }
    };
    return guardStream(body(), {
      firstItemTimeoutMs: options.firstByteTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      signal: outer,
      onStop: () => controller.abort(),
      error: (stop: GuardStop) =>
        new ProviderError({
          provider: "elevenlabs",
          code: stop === "aborted" ? ProviderErrorCode.aborted : ProviderErrorCode.timeout,
          message:
            stop === "aborted"
              ? "elevenlabs synthesis aborted"
              : stop === "first_item_timeout"
                ? `elevenlabs: no audio within ${options.firstByteTimeoutMs} ms`
                : `elevenlabs: audio stalled for ${options.idleTimeoutMs} ms`,
          retryable: stop !== "aborted",
        }),
    });
  }
}
