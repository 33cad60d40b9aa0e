/**
 * A Twilio Media Streams client, as Twilio behaves towards our media websocket: it signs the
 * upgrade with X-Twilio-Signature, streams a recorded call (FIXTURES.md) at real time or faster,
 * plays our outbound audio at real rate (20 ms per 160 bytes, scaled by `speed`), sends each
 * `mark` back when the audio queued before it has played, and on `clear` empties its buffer and
 * returns every pending mark at once. Everything received is recorded with its time. Optionally
 * mixes an attenuated echo of our audio into its inbound stream (a speakerphone).
 */
import { decodeMulaw, encodeMulawSample } from "../../engine/audio/mulaw.ts";
import { computeTwilioSignature } from "../../providers/telephony/signature.ts";

/** One line of a fixture, as parsed from NDJSON. */
export interface FixtureEvent {
  readonly kind: string;
  readonly t?: number;
  readonly msg?: unknown;
}

/** Options of the media client. */
export interface TwilioMediaClientOptions {
  /** Where to connect (may be ws:// on loopback). */
  readonly url: string;
  /** The exact wss:// URL from the TwiML that Twilio signs; defaults to `url`. */
  readonly signedUrl: string;
  /** Account auth token used for X-Twilio-Signature; "" = do not sign. */
  readonly authToken: string;
  /** Fixture events (header and non-`twilio` lines are ignored; recorded marks are not replayed). */
  readonly fixture: readonly FixtureEvent[];
  /** Replaces `start.customParameters` (callId, token). */
  readonly customParameters: Readonly<Record<string, string>>;
  /** 1 = real time, 10 = ten times faster, Infinity = as fast as possible. */
  readonly speed: number;
  /** Echo of our audio mixed into inbound frames, linear gain (0 = off). */
  readonly echoGain: number;
  /** Wall clock, ms. */
  readonly nowMs: () => number;
}

/** Defaults: real time, no echo, unsigned. */
export const DEFAULT_TWILIO_MEDIA_CLIENT_OPTIONS: Omit<TwilioMediaClientOptions, "url" | "fixture"> = Object.freeze({
  signedUrl: "",
  authToken: "",
  customParameters: Object.freeze({}),
  speed: 1,
  echoGain: 0,
  nowMs: () => performance.now(),
});

/** A message from the gateway, with when it arrived (ms since connect). */
export interface ReceivedMessage {
  readonly atMs: number;
  readonly msg: { readonly event: string; readonly [k: string]: unknown };
}

const FRAME_BYTES = 160;
const FRAME_MS = 20;

type Queued = { readonly audio: Uint8Array } | { readonly mark: string };

/** Reads an NDJSON fixture text into events. */
export function parseFixture(text: string): FixtureEvent[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as FixtureEvent);
}

/** The running client. */
export class TwilioMediaClient implements AsyncDisposable {
  readonly options: TwilioMediaClientOptions;
  readonly received: ReceivedMessage[] = [];
  /** Mu-law bytes of our audio actually played (not cleared). */
  playedBytes = 0;
  /**
   * Frames that ran short of audio in the middle of a phrase (after some of it played, before its
   * mark): the gateway's outbound audio starved and the caller heard a gap.
   */
  underruns = 0;
  #midPhrase = false;
  /** When our audio started and stopped being heard: [startMs, endMs] runs, ms since connect. */
  readonly playbackRuns: Array<[number, number]> = [];
  #playing = false;
  /** Marks echoed back, in order, with whether they came from a clear. */
  readonly marksEchoed: Array<{ name: string; cleared: boolean }> = [];
  readonly #ws: WebSocket;
  readonly #queue: Queued[] = [];
  readonly #startMs: number;
  #seq = 0;
  #timers = new Set<ReturnType<typeof setTimeout>>();
  #playout: ReturnType<typeof setInterval> | undefined;
  #lastPlayed: Int16Array | null = null;
  #streamSid = "MZ00000000000000000000000000000000";
  readonly #opened = Promise.withResolvers<void>();
  readonly #closed = Promise.withResolvers<{ code: number; reason: string }>();
  readonly #finishedStreaming = Promise.withResolvers<void>();

