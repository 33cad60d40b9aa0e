/**
 * Agent audio out: mu-law phrases are framed into 20 ms media messages, each phrase followed by a
 * mark named `<replyId>.<phrase>`. Twilio queues what we send and plays it in order; it echoes a
 * mark once the audio before it has played, and on `clear` it flushes its queue and echoes every
 * pending mark at once (PROTOCOLS.md). So a mark echo means "played" only if we did not clear.
 *
 * Pacing: frames are sent at most `leadMs` (host time) ahead of their estimated playback, not a
 * whole phrase at once. Twilio plays whatever it has buffered, so a shallow buffer is what lets a
 * `hold` (stop sending: the caller may be interrupting) silence the agent within `leadMs`, and
 * lets `resume` continue exactly where the caller stopped hearing (a backchannel, a cough), with
 * nothing to re-send. The host must honour the engine's `wake` for the next send.
 *
 * The playout keeps, in audio time, an estimate of when each phrase starts playing (when it was
 * sent, or when the audio queued before it ends, re-anchored by each mark echo). That estimate
 * says whether the agent is audible right now (barge-in), what the outbound signal is at each
 * inbound frame (echo check), and, when cut, how much of the phrase was heard.
 *
 * Audio of a held reply (a speculative one) is kept, not sent, until released or dropped.
 * Nothing is allocated per frame beyond the outgoing message (the payload is a view of the
 * phrase's own copy whenever the frame lies inside one chunk).
 */
import { MULAW_DECODE_TABLE, MULAW_SILENCE } from "./audio/mulaw.ts";
import { heardText } from "./heard-text.ts";
import type { PhraseWord, TwilioOutbound } from "./types.ts";

const FRAME_BYTES = 160;
const FRAME_MS = 20;

/** |sample| of each mu-law code, for the outbound level (no decode + abs per sample). */
const MULAW_ABS = new Uint16Array(256);
for (let i = 0; i < 256; i++) {
  const v = MULAW_DECODE_TABLE[i]!;
  MULAW_ABS[i] = v < 0 ? -v : v;
}

/** Playout options; times in ms. */
export interface PlayoutOptions {
  /**
   * Host ms of audio sent ahead of its estimated playback. Twilio's buffer stays this shallow, so
   * a hold silences the agent within it. Must exceed the uplink's latency jitter, or Twilio runs
   * dry between frames. `Infinity` sends everything as soon as it arrives. Default 100.
   */
  leadMs: number;
}

/** Defaults (see each field). */
export const DEFAULT_PLAYOUT_OPTIONS: Readonly<PlayoutOptions> = Object.freeze({ leadMs: 100 });

/** Where framed messages go, and who wants to know what plays when. */
export interface PlayoutSink {
  send(msg: TwilioOutbound): void;
  /** A frame with mean absolute amplitude `level` (PCM16 units) will play at audio frame `frameIndex`. */
  scheduled(frameIndex: number, level: number): void;
}

interface Phrase {
  index: number;
  text: string;
  words: readonly PhraseWord[] | undefined;
  /** Audio not yet sent, oldest first; `chunkOffset` bytes of the first are already sent. */
  chunks: Uint8Array[];
  chunkOffset: number;
  /** Bytes received and not yet sent. */
  queued: number;
  done: boolean;
  /** Bytes already framed and sent. */
  sentBytes: number;
  /** Estimated audio ms its first frame starts playing, shifted by any gap in sending (NaN before sent). */
  startMs: number;
  markSent: boolean;
  played: boolean;
}

interface Reply {
  id: string;
  held: boolean;
  done: boolean;
  phrases: Phrase[];
  /** Index of the first phrase whose mark is not sent yet. */
  next: number;
  firstSentMs: number;
  cut: boolean;
}

/** What a cut did. */
export interface CutResult {
  readonly replyId: string;
  readonly heardText: string;
}

/** Counters for the replay report. */
export interface PlayoutStats {
  media: number;
  marks: number;
  clears: number;
}

/** See the file comment. */
export class Playout {
  readonly options: Readonly<PlayoutOptions>;
  readonly stats: PlayoutStats = { media: 0, marks: 0, clears: 0 };
  /** Replies in the order they were opened (sending order). */
  private readonly replies: Reply[] = [];
  /** Estimated audio ms at which everything sent so far will have played. */
  private playheadEndMs = 0;
  /** Audio ms at which the current stretch of sent audio starts playing. */
  private stretchStartMs = 0;
  /** Estimated host ms at which Twilio will have played everything sent so far. */
  private hostPlayEndMs = -Infinity;
  /** Marks sent for live replies and not yet echoed. */
  private pendingMarks = 0;
  /** Sending stopped by `hold`. */
  private holding = false;
  /** Host ms of the next send (null: nothing waits on time). */
  private wakeHostMs: number | null = null;

