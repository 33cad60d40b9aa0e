/**
 * A fake of ElevenLabs text-to-speech: `POST /v1/text-to-speech/{voice}/stream` streaming raw
 * mu-law (`output_format=ulaw_8000`) and the `stream-input` websocket. The audio is a voiced-like
 * signal whose duration follows the text (`msPerChar`); the time to first byte and the chunking
 * are configurable. Auth is `xi-api-key` (header, or `xi_api_key` in the first websocket message);
 * errors use ElevenLabs' `{"detail":{"status","message"}}` shape.
 */
import type { ServerWebSocket } from "bun";
import { speechMsFor, voicedMulaw } from "./voice-signal.ts";

/** Options of the ElevenLabs fake. */
export interface ElevenLabsFakeOptions {
  readonly apiKey: string;
  /** Wall delay from a generation request (HTTP request, websocket flush/schedule) to its first audio, ms. */
  readonly firstByteDelayMs: number;
  /** Audio per character of text, ms. */
  readonly msPerChar: number;
  /** Bytes of mu-law per chunk sent (8 bytes = 1 ms). */
  readonly chunkBytes: number;
  /** Wall delay between chunks after the first, ms (0 = as fast as the socket takes them). */
  readonly chunkIntervalMs: number;
  /** Websocket: close after this long without a client message, ms (ElevenLabs default 20 s). */
  readonly inactivityTimeoutMs: number;
}

/** Defaults: 150 ms to first byte, ~60 ms of speech per character, 100 ms chunks. */
export const DEFAULT_ELEVENLABS_FAKE_OPTIONS: ElevenLabsFakeOptions = Object.freeze({
  apiKey: "fake-elevenlabs-key",
  firstByteDelayMs: 150,
  msPerChar: 60,
  chunkBytes: 800,
  chunkIntervalMs: 0,
  inactivityTimeoutMs: 20_000,
});

/** A request the fake received (HTTP body or websocket text message). */
export interface ElevenLabsFakeRequest {
  readonly kind: "http" | "ws-open" | "ws-message";
  readonly voiceId: string;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

interface WsData {
  readonly voiceId: string;
  readonly headerKey: string | null;
  authed: boolean;
  buffer: string;
  schedule: number[];
  scheduleIndex: number;
  chain: Promise<void>;
  sampleCursor: number;
  ended: boolean;
  idle: ReturnType<typeof setTimeout> | undefined;
}

const DEFAULT_SCHEDULE = [120, 160, 250, 290];
const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

function elevenError(status: number, code: string, message: string): Response {
  return Response.json({ detail: { status: code, message } }, { status });
}

/** The running fake. */
export class ElevenLabsFake implements AsyncDisposable {
  readonly options: ElevenLabsFakeOptions;
  readonly requests: ElevenLabsFakeRequest[] = [];
  readonly #server: ReturnType<typeof Bun.serve<WsData>>;
  readonly #injected: Array<{ status: number; code: string; message: string } | "stall"> = [];
  readonly #stalled: Array<() => void> = [];
  readonly #sockets = new Set<ServerWebSocket<WsData>>();

