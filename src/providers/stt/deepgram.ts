/**
 * Deepgram live speech-to-text adapter through the official SDK (@deepgram/sdk 5.13.0).
 *
 * The SDK reconnects silently up to 30 times on any close other than 1000 (PROTOCOLS.md), which
 * would hide outages and restart audio time without telling us. We pass `reconnectAttempts: 0`
 * and reconnect ourselves: exponential backoff, bounded attempts, audio buffered meanwhile (the
 * newest `maxBufferedAudioMs`), and the audio offset of each new connection reported so the
 * session can map Deepgram's per-connection times to call audio time.
 */
import { DeepgramClient } from "@deepgram/sdk";
import { ProviderError, ProviderErrorCode } from "../errors.ts";
import type { SttEvent, SttMessage, SttOpenOptions, SttPort, SttSession } from "./port.ts";

/** Options of the Deepgram adapter. */
export interface DeepgramAdapterOptions {
  readonly apiKey: string;
  /** Origin replacing Deepgram's (DEEPGRAM_BASE_URL), e.g. `http://127.0.0.1:4020`; "" = real. */
  readonly baseUrl: string;
  readonly model: string;
  /** Silence that ends an utterance at Deepgram (`endpointing`), ms. */
  readonly endpointingMs: number;
  /** Gap that triggers `UtteranceEnd` (`utterance_end_ms`), ms (Deepgram minimum 1000). */
  readonly utteranceEndMs: number;
  /** Send KeepAlive when no audio went out for this long, ms (Deepgram closes after 10 s). */
  readonly keepAliveIntervalMs: number;
  /** Bound on opening one connection, ms. */
  readonly connectTimeoutMs: number;
  /** Bound on a clean close (CloseStream → close frame), ms. */
  readonly closeTimeoutMs: number;
  /** Reconnection attempts after a drop before giving up (0 = never reconnect). */
  readonly reconnectMaxAttempts: number;
  /** First backoff delay, doubled each attempt up to `reconnectMaxDelayMs`, ms. */
  readonly reconnectBaseDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  /** Audio kept while disconnected; older audio is dropped, ms of mu-law. */
  readonly maxBufferedAudioMs: number;
  /**
   * Audio is sent in chunks of this many ms instead of Twilio's 20 ms frames: each websocket
   * frame costs CPU (the SDK masks every client frame in JavaScript), and Deepgram accepts
   * 20–100 ms chunks. `finalize()` flushes first, so the end of a turn never waits for a chunk.
   * Default 60 (100 delays interim words enough to start replies ~50 ms later).
   */
  readonly sendChunkMs: number;
}

/** Defaults per PROTOCOLS.md: nova-3, endpointing 300 ms, utterance end 1000 ms, KeepAlive every 3 s. */
export const DEFAULT_DEEPGRAM_OPTIONS: DeepgramAdapterOptions = Object.freeze({
  apiKey: "",
  baseUrl: "",
  model: "nova-3",
  sendChunkMs: 60,
  endpointingMs: 300,
  utteranceEndMs: 1000,
  keepAliveIntervalMs: 3000,
  connectTimeoutMs: 5000,
  closeTimeoutMs: 2000,
  reconnectMaxAttempts: 5,
  reconnectBaseDelayMs: 100,
  reconnectMaxDelayMs: 2000,
  maxBufferedAudioMs: 10_000,
});

const BYTES_PER_MS = 8;

type ListenSocket = Awaited<ReturnType<DeepgramClient["listen"]["v1"]["connect"]>>;

function dgError(code: string, message: string, retryable: boolean, cause?: unknown): ProviderError {
  return new ProviderError({ provider: "deepgram", code, message, retryable, cause });
}

/** Maps a failed handshake to a ProviderError; 401/403 are not worth retrying. */
function handshakeError(closeCode: number, err: Error | undefined): ProviderError {
  const text = err?.message ?? "";
  const status = Number(/\b([1-5]\d\d)\b/.exec(text)?.[1] ?? Number.NaN);
  if (status === 401 || status === 403) {
    return new ProviderError({ provider: "deepgram", code: "unauthorized", status, message: `deepgram refused the key: ${text}`, retryable: false, cause: err });
  }
  return new ProviderError({
    provider: "deepgram",
    code: ProviderErrorCode.network,
    ...(Number.isFinite(status) ? { status } : {}),
    message: `deepgram connection failed before open (${closeCode}${text ? `: ${text}` : ""})`,
    retryable: true,
    cause: err,
  });
}