  constructor(
    private readonly sink: PlayoutSink,
    private readonly streamSid: () => string,
    opts: Partial<PlayoutOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_PLAYOUT_OPTIONS, ...opts });
  }

  private find(replyId: string): Reply | undefined {
    for (const r of this.replies) if (r.id === replyId) return r;
    return undefined;
  }

  private remove(r: Reply): void {
    const i = this.replies.indexOf(r);
    if (i >= 0) this.replies.splice(i, 1);
  }

  /** Register a reply; a held one buffers its audio until `release`. */
  open(replyId: string, held: boolean): void {
    const old = this.find(replyId);
    if (old) this.remove(old);
    this.replies.push({ id: replyId, held, done: false, phrases: [], next: 0, firstSentMs: Number.NaN, cut: false });
  }

  /** Is this reply known and not cut? */
  has(replyId: string): boolean {
    const r = this.find(replyId);
    return r !== undefined && !r.cut;
  }

  /**
   * Audio for a reply (a phrase, or a chunk of one when `phraseDone` is false). Returns false if
   * unknown. Nothing is sent until `pump`.
   */
  add(
    replyId: string,
    bytes: Uint8Array,
    text: string,
    phraseDone: boolean,
    words: readonly PhraseWord[] | undefined,
  ): boolean {
    const r = this.find(replyId);
    if (!r || r.cut) return false;
    let p = r.phrases[r.phrases.length - 1];
    if (!p || p.done) {
      p = {
        index: r.phrases.length,
        text,
        words,
        chunks: [],
        chunkOffset: 0,
        queued: 0,
        done: false,
        sentBytes: 0,
        startMs: Number.NaN,
        markSent: false,
        played: false,
      };
      r.phrases.push(p);
    }
    if (words) p.words = words;
    // A chunk may be a view of the host's buffer: keep our own copy (frames are views of it).
    if (bytes.length > 0) p.chunks.push(bytes.slice());
    p.queued += bytes.length;
    p.done = phraseDone;
    return true;
  }

  /** No more audio will come for this reply. */
  finish(replyId: string): void {
    const r = this.find(replyId);
    if (!r) return;
    r.done = true;
    const last = r.phrases[r.phrases.length - 1];
    if (last && !last.done) last.done = true;
  }

  /** Start sending a held reply (at the next `pump`). */
  release(replyId: string): void {
    const r = this.find(replyId);
    if (r) r.held = false;
  }

  /** Forget a reply that was never sent (a discarded speculation). */
  drop(replyId: string): void {
    const r = this.find(replyId);
    if (r) this.remove(r);
  }

  /** Audio ms when the reply's first frame was sent, NaN if not yet. */
  firstSentMs(replyId: string): number {
    return this.find(replyId)?.firstSentMs ?? Number.NaN;
  }

  /** Stop sending (the caller may be interrupting): the agent falls silent once Twilio's shallow buffer has played. */
  hold(): void {
    this.holding = true;
    this.wakeHostMs = null;
  }

  /** Is sending stopped by `hold`? */
  get held(): boolean {
    return this.holding;
  }

  /** Send again from where the hold stopped (at the next `pump`). */
  resume(): void {
    this.holding = false;
  }

  /** Host ms at which `pump` has more to send, or null. */
  get nextSendHostMs(): number | null {
    return this.wakeHostMs;
  }

  /**
   * Send what is due at host ms `hostMs` (audio ms `audioMs`): frames of unheld replies, in
   * order, until `leadMs` of audio is queued ahead of playback.
   */
  pump(hostMs: number, audioMs: number): void {
    this.wakeHostMs = null;
    if (this.holding) return;
    const lead = this.options.leadMs;
    for (let i = 0; i < this.replies.length; i++) {
      const r = this.replies[i]!;
      if (r.held || r.cut) continue;
      while (r.next < r.phrases.length) {
        const p = r.phrases[r.next]!;
        while (p.queued >= FRAME_BYTES || (p.done && p.queued > 0)) {
          // Send a frame only if, once sent, at most `lead` ms are queued ahead of playback.
          if (this.hostPlayEndMs + FRAME_MS - hostMs > lead) {
            this.wakeHostMs = this.hostPlayEndMs + FRAME_MS - lead;
            return;
          }
          this.sendFrame(r, p, hostMs, audioMs);
        }
        if (!p.done) break; // the rest of this phrase has not arrived: later phrases wait
        if (!p.markSent) {
          if (Number.isNaN(p.startMs)) p.startMs = Math.max(audioMs, this.playheadEndMs); // empty phrase
          p.markSent = true;
          this.pendingMarks++;
          this.sink.send({ event: "mark", streamSid: this.streamSid(), name: `${r.id}.${p.index}` });
          this.stats.marks++;
        }
        r.next++;
      }
    }
  }

  private sendFrame(r: Reply, p: Phrase, hostMs: number, audioMs: number): void {
    const payload = this.takeFrame(p);
    let sum = 0;
    for (let i = 0; i < FRAME_BYTES; i += 2) sum += MULAW_ABS[payload[i]!]!;
    let startMs = this.playheadEndMs;
    if (audioMs > startMs) {
      // Nothing queued at Twilio: a new stretch of sound starts now.
      startMs = audioMs;
      this.stretchStartMs = audioMs;
    }
    if (Number.isNaN(p.startMs)) p.startMs = startMs;
    else {
      // A gap in sending (a hold, slow TTS) delays the rest of the phrase.
      const expected = p.startMs + (p.sentBytes * FRAME_MS) / FRAME_BYTES;
      if (startMs > expected) p.startMs += startMs - expected;
    }
    if (Number.isNaN(r.firstSentMs)) r.firstSentMs = audioMs;
    p.sentBytes += FRAME_BYTES;
    this.playheadEndMs = startMs + FRAME_MS;
    this.hostPlayEndMs = (this.hostPlayEndMs > hostMs ? this.hostPlayEndMs : hostMs) + FRAME_MS;
    this.sink.scheduled(Math.round(startMs / FRAME_MS), (2 * sum) / FRAME_BYTES);
    this.sink.send({ event: "media", streamSid: this.streamSid(), payload });
    this.stats.media++;
  }

  /** The next 160 bytes of the phrase (a finished phrase's tail padded with silence). */
  private takeFrame(p: Phrase): Uint8Array {
    const first = p.chunks[0]!;
    if (first.length - p.chunkOffset >= FRAME_BYTES) {
      const view = first.subarray(p.chunkOffset, p.chunkOffset + FRAME_BYTES);
      p.chunkOffset += FRAME_BYTES;
      if (p.chunkOffset === first.length) {
        p.chunks.shift();
        p.chunkOffset = 0;
      }
      p.queued -= FRAME_BYTES;
      return view;
    }
    const out = new Uint8Array(FRAME_BYTES);
    const n = p.queued < FRAME_BYTES ? p.queued : FRAME_BYTES;
    let o = 0;
    while (o < n) {
      const c = p.chunks[0]!;
      const take = Math.min(c.length - p.chunkOffset, n - o);
      out.set(c.subarray(p.chunkOffset, p.chunkOffset + take), o);
      o += take;
      p.chunkOffset += take;
      if (p.chunkOffset === c.length) {
        p.chunks.shift();
        p.chunkOffset = 0;
      }
    }
    if (n < FRAME_BYTES) out.fill(MULAW_SILENCE, n);
    p.queued -= n;
    return out;
  }

  /**
   * A mark echo arrived at audio ms `nowMs`. Returns the reply id when this mark completes the
   * reply's playback (all phrases played and no more audio coming), else null.
   */
  markEchoed(name: string, nowMs: number): string | null {
    const dot = name.lastIndexOf(".");
    const r = this.find(name.slice(0, dot));
    if (!r || r.cut) return null; // echoes of cleared marks are not "played"
    const p = r.phrases[Number(name.slice(dot + 1))];
    if (!p || p.played || !p.markSent) return null;
    p.played = true;
    this.pendingMarks--;
    // Re-anchor the schedule: playback runs later than estimated when the network is slow.
    const estEnd = p.startMs + (p.sentBytes * FRAME_MS) / FRAME_BYTES;
    const late = nowMs - estEnd;
    if (late > 0) {
      this.playheadEndMs += late;
      for (const q of r.phrases) if (!q.played && !Number.isNaN(q.startMs)) q.startMs += late;
    }
    if (r.done && r.next === r.phrases.length && r.phrases.every((q) => q.played)) {
      this.remove(r);
      return r.id;
    }
    return null;
  }

  /** Is any agent audio audible at audio ms `nowMs` (sent, started, not yet played out)? */
  isPlaying(nowMs: number): boolean {
    if (nowMs < this.stretchStartMs) return false;
    return nowMs < this.playheadEndMs || this.pendingMarks > 0;
  }

  /** Does this reply still have audio to play (sent or coming)? */
  active(replyId: string): boolean {
    const r = this.find(replyId);
    return r !== undefined && !r.cut;
  }

  /**
   * Cut every unheld reply at audio ms `nowMs` (the caller barged in): emits `clear` through the
   * sink, stops framing, and returns, per reply that had audio sent, what the caller heard.
   */
  cutAll(nowMs: number): CutResult[] {
    const out: CutResult[] = [];
    let sentAny = false;
    for (const r of this.replies) {
      if (r.held || r.cut) continue;
      r.cut = true;
      const parts: string[] = [];
      for (const p of r.phrases) {
        if (p.sentBytes === 0) break;
        sentAny = true;
        const sentMs = (p.sentBytes * FRAME_MS) / FRAME_BYTES;
        const totalMs = ((p.sentBytes + p.queued) * FRAME_MS) / FRAME_BYTES;
        const played = p.played ? totalMs : Math.max(0, Math.min(sentMs, nowMs - p.startMs));
        const h = heardText(p.text, played, totalMs, p.words);
        if (h) parts.push(h);
        if (played < totalMs) break;
      }
      out.push({ replyId: r.id, heardText: parts.join(" ") });
    }
    for (let i = this.replies.length - 1; i >= 0; i--) if (this.replies[i]!.cut) this.replies.splice(i, 1);
    if (sentAny) {
      this.sink.send({ event: "clear", streamSid: this.streamSid() });
      this.stats.clears++;
    }
    this.playheadEndMs = nowMs;
    this.hostPlayEndMs = -Infinity;
    this.pendingMarks = 0;
    this.holding = false;
    this.wakeHostMs = null;
    return out;
  }
}