  constructor(overrides: Partial<ElevenLabsFakeOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_ELEVENLABS_FAKE_OPTIONS, ...overrides });
    this.#server = Bun.serve<WsData>({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, server) => this.#handle(req, server),
      websocket: {
        open: (ws) => {
          this.#sockets.add(ws);
          this.#touch(ws);
        },
        message: (ws, msg) => this.#onWsMessage(ws, msg),
        close: (ws) => {
          this.#sockets.delete(ws);
          if (ws.data.idle) clearTimeout(ws.data.idle);
        },
      },
    });
  }

  /** `http://127.0.0.1:PORT`, the SDK's `baseUrl`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** The next HTTP request fails with this ElevenLabs error. */
  failNext(status: number, code: string, message: string): void {
    this.#injected.push({ status, code, message });
  }

  /** The next HTTP request gets headers then no audio until the fake stops (stall). */
  stallNext(): void {
    this.#injected.push("stall");
  }

  async stop(): Promise<void> {
    for (const release of this.#stalled.splice(0)) release();
    for (const ws of this.#sockets) ws.terminate();
    await this.#server.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #handle(req: Request, server: Bun.Server<WsData>): Response | Promise<Response> | undefined {
    const url = new URL(req.url);
    const query = Object.fromEntries(url.searchParams);
    const ws = /^\/v1\/text-to-speech\/([^/]+)\/stream-input$/.exec(url.pathname);
    if (ws?.[1] !== undefined) {
      const voiceId = decodeURIComponent(ws[1]);
      this.requests.push({ kind: "ws-open", voiceId, query, body: null });
      const ok = server.upgrade(req, {
        data: {
          voiceId,
          headerKey: req.headers.get("xi-api-key"),
          authed: false,
          buffer: "",
          schedule: DEFAULT_SCHEDULE,
          scheduleIndex: 0,
          chain: Promise.resolve(),
          sampleCursor: 0,
          ended: false,
          idle: undefined,
        },
      });
      return ok ? undefined : new Response("Upgrade Required", { status: 426 });
    }
    const http = /^\/v1\/text-to-speech\/([^/]+)\/stream$/.exec(url.pathname);
    if (req.method === "POST" && http?.[1] !== undefined) return this.#httpStream(req, decodeURIComponent(http[1]), query);
    return elevenError(404, "not_found", "Not Found");
  }

  async #httpStream(req: Request, voiceId: string, query: Record<string, string>): Promise<Response> {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      body = null;
    }
    this.requests.push({ kind: "http", voiceId, query, body });
    if (req.headers.get("xi-api-key") !== this.options.apiKey) {
      return elevenError(401, "invalid_api_key", "Invalid API key");
    }
    const injected = this.#injected.shift();
    if (injected && injected !== "stall") return elevenError(injected.status, injected.code, injected.message);
    const text = body && typeof body === "object" && "text" in body && typeof body.text === "string" ? body.text : "";
    if (text.trim() === "") {
      return Response.json({ detail: [{ loc: ["body", "text"], msg: "field required", type: "value_error.missing" }] }, { status: 422 });
    }
    if ((query.output_format ?? "mp3_44100_128") !== "ulaw_8000") {
      return elevenError(400, "unsupported_output_format", "The fake only produces ulaw_8000");
    }
    const totalSamples = speechMsFor(text, this.options.msPerChar) * 8;
    const { chunkBytes, chunkIntervalMs, firstByteDelayMs } = this.options;
    let cancelled = false;
    const stalled = injected === "stall";
    const stallRelease = (): Promise<void> => new Promise((r) => this.#stalled.push(r));
    const stream = new ReadableStream<Uint8Array>({
      start: async (controller) => {
        if (stalled) {
          await stallRelease();
          controller.close();
          return;
        }
        await sleep(firstByteDelayMs);
        for (let s = 0; s < totalSamples && !cancelled; s += chunkBytes) {
          if (s > 0) await sleep(chunkIntervalMs);
          if (cancelled) break;
          controller.enqueue(voicedMulaw(s, Math.min(totalSamples, s + chunkBytes)));
        }
        if (!cancelled) controller.close();
      },
      cancel: () => {
        cancelled = true;
      },
    });
    return new Response(stream, { headers: { "Content-Type": "audio/basic", "request-id": crypto.randomUUID() } });
  }

  #touch(ws: ServerWebSocket<WsData>): void {
    if (ws.data.idle) clearTimeout(ws.data.idle);
    ws.data.idle = setTimeout(() => {
      ws.send(JSON.stringify({ message: "Input timeout exceeded", error: "input_timeout_exceeded", code: 1008 }));
      ws.close(1008, "Input timeout exceeded");
    }, this.options.inactivityTimeoutMs);
  }

  #onWsMessage(ws: ServerWebSocket<WsData>, raw: string | Buffer): void {
    const d = ws.data;
    this.#touch(ws);
    let msg: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
      if (!parsed || typeof parsed !== "object") throw new Error("not an object");
      msg = parsed as Record<string, unknown>;
    } catch {
      ws.send(JSON.stringify({ message: "Invalid message", error: "invalid_message", code: 1008 }));
      ws.close(1008, "Invalid message");
      return;
    }
    this.requests.push({ kind: "ws-message", voiceId: d.voiceId, query: {}, body: msg });
    const text = typeof msg.text === "string" ? msg.text : null;
    if (!d.authed) {
      // Protocol: the first message carries " " plus settings and (here or in the header) the key.
      const key = typeof msg.xi_api_key === "string" ? msg.xi_api_key : d.headerKey;
      if (key !== this.options.apiKey) {
        ws.send(JSON.stringify({ message: "Invalid API key", error: "invalid_api_key", code: 1008 }));
        ws.close(1008, "Invalid API key");
        return;
      }
      d.authed = true;
      const gc = msg.generation_config as { chunk_length_schedule?: unknown } | undefined;
      if (gc && Array.isArray(gc.chunk_length_schedule)) d.schedule = gc.chunk_length_schedule.filter((n): n is number => typeof n === "number");
      if (text === " ") return;
    }
    if (text === null) return;
    if (text === "") {
      d.ended = true;
      this.#generate(ws, true);
      return;
    }
    d.buffer += text;
    const threshold = d.schedule[Math.min(d.scheduleIndex, d.schedule.length - 1)] ?? 0;
    if (msg.flush === true || msg.try_trigger_generation === true || d.buffer.length >= threshold) this.#generate(ws, false);
  }

  /** Queues generation of the buffered text; `last` adds the final `isFinal` and closes. */
  #generate(ws: ServerWebSocket<WsData>, last: boolean): void {
    const d = ws.data;
    const text = d.buffer;
    d.buffer = "";
    if (text.trim() !== "") d.scheduleIndex++;
    const { chunkBytes, chunkIntervalMs, firstByteDelayMs, msPerChar } = this.options;
    d.chain = d.chain.then(async () => {
      if (text.trim() !== "") {
        await sleep(firstByteDelayMs);
        const samples = speechMsFor(text, msPerChar) * 8;
        const chars = [...text];
        const perCharMs = samples / 8 / Math.max(1, chars.length);
        for (let s = 0; s < samples; s += chunkBytes) {
          if (s > 0) await sleep(chunkIntervalMs);
          if (!this.#sockets.has(ws)) return;
          const end = Math.min(samples, s + chunkBytes);
          const audio = voicedMulaw(d.sampleCursor + s, d.sampleCursor + end);
          const alignment =
            s === 0
              ? {
                  chars,
                  charStartTimesMs: chars.map((_, i) => Math.round(i * perCharMs)),
                  charDurationsMs: chars.map(() => Math.round(perCharMs)),
                }
              : null;
          ws.send(JSON.stringify({ audio: Buffer.from(audio).toString("base64"), isFinal: null, normalizedAlignment: alignment, alignment }));
        }
        d.sampleCursor += samples;
      }
      if (last && this.#sockets.has(ws)) {
        ws.send(JSON.stringify({ isFinal: true }));
        ws.close(1000, "");
      }
    });
  }
}

/** Starts the fake on 127.0.0.1, port 0. */
export function startElevenLabsFake(overrides: Partial<ElevenLabsFakeOptions> = {}): ElevenLabsFake {
  return new ElevenLabsFake(overrides);
}
