/**
 * A fake of Deepgram's live speech-to-text websocket (`/v1/listen`) for tests, benchmarks and the
 * simulated mode. It checks `Authorization: Token <key>`, takes binary mu-law 8 kHz, and answers
 * from a script in audio time (see deepgram-script.ts) after a configurable wall-clock latency.
 * It honours KeepAlive, Finalize (`from_finalize: true`) and CloseStream (finals, Metadata, close
 * 1000), closes 1011 after `idleTimeoutMs` without any message (Deepgram's NET-0001), and can
 * drop its connections on demand to exercise the client's reconnection.
 */
import type { ServerWebSocket } from "bun";
import { type DeepgramMessage, type ScriptedUtterance, ScriptedTranscriber } from "./deepgram-script.ts";

export type { ScriptedUtterance } from "./deepgram-script.ts";

/** What a script function learns about a connection. */
export interface DeepgramConnectionContext {
  /** Value of the `tag` query parameter (the gateway passes its call id), or null. */
  readonly tag: string | null;
  /** 0 for the first connection the fake accepted, then 1, 2, … */
  readonly connectionIndex: number;
  readonly query: URLSearchParams;
}

/** Options of the Deepgram fake. */
export interface DeepgramFakeOptions {
  readonly apiKey: string;
  /** Utterances in the connection's audio ms, or a function choosing them per connection. */
  readonly script: readonly ScriptedUtterance[] | ((ctx: DeepgramConnectionContext) => readonly ScriptedUtterance[]);
  /** Wall-clock delay between the audio that makes a message due and its sending, ms. */
  readonly resultLatencyMs: number;
  /** Close 1011 after this long without any client message, wall ms (Deepgram: 10 s). */
  readonly idleTimeoutMs: number;
  /** Minimum audio between interim results, ms. */
  readonly interimIntervalMs: number;
  /** Use this endpointing instead of the `endpointing` query parameter, audio ms. */
  readonly endpointingMsOverride: number | null;
}

/** Defaults: Deepgram's 10 s idle close, results sent at once, no speech scripted. */
export const DEFAULT_DEEPGRAM_FAKE_OPTIONS: DeepgramFakeOptions = Object.freeze({
  apiKey: "fake-deepgram-key",
  script: Object.freeze([]) as readonly ScriptedUtterance[],
  resultLatencyMs: 0,
  idleTimeoutMs: 10_000,
  interimIntervalMs: 250,
  endpointingMsOverride: null,
});

/** One accepted connection, for assertions. */
export interface DeepgramFakeConnection {
  readonly index: number;
  readonly query: URLSearchParams;
  /** Mu-law bytes received. */
  bytesReceived: number;
  /** Text frames received (KeepAlive, Finalize, CloseStream …), parsed `type`s. */
  readonly controls: string[];
  /** Messages sent, in order. */
  readonly sent: DeepgramMessage[];
  /** Close code once closed (1006 when dropped without a close frame). */
  closeCode: number | null;
}

interface SocketData {
  readonly conn: DeepgramFakeConnection;
  readonly transcriber: ScriptedTranscriber;
  idleTimer: ReturnType<typeof setTimeout> | undefined;
  closing: boolean;
}

const BYTES_PER_MS = 8; // mu-law, 8000 samples/s, one byte per sample

/** The running fake. */
export class DeepgramFake implements AsyncDisposable {
  readonly options: DeepgramFakeOptions;
  readonly connections: DeepgramFakeConnection[] = [];
  readonly #server: ReturnType<typeof Bun.serve<SocketData>>;
  readonly #open = new Set<ServerWebSocket<SocketData>>();
  readonly #waiters: Array<{ index: number; resolve: (c: DeepgramFakeConnection) => void }> = [];
  #refuseUpgrades = 0;
  readonly #watchers = new Set<() => void>();