/** Opens one connection and resolves once it is open (or rejects within the timeout). */
async function connectOnce(
  client: DeepgramClient,
  options: DeepgramAdapterOptions,
  open: SttOpenOptions,
): Promise<ListenSocket> {
  const socket = await client.listen.v1.connect({
    model: options.model,
    encoding: "mulaw",
    sample_rate: 8000,
    channels: 1,
    interim_results: "true",
    endpointing: options.endpointingMs,
    utterance_end_ms: options.utteranceEndMs,
    vad_events: "true",
    smart_format: "true",
    ...(open.language !== undefined ? { language: open.language } : {}),
    ...(open.tag !== undefined ? { tag: open.tag } : {}),
    reconnectAttempts: 0,
    connectionTimeoutInSeconds: options.connectTimeoutMs / 1000,
  });
  const { promise, resolve, reject } = Promise.withResolvers<ListenSocket>();
  const timer = setTimeout(() => {
    reject(dgError(ProviderErrorCode.timeout, `deepgram connect timed out after ${options.connectTimeoutMs} ms`, true));
    socket.close();
  }, options.connectTimeoutMs);
  let opened = false;
  let lastError: Error | undefined;
  socket.on("open", () => {
    opened = true;
    resolve(socket);
  });
  // The SDK reports a failed handshake as a synthetic close (1000) followed synchronously by the
  // error: decide after both have been seen.
  socket.on("error", (err) => {
    lastError = err;
  });
  socket.on("close", (ev) => {
    if (opened) return;
    queueMicrotask(() => reject(handshakeError(ev.code, lastError)));
  });
  socket.connect();
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
  }
}

type Pending = Uint8Array | "Finalize";

class DeepgramSession implements SttSession {
  readonly #client: DeepgramClient;
  readonly #options: DeepgramAdapterOptions;
  readonly #open: SttOpenOptions;
  readonly #emit: (event: SttEvent) => void;
  #socket: ListenSocket | null = null;
  /** Audio bytes successfully handed to earlier connections. */
  #bytesBeforeConnection = 0;
  #bytesThisConnection = 0;
  #pending: Pending[] = [];
  #pendingBytes = 0;
  #sentSinceKeepAlive = false;
  #keepAliveTimer: ReturnType<typeof setInterval> | undefined;
  #state: "open" | "reconnecting" | "closing" | "closed" = "open";
  #closed = Promise.withResolvers<void>();

  constructor(client: DeepgramClient, options: DeepgramAdapterOptions, open: SttOpenOptions, emit: (e: SttEvent) => void) {
    this.#client = client;
    this.#options = options;
    this.#open = open;
    this.#emit = emit;
  }