  constructor(options: Partial<TwilioMediaClientOptions> & Pick<TwilioMediaClientOptions, "url" | "fixture">) {
    this.options = Object.freeze({ ...DEFAULT_TWILIO_MEDIA_CLIENT_OPTIONS, ...options });
    const signedUrl = this.options.signedUrl || this.options.url;
    const headers: Record<string, string> = {};
    if (this.options.authToken !== "") headers["X-Twilio-Signature"] = computeTwilioSignature(this.options.authToken, signedUrl, {});
    this.#startMs = this.options.nowMs();
    this.#ws = new WebSocket(this.options.url, { headers });
    this.#ws.onopen = () => {
      this.#opened.resolve();
      this.#startPlayout();
      this.#schedule();
    };
    this.#ws.onmessage = (ev) => this.#onMessage(ev.data);
    this.#ws.onclose = (ev) => {
      this.#opened.reject(new Error(`closed before open: ${ev.code}`));
      this.#stopTimers();
      this.#closed.resolve({ code: ev.code, reason: ev.reason });
    };
    this.#opened.promise.catch(() => undefined);
  }

  /** Resolves when the socket is open (rejects if it closes first, e.g. a refused upgrade). */
  get opened(): Promise<void> {
    return this.#opened.promise;
  }

  /** Resolves with the close code and reason. */
  get closed(): Promise<{ code: number; reason: string }> {
    return this.#closed.promise;
  }

  /** Resolves after the last fixture message was sent. */
  get finishedStreaming(): Promise<void> {
    return this.#finishedStreaming.promise;
  }

  /** Outbound audio queued and not yet played, bytes. */
  get bufferedBytes(): number {
    return this.#queue.reduce((n, q) => n + ("audio" in q ? q.audio.byteLength : 0), 0);
  }

  /** Sends a Twilio message now (tests can inject dtmf, stop …). */
  send(msg: Record<string, unknown>): void {
    if (this.#ws.readyState !== WebSocket.OPEN) return;
    this.#ws.send(JSON.stringify({ ...msg, sequenceNumber: String(++this.#seq) }));
  }

  close(code = 1000): void {
    this.#stopTimers();
    this.#ws.close(code);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.#ws.readyState === WebSocket.OPEN || this.#ws.readyState === WebSocket.CONNECTING) this.close();
    await this.#closed.promise;
  }

  #elapsed(): number {
    return this.options.nowMs() - this.#startMs;
  }

  /** Sends the fixture's Twilio messages at `t / speed`. */
  #schedule(): void {
    const events = this.options.fixture.filter((e): e is FixtureEvent & { msg: Record<string, unknown> } => e.kind === "twilio" && !!e.msg && typeof e.msg === "object");
    const replay = events.filter((e) => e.msg.event !== "mark");
    const speed = this.options.speed;
    let i = 0;
    const t0 = this.options.nowMs();
    const step = (): void => {
      while (i < replay.length) {
        const e = replay[i];
        if (!e) break;
        const due = Number.isFinite(speed) ? (e.t ?? 0) / speed : 0;
        const wait = due - (this.options.nowMs() - t0);
        if (wait > 1) {
          const timer = setTimeout(() => {
            this.#timers.delete(timer);
            step();
          }, wait);
          this.#timers.add(timer);
          return;
        }
        this.#sendFixture(e.msg);
        i++;
      }
      this.#finishedStreaming.resolve();
    };
    step();
  }

  #sendFixture(msg: Record<string, unknown>): void {
    let out = msg;
    if (msg.event === "start") {
      const start = (msg.start ?? {}) as Record<string, unknown>;
      if (typeof msg.streamSid === "string") this.#streamSid = msg.streamSid;
      out = { ...msg, start: { ...start, customParameters: { ...this.options.customParameters } } };
    }
    if (msg.event === "media" && this.options.echoGain > 0 && this.#lastPlayed) {
      const media = msg.media as { payload?: string } & Record<string, unknown>;
      if (typeof media.payload === "string") out = { ...msg, media: { ...media, payload: this.#mixEcho(media.payload) } };
    }
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(out));
  }

  #mixEcho(payload: string): string {
    const inbound = decodeMulaw(Uint8Array.from(Buffer.from(payload, "base64")));
    const echo = this.#lastPlayed ?? new Int16Array(0);
    const out = new Uint8Array(inbound.length);
    for (let k = 0; k < inbound.length; k++) {
      const mixed = (inbound[k] ?? 0) + this.options.echoGain * (echo[k] ?? 0);
      out[k] = encodeMulawSample(Math.max(-32768, Math.min(32767, Math.round(mixed))));
    }
    return Buffer.from(out).toString("base64");
  }

  #onMessage(data: unknown): void {
    let msg: ReceivedMessage["msg"];
    try {
      msg = JSON.parse(String(data)) as ReceivedMessage["msg"];
    } catch {
      return;
    }
    this.received.push({ atMs: this.#elapsed(), msg });
    if (msg.event === "media") {
      const payload = (msg.media as { payload?: unknown } | undefined)?.payload;
      if (typeof payload === "string") this.#queue.push({ audio: Uint8Array.from(Buffer.from(payload, "base64")) });
    } else if (msg.event === "mark") {
      const name = (msg.mark as { name?: unknown } | undefined)?.name;
      if (typeof name === "string") this.#queue.push({ mark: name });
      this.#drainMarks();
    } else if (msg.event === "clear") {
      // Twilio empties its buffer and returns every pending mark at once.
      for (const q of this.#queue.splice(0)) if ("mark" in q) this.#echoMark(q.mark, true);
    }
  }

  #echoMark(name: string, cleared: boolean): void {
    this.#midPhrase = false;
    this.marksEchoed.push({ name, cleared });
    this.send({ event: "mark", streamSid: this.#streamSid, mark: { name } });
  }

  /** Marks at the head of the queue have had all audio before them played. */
  #drainMarks(): void {
    while (this.#queue[0] && "mark" in this.#queue[0]) {
      const q = this.#queue.shift();
      if (q && "mark" in q) this.#echoMark(q.mark, false);
    }
  }

  /**
   * Plays 160 bytes per 20 ms (scaled by speed) at a constant rate, like a phone line: the number
   * of frames played follows the wall clock, so a late timer plays the frames it owes at once
   * instead of slowing playback down (which would hide a starving sender).
   */
  #startPlayout(): void {
    const intervalMs = Number.isFinite(this.options.speed) ? FRAME_MS / this.options.speed : 1;
    const t0 = this.options.nowMs();
    let framesPlayed = 0;
    this.#playout = setInterval(() => {
      const due = Number.isFinite(this.options.speed) ? Math.floor((this.options.nowMs() - t0) / intervalMs) : framesPlayed + 1;
      const owed = due - framesPlayed;
      if (owed <= 0) return;
      // Bounded catch-up: a long stall of this process itself is not the sender's fault.
      for (let n = Math.min(owed, 10); n > 0; n--) this.#playFrame();
      framesPlayed = due;
    }, Math.max(1, intervalMs));
  }

  #playFrame(): void {
    this.#drainMarks();
    let need = FRAME_BYTES;
    const frame = new Uint8Array(FRAME_BYTES).fill(0xff);
    while (need > 0) {
      const head = this.#queue[0];
      if (!head || "mark" in head) break;
      const take = Math.min(need, head.audio.byteLength);
      frame.set(head.audio.subarray(0, take), FRAME_BYTES - need);
      need -= take;
      if (take === head.audio.byteLength) this.#queue.shift();
      else this.#queue[0] = { audio: head.audio.subarray(take) };
    }
    const played = FRAME_BYTES - need;
    this.playedBytes += played;
    if (played > 0) this.#midPhrase = true;
    const now = this.#elapsed();
    if (played > 0 && !this.#playing) this.playbackRuns.push([now, now]);
    if (played > 0) this.playbackRuns[this.playbackRuns.length - 1]![1] = now;
    this.#playing = played > 0;
    if (played < FRAME_BYTES && this.#midPhrase && this.#queue.length === 0) this.underruns++;
    this.#lastPlayed = played > 0 ? decodeMulaw(frame) : null;
    this.#drainMarks();
  }

  #stopTimers(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#playout) clearInterval(this.#playout);
    this.#playout = undefined;
  }
}

/** Connects a media client. Await `client.opened` before asserting on the gateway side. */
export function connectTwilioMediaClient(
  options: Partial<TwilioMediaClientOptions> & Pick<TwilioMediaClientOptions, "url" | "fixture">,
): TwilioMediaClient {
  return new TwilioMediaClient(options);
}