  constructor(overrides: Partial<DeepgramFakeOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_DEEPGRAM_FAKE_OPTIONS, ...overrides });
    this.#server = Bun.serve<SocketData>({
      hostname: "127.0.0.1",
      port: 0,
      fetch: (req, server) => this.#upgrade(req, server),
      websocket: {
        open: (ws) => this.#onOpen(ws),
        message: (ws, message) => this.#onMessage(ws, message),
        close: (ws, code) => this.#onClose(ws, code),
      },
    });
  }

  /** `http://127.0.0.1:PORT`, the SDK's `baseUrl`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.port}`;
  }

  /** Resolves with connection `index` once it is accepted (0 = first ever). */
  connection(index: number): Promise<DeepgramFakeConnection> {
    const existing = this.connections[index];
    if (existing) return Promise.resolve(existing);
    const { promise, resolve } = Promise.withResolvers<DeepgramFakeConnection>();
    this.#waiters.push({ index, resolve });
    return promise;
  }

  /** Resolves once `predicate()` holds, re-checked after every message received or sent. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    const check = (): void => {
      if (!predicate()) return;
      this.#watchers.delete(check);
      resolve();
    };
    this.#watchers.add(check);
    return promise;
  }

  #changed(): void {
    for (const w of [...this.#watchers]) w();
  }

  /** Drops every open connection: `close` sends a 1011 close frame, `terminate` cuts TCP. */
  drop(mode: "close" | "terminate" = "terminate"): void {
    for (const ws of this.#open) {
      if (mode === "close") ws.close(1011, "fake: dropped");
      else ws.terminate();
    }
  }

  /** The next `count` upgrade attempts are refused with HTTP 503. */
  refuseUpgrades(count: number): void {
    this.#refuseUpgrades = count;
  }

  async stop(): Promise<void> {
    for (const ws of this.#open) {
      if (ws.data.idleTimer) clearTimeout(ws.data.idleTimer);
      ws.terminate();
    }
    await this.#server.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  #upgrade(req: Request, server: Bun.Server<SocketData>): Response | undefined {
    const url = new URL(req.url);
    const requestId = crypto.randomUUID();
    if (url.pathname !== "/v1/listen") return new Response("Not Found", { status: 404 });
    if (req.headers.get("authorization") !== `Token ${this.options.apiKey}`) {
      return Response.json(
        { err_code: "INVALID_AUTH", err_msg: "Invalid credentials.", request_id: requestId },
        { status: 401, headers: { "dg-error": "Invalid credentials." } },
      );
    }
    if (this.#refuseUpgrades > 0) {
      this.#refuseUpgrades--;
      return Response.json({ err_code: "SERVICE_UNAVAILABLE", err_msg: "fake: refused", request_id: requestId }, { status: 503 });
    }
    const index = this.connections.length;
    const conn: DeepgramFakeConnection = { index, query: url.searchParams, bytesReceived: 0, controls: [], sent: [], closeCode: null };
    const q = url.searchParams;
    const ctx: DeepgramConnectionContext = { tag: q.get("tag"), connectionIndex: index, query: q };
    const script = typeof this.options.script === "function" ? this.options.script(ctx) : this.options.script;
    const endpointing = q.get("endpointing");
    const utteranceEnd = q.get("utterance_end_ms");
    const transcriber = new ScriptedTranscriber(
      script,
      {
        // Deepgram's default endpointing is 10 ms; "false" disables it.
        endpointingMs: this.options.endpointingMsOverride ?? (endpointing === "false" ? Infinity : Number(endpointing ?? 10)),
        utteranceEndMs: utteranceEnd === null ? null : Number(utteranceEnd),
        interimIntervalMs: this.options.interimIntervalMs,
        interimResults: q.get("interim_results") === "true",
        vadEvents: q.get("vad_events") === "true",
      },
      requestId,
    );
    const ok = server.upgrade(req, {
      data: { conn, transcriber, idleTimer: undefined, closing: false },
      headers: { "dg-request-id": requestId },
    });
    if (!ok) return new Response("Upgrade Required", { status: 426 });
    this.connections.push(conn);
    return undefined;
  }

  #onOpen(ws: ServerWebSocket<SocketData>): void {
    this.#open.add(ws);
    this.#touch(ws);
    const conn = ws.data.conn;
    for (let i = this.#waiters.length - 1; i >= 0; i--) {
      const w = this.#waiters[i];
      if (w && w.index === conn.index) {
        this.#waiters.splice(i, 1);
        w.resolve(conn);
      }
    }
    this.#changed();
  }

  #onMessage(ws: ServerWebSocket<SocketData>, message: string | Buffer): void {
    const d = ws.data;
    if (d.closing) return;
    this.#touch(ws);
    if (typeof message !== "string") {
      d.conn.bytesReceived += message.byteLength;
      this.#send(ws, d.transcriber.advance(d.conn.bytesReceived / BYTES_PER_MS));
      this.#changed();
      return;
    }
    let type = "invalid";
    try {
      const parsed: unknown = JSON.parse(message);
      if (parsed && typeof parsed === "object" && "type" in parsed && typeof parsed.type === "string") type = parsed.type;
    } catch {
      // Deepgram answers unknown text frames with an error and keeps going; we just record it.
    }
    d.conn.controls.push(type);
    this.#changed();
    if (type === "Finalize") this.#send(ws, d.transcriber.finalize());
    else if (type === "CloseStream") {
      d.closing = true;
      this.#send(ws, [...d.transcriber.finalize(), d.transcriber.metadata()], () => ws.close(1000, "CloseStream"));
    }
  }

  #onClose(ws: ServerWebSocket<SocketData>, code: number): void {
    this.#open.delete(ws);
    if (ws.data.idleTimer) clearTimeout(ws.data.idleTimer);
    ws.data.conn.closeCode = code;
    this.#changed();
  }

  /** Restarts the NET-0001 idle timer. */
  #touch(ws: ServerWebSocket<SocketData>): void {
    if (ws.data.idleTimer) clearTimeout(ws.data.idleTimer);
    ws.data.idleTimer = setTimeout(() => {
      ws.close(1011, "Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001");
    }, this.options.idleTimeoutMs);
  }

  #send(ws: ServerWebSocket<SocketData>, messages: DeepgramMessage[], then?: () => void): void {
    if (messages.length === 0 && !then) return;
    const deliver = (): void => {
      for (const m of messages) {
        if (!this.#open.has(ws)) return;
        ws.data.conn.sent.push(m);
        ws.send(JSON.stringify(m));
      }
      this.#changed();
      then?.();
    };
    if (this.options.resultLatencyMs <= 0) deliver();
    else setTimeout(deliver, this.options.resultLatencyMs);
  }
}

/** Starts the fake on 127.0.0.1, port 0. */
export function startDeepgramFake(overrides: Partial<DeepgramFakeOptions> = {}): DeepgramFake {
  return new DeepgramFake(overrides);
}
