/**
 * ElevenLabs `stream-input` websocket TTS, written by hand on Bun's WebSocket: the SDK has only
 * the message types, no client (PROTOCOLS.md). Protocol: the client sends snake_case
 * `{"text":" ", voice_settings, xi_api_key}` first, then text chunks that each end in a space,
 * `"flush": true` to force generation, and `{"text":""}` to end; the server sends camelCase
 * `{"audio": base64, "isFinal", "alignment"}`.
 *
 * LLM tokens do not end on word boundaries ("Hel", "lo"), and a chunk must end in a space, so
 * text is held back to the last whitespace and the remainder goes out on flush/end.
 */
import { ProviderError, ProviderErrorCode } from "../errors.ts";
import type { TtsStreamPort, TtsTextStream, TtsVoice } from "./port.ts";

/** Options of the websocket adapter. */
export interface ElevenLabsWsOptions {
  readonly apiKey: string;
  /** Origin replacing ElevenLabs' (ELEVENLABS_BASE_URL, http(s) or ws(s)); "" = real. */
  readonly baseUrl: string;
  readonly defaultModelId: string;
  /** Characters buffered by the server before it generates on its own (ElevenLabs' schedule). */
  readonly chunkLengthSchedule: readonly number[];
  /** Server closes after this long without input, seconds (ElevenLabs: 20 default, max 180). */
  readonly inactivityTimeoutSeconds: number;
  /** Bound on the websocket opening, ms. */
  readonly connectTimeoutMs: number;
  /** Bound from the first flush/end to the first audio, ms. */
  readonly firstByteTimeoutMs: number;
  /** Bound between audio messages once the text has ended, ms. */
  readonly idleTimeoutMs: number;
}

/** Defaults: the real vendor, the flash model, ElevenLabs' default schedule. */
export const DEFAULT_ELEVENLABS_WS_OPTIONS: ElevenLabsWsOptions = Object.freeze({
  apiKey: "",
  baseUrl: "",
  defaultModelId: "eleven_flash_v2_5",
  chunkLengthSchedule: Object.freeze([120, 160, 250, 290]),
  inactivityTimeoutSeconds: 20,
  connectTimeoutMs: 5000,
  firstByteTimeoutMs: 3000,
  idleTimeoutMs: 3000,
});

function wsOrigin(baseUrl: string): string {
  if (baseUrl === "") return "wss://api.elevenlabs.io";
  return baseUrl.replace(/^http:/, "ws:").replace(/^https:/, "wss:").replace(/\/$/, "");
}

function snakeSettings(voice: TtsVoice): Record<string, number | boolean> | undefined {
  const s = voice.settings;
  if (!s) return undefined;
  const out: Record<string, number | boolean> = {};
  if (s.stability !== undefined) out.stability = s.stability;
  if (s.similarityBoost !== undefined) out.similarity_boost = s.similarityBoost;
  if (s.style !== undefined) out.style = s.style;
  if (s.useSpeakerBoost !== undefined) out.use_speaker_boost = s.useSpeakerBoost;
  if (s.speed !== undefined) out.speed = s.speed;
  return out;
}

const err = (code: string, message: string, retryable: boolean, status?: number): ProviderError =>
  new ProviderError({ provider: "elevenlabs", code, message, retryable, ...(status !== undefined ? { status } : {}) });

/** One reply's websocket. */
class ElevenLabsWsStream implements TtsTextStream {
  readonly audio: AsyncIterable<Uint8Array>;
  readonly #ws: WebSocket;
  readonly #options: ElevenLabsWsOptions;
  readonly #outbox: string[] = [];
  readonly #chunks: Uint8Array[] = [];
  #wake: (() => void) | null = null;
  #failure: ProviderError | null = null;
  #done = false;
  #open = false;
  #held = "";
  #ended = false;
  #gotAudio = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = (): void => this.#fail(err(ProviderErrorCode.aborted, "elevenlabs stream aborted", false));