  attach(socket: ListenSocket): void {
    this.#socket = socket;
    this.#bytesThisConnection = 0;
    const offset = this.#bytesBeforeConnection / BYTES_PER_MS;
    socket.on("message", (message) => {
      if (this.#socket !== socket) return;
      this.#emit({ type: "message", message: message as SttMessage, audioOffsetMs: offset });
    });
    socket.on("close", (ev) => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#bytesBeforeConnection += this.#bytesThisConnection;
      this.#bytesThisConnection = 0;
      if (this.#state === "closing" || this.#state === "closed") this.#finish(ev.code, ev.reason ?? "");
      else void this.#reconnect(dgError(ProviderErrorCode.network, `deepgram closed ${ev.code} ${ev.reason ?? ""}`.trim(), true));
    });
    socket.on("error", () => {
      // Always followed by "close", which decides.
    });
    this.#keepAliveTimer ??= setInterval(() => {
      if (!this.#sentSinceKeepAlive) this.keepAlive();
      this.#sentSinceKeepAlive = false;
    }, this.#options.keepAliveIntervalMs);
  }

  #chunk: Uint8Array | null = null;
  #chunkBytes = 0;

  send(mulaw: Uint8Array): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    const size = Math.max(1, Math.round(this.#options.sendChunkMs * BYTES_PER_MS));
    if (size <= mulaw.byteLength && this.#chunkBytes === 0) return this.#sendNow(mulaw);
    this.#chunk ??= new Uint8Array(size);
    let offset = 0;
    while (offset < mulaw.byteLength) {
      const take = Math.min(size - this.#chunkBytes, mulaw.byteLength - offset);
      this.#chunk.set(mulaw.subarray(offset, offset + take), this.#chunkBytes);
      this.#chunkBytes += take;
      offset += take;
      if (this.#chunkBytes === size) this.#flushChunk();
    }
  }

  /** Sends the audio gathered so far (a copy: the chunk buffer is reused). */
  #flushChunk(): void {
    if (this.#chunkBytes === 0 || !this.#chunk) return;
    const out = this.#chunk.slice(0, this.#chunkBytes);
    this.#chunkBytes = 0;
    this.#sendNow(out);
  }

  #sendNow(mulaw: Uint8Array): void {
    const socket = this.#socket;
    if (socket && this.#state === "open") {
      try {
        socket.sendMedia(mulaw);
        this.#bytesThisConnection += mulaw.byteLength;
        this.#sentSinceKeepAlive = true;
        return;
      } catch {
        // Socket no longer open: buffer; its close event starts the reconnection.
      }
    }
    this.#buffer(mulaw);
  }

  finalize(): void {
    if (this.#state === "closing" || this.#state === "closed") return;
    this.#flushChunk();
    if (this.#socket && this.#state === "open") {
      try {
        this.#socket.sendFinalize({ type: "Finalize" });
        return;
      } catch {
        // fall through to buffering
      }
    }
    this.#pending.push("Finalize");
  }

  keepAlive(): void {
    if (this.#state !== "open" || !this.#socket) return;
    try {
      this.#socket.sendKeepAlive({ type: "KeepAlive" });
    } catch {
      // A dead socket is detected by its close event.
    }
  }

  async close(): Promise<void> {
    if (this.#state === "closed") return this.#closed.promise;
    if (this.#state === "closing") return this.#closed.promise;
    this.#flushChunk();
    const wasOpen = this.#state === "open";
    this.#state = "closing";
    const socket = this.#socket;
    if (!socket || !wasOpen) {
      this.#finish(1000, "closed while disconnected");
      return this.#closed.promise;
    }
    try {
      socket.sendCloseStream({ type: "CloseStream" });
    } catch {
      this.#finish(1000, "closed");
      return this.#closed.promise;
    }
    const timer = setTimeout(() => {
      socket.close();
      this.#finish(1000, "close timed out");
    }, this.#options.closeTimeoutMs);
    await this.#closed.promise;
    clearTimeout(timer);
  }

  #buffer(mulaw: Uint8Array): void {
    this.#pending.push(mulaw.slice());
    this.#pendingBytes += mulaw.byteLength;
    const cap = this.#options.maxBufferedAudioMs * BYTES_PER_MS;
    while (this.#pendingBytes > cap) {
      const i = this.#pending.findIndex((p) => p !== "Finalize");
      const dropped = this.#pending[i];
      if (i < 0 || dropped === undefined || dropped === "Finalize") break;
      this.#pending.splice(i, 1);
      this.#pendingBytes -= dropped.byteLength;
      // Dropped audio still counts as elapsed audio time for the offset of the next connection.
      this.#bytesBeforeConnection += dropped.byteLength;
    }
  }

  async #reconnect(cause: ProviderError): Promise<void> {
    this.#state = "reconnecting";
    let lastError = cause;
    for (let attempt = 1; attempt <= this.#options.reconnectMaxAttempts; attempt++) {
      const delayMs = Math.min(this.#options.reconnectMaxDelayMs, this.#options.reconnectBaseDelayMs * 2 ** (attempt - 1));
      this.#emit({ type: "reconnecting", attempt, delayMs, error: lastError });
      await new Promise((r) => setTimeout(r, delayMs));
      if (this.#state !== "reconnecting") return;
      try {
        const socket = await connectOnce(this.#client, this.#options, this.#open);
        if (this.#state !== "reconnecting") {
          socket.close();
          return;
        }
        this.#state = "open";
        this.attach(socket);
        this.#emit({ type: "reconnected", audioOffsetMs: this.#bytesBeforeConnection / BYTES_PER_MS });
        const pending = this.#pending;
        this.#pending = [];
        this.#pendingBytes = 0;
        for (const p of pending) {
          if (p === "Finalize") this.finalize();
          else this.send(p);
        }
        return;
      } catch (err) {
        lastError = err instanceof ProviderError ? err : dgError(ProviderErrorCode.network, String(err), true, err);
      }
    }
    const error = dgError(
      "reconnect_failed",
      `deepgram: gave up after ${this.#options.reconnectMaxAttempts} reconnection attempts: ${lastError.message}`,
      true,
      lastError,
    );
    this.#emit({ type: "error", error });
    this.#finish(1011, error.message);
  }

  #finish(code: number, reason: string): void {
    if (this.#state === "closed") return;
    this.#state = "closed";
    if (this.#keepAliveTimer) clearInterval(this.#keepAliveTimer);
    this.#keepAliveTimer = undefined;
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#emit({ type: "close", code, reason });
    this.#closed.resolve();
  }
}

/** Deepgram implementation of the STT port. */
export class DeepgramStt implements SttPort {
  readonly options: DeepgramAdapterOptions;
  readonly #client: DeepgramClient;

  constructor(overrides: Partial<DeepgramAdapterOptions> & { readonly apiKey: string }) {
    this.options = Object.freeze({ ...DEFAULT_DEEPGRAM_OPTIONS, ...overrides });
    this.#client = new DeepgramClient({
      apiKey: this.options.apiKey,
      ...(this.options.baseUrl !== "" ? { baseUrl: this.options.baseUrl } : {}),
    });
  }

  async open(options: SttOpenOptions, onEvent: (event: SttEvent) => void): Promise<SttSession> {
    const socket = await connectOnce(this.#client, this.options, options);
    const session = new DeepgramSession(this.#client, this.options, options, onEvent);
    session.attach(socket);
    return session;
  }
}