  constructor(options: ElevenLabsWsOptions, voice: TtsVoice, signal: AbortSignal | undefined) {
    this.#options = options;
    this.#signal = signal;
    const url = new URL(`${wsOrigin(options.baseUrl)}/v1/text-to-speech/${encodeURIComponent(voice.voiceId)}/stream-input`);
    url.searchParams.set("model_id", voice.modelId ?? options.defaultModelId);
    url.searchParams.set("output_format", "ulaw_8000");
    url.searchParams.set("inactivity_timeout", String(options.inactivityTimeoutSeconds));
    const settings = snakeSettings(voice);
    this.#outbox.push(
      JSON.stringify({
        text: " ",
        ...(settings ? { voice_settings: settings } : {}),
        generation_config: { chunk_length_schedule: options.chunkLengthSchedule },
        xi_api_key: options.apiKey,
      }),
    );
    this.#ws = new WebSocket(url.href);
    this.#arm(options.connectTimeoutMs, "elevenlabs websocket connect timed out");
    this.#ws.onopen = () => {
      this.#open = true;
      this.#disarm();
      for (const m of this.#outbox.splice(0)) this.#ws.send(m);
      if (this.#ended) this.#arm(options.firstByteTimeoutMs, "elevenlabs first byte timed out");
    };
    this.#ws.onmessage = (ev) => this.#onMessage(ev.data);
    this.#ws.onclose = (ev) => {
      if (this.#done) return;
      if (ev.code === 1000 && this.#ended) this.#finish();
      else this.#fail(err(ev.code === 1008 ? "policy_violation" : ProviderErrorCode.network, `elevenlabs websocket closed ${ev.code} ${ev.reason}`.trim(), ev.code !== 1008));
    };
    this.#ws.onerror = () => {
      // Followed by close, which decides.
    };
    if (signal?.aborted) this.#onAbort();
    else signal?.addEventListener("abort", this.#onAbort, { once: true });
    this.audio = { [Symbol.asyncIterator]: () => this.#iterate() };
  }

  pushText(text: string): void {
    if (this.#ended || this.#done) return;
    this.#held += text;
    const cut = Math.max(this.#held.lastIndexOf(" "), this.#held.lastIndexOf("\n"));
    if (cut < 0) return;
    const ready = this.#held.slice(0, cut + 1);
    this.#held = this.#held.slice(cut + 1);
    if (ready.trim() !== "") this.#send({ text: ready });
  }

  flush(): void {
    if (this.#ended || this.#done) return;
    const text = this.#held.trim() === "" ? " " : `${this.#held} `;
    this.#held = "";
    this.#send({ text, flush: true });
    if (!this.#gotAudio && this.#open) this.#arm(this.#options.firstByteTimeoutMs, "elevenlabs first byte timed out");
  }

  end(): void {
    if (this.#ended || this.#done) return;
    if (this.#held.trim() !== "") this.#send({ text: `${this.#held} ` });
    this.#held = "";
    this.#ended = true;
    this.#send({ text: "" });
    if (this.#open) this.#arm(this.#gotAudio ? this.#options.idleTimeoutMs : this.#options.firstByteTimeoutMs, "elevenlabs audio timed out");
  }

  #send(msg: Record<string, unknown>): void {
    const s = JSON.stringify(msg);
    if (this.#open) this.#ws.send(s);
    else this.#outbox.push(s);
  }

  #onMessage(data: unknown): void {
    if (this.#done) return;
    let msg: { audio?: unknown; isFinal?: unknown; error?: unknown; message?: unknown; code?: unknown };
    try {
      msg = JSON.parse(typeof data === "string" ? data : new TextDecoder().decode(data as ArrayBuffer));
    } catch {
      this.#fail(err(ProviderErrorCode.protocol, "elevenlabs sent a non-JSON message", false));
      return;
    }
    if (typeof msg.error === "string") {
      this.#fail(err(msg.error, typeof msg.message === "string" ? msg.message : msg.error, msg.error !== "invalid_api_key"));
      return;
    }
    if (typeof msg.audio === "string" && msg.audio !== "") {
      const bytes = Uint8Array.from(Buffer.from(msg.audio, "base64"));
      if (bytes.byteLength > 0) {
        this.#gotAudio = true;
        this.#chunks.push(bytes);
        if (this.#ended) this.#arm(this.#options.idleTimeoutMs, "elevenlabs audio stalled");
        else this.#disarm();
        this.#notify();
      }
    }
    if (msg.isFinal === true) this.#finish();
  }

  #arm(ms: number, message: string): void {
    this.#disarm();
    this.#timer = setTimeout(() => this.#fail(err(ProviderErrorCode.timeout, message, true)), ms);
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#cleanup();
    this.#notify();
  }

  #fail(e: ProviderError): void {
    if (this.#done) return;
    this.#failure = e;
    this.#done = true;
    this.#cleanup();
    this.#notify();
  }

  #cleanup(): void {
    this.#disarm();
    this.#signal?.removeEventListener("abort", this.#onAbort);
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.#ws.close(1000);
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async *#iterate(): AsyncGenerator<Uint8Array> {
    try {
      while (true) {
        const chunk = this.#chunks.shift();
        if (chunk) {
          yield chunk;
          continue;
        }
        if (this.#failure) throw this.#failure;
        if (this.#done) return;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
      }
    } finally {
      // Consumer stopped early: release the socket.
      if (!this.#done) this.#fail(err(ProviderErrorCode.aborted, "elevenlabs stream released", false));
    }
  }
}

/** Websocket implementation of the incremental TTS port. */
export class ElevenLabsWsTts implements TtsStreamPort {
  readonly options: ElevenLabsWsOptions;

  constructor(overrides: Partial<ElevenLabsWsOptions> & { readonly apiKey: string }) {
    this.options = Object.freeze({ ...DEFAULT_ELEVENLABS_WS_OPTIONS, ...overrides });
  }

  open(opts: { readonly voice: TtsVoice; readonly signal?: AbortSignal }): TtsTextStream {
    return new ElevenLabsWsStream(this.options, opts.voice, opts.signal);
  }
}
