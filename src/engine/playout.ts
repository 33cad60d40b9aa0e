/**
 * Agent audio out: mu-law phrases are framed into 20 ms media messages, each phrase followed by a
 * mark named `<replyId>.<phrase>`. Twilio queues what we send and plays it in order; it echoes a
 * mark once the audio before it has played, and on `clear` it flushes its queue and echoes every
 * pending mark at once (PROTOCOLS.md). So a mark echo means "played" only if we did not clear.
 *
 * The playout keeps, in audio time, an estimate of when each phrase starts playing (when it was
 * sent, or when the audio queued before it ends, re-anchored by each mark echo). That estimate
 * says whether the agent is audible right now (barge-in), what the outbound signal is at each
 * inbound frame (echo check), and, when cut, how much of the phrase was heard.
 *
 * Audio of a held reply (a speculative one) is kept, not sent, until released or dropped.
 */
import { MULAW_DECODE_TABLE, MULAW_SILENCE } from "./audio/mulaw.ts";
import { heardText } from "./heard-text.ts";
import type { PhraseWord, TwilioOutbound } from "./types.ts";

const FRAME_BYTES = 160;
const FRAME_MS = 20;

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
  /** Estimated audio ms its first frame starts playing (NaN before sent). */
  startMs: number;
  markSent: boolean;
  played: boolean;
}

interface Reply {
  id: string;
  held: boolean;
  done: boolean;
  phrases: Phrase[];
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
  readonly stats: PlayoutStats = { media: 0, marks: 0, clears: 0 };
  private readonly replies = new Map<string, Reply>();
  /** Estimated audio ms at which everything sent so far will have played. */
  private playheadEndMs = 0;
  private readonly frame = new Uint8Array(FRAME_BYTES);

  constructor(
    private readonly sink: PlayoutSink,
    private readonly streamSid: () => string,
  ) {}

  /** Register a reply; a held one buffers its audio until `release`. */
  open(replyId: string, held: boolean): void {
    this.replies.set(replyId, { id: replyId, held, done: false, phrases: [], firstSentMs: Number.NaN, cut: false });
  }

  /** Is this reply known and not cut? */
  has(replyId: string): boolean {
    const r = this.replies.get(replyId);
    return r !== undefined && !r.cut;
  }

  /** Audio for a reply (a phrase, or a chunk of one when `phraseDone` is false). Returns false if unknown. */
  add(
    replyId: string,
    bytes: Uint8Array,
    text: string,
    phraseDone: boolean,
    words: readonly PhraseWord[] | undefined,
    nowMs: number,
  ): boolean {
    const r = this.replies.get(replyId);
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
    // A chunk may be a view of the host's buffer: keep our own copy.
    p.chunks.push(bytes.slice());
    p.queued += bytes.length;
    p.done = phraseDone;
    if (!r.held) this.flush(r, nowMs);
    return true;
  }

  /** No more audio will come for this reply. */
  finish(replyId: string, nowMs: number): void {
    const r = this.replies.get(replyId);
    if (!r) return;
    r.done = true;
    const last = r.phrases[r.phrases.length - 1];
    if (last && !last.done) {
      last.done = true;
      if (!r.held) this.flush(r, nowMs);
    }
  }

  /** Start sending a held reply. */
  release(replyId: string, nowMs: number): void {
    const r = this.replies.get(replyId);
    if (!r || !r.held) return;
    r.held = false;
    this.flush(r, nowMs);
  }

  /** Forget a reply that was never sent (a discarded speculation). */
  drop(replyId: string): void {
    this.replies.delete(replyId);
  }

  /** Audio ms when the reply's first frame was sent, NaN if not yet. */
  firstSentMs(replyId: string): number {
    return this.replies.get(replyId)?.firstSentMs ?? Number.NaN;
  }

  private flush(r: Reply, nowMs: number): void {
    for (const p of r.phrases) {
      if (p.markSent) continue;
      this.sendFrames(r, p, nowMs);
      if (!p.done) return; // later phrases wait for this one to complete
    }
  }

  private sendFrames(r: Reply, p: Phrase, nowMs: number): void {
    const sid = this.streamSid();
    // Send every whole frame; the tail of a finished phrase is padded with silence.
    while (p.queued >= FRAME_BYTES || (p.done && p.queued > 0)) {
      const n = Math.min(FRAME_BYTES, p.queued);
      this.takeFrame(p, n);
      if (n < FRAME_BYTES) this.frame.fill(MULAW_SILENCE, n);
      p.sentBytes += FRAME_BYTES;
      const startMs = Math.max(nowMs, this.playheadEndMs);
      if (Number.isNaN(p.startMs)) p.startMs = startMs;
      if (Number.isNaN(r.firstSentMs)) r.firstSentMs = nowMs;
      this.playheadEndMs = startMs + FRAME_MS;
      let sum = 0;
      for (let i = 0; i < FRAME_BYTES; i++) {
        const v = MULAW_DECODE_TABLE[this.frame[i]!]!;
        sum += v < 0 ? -v : v;
      }
      this.sink.scheduled(Math.round(startMs / FRAME_MS), sum / FRAME_BYTES);
      this.sink.send({ event: "media", streamSid: sid, payload: this.frame.slice() });
      this.stats.media++;
    }
    if (p.done && !p.markSent) {
      if (Number.isNaN(p.startMs)) p.startMs = Math.max(nowMs, this.playheadEndMs); // empty phrase
      p.markSent = true;
      this.sink.send({ event: "mark", streamSid: sid, name: `${r.id}.${p.index}` });
      this.stats.marks++;
    }
  }

  /** Move `n` queued bytes of the phrase into `frame`. */
  private takeFrame(p: Phrase, n: number): void {
    let o = 0;
    while (o < n) {
      const c = p.chunks[0]!;
      const take = Math.min(c.length - p.chunkOffset, n - o);
      this.frame.set(c.subarray(p.chunkOffset, p.chunkOffset + take), o);
      o += take;
      p.chunkOffset += take;
      if (p.chunkOffset === c.length) {
        p.chunks.shift();
        p.chunkOffset = 0;
      }
    }
    p.queued -= n;
  }

  /**
   * A mark echo arrived at audio ms `nowMs`. Returns the reply id when this mark completes the
   * reply's playback (all phrases played and no more audio coming), else null.
   */
  markEchoed(name: string, nowMs: number): string | null {
    const dot = name.lastIndexOf(".");
    const r = this.replies.get(name.slice(0, dot));
    if (!r || r.cut) return null; // echoes of cleared marks are not "played"
    const p = r.phrases[Number(name.slice(dot + 1))];
    if (!p || p.played) return null;
    p.played = true;
    // Re-anchor the schedule: playback runs later than estimated when the network is slow.
    const estEnd = p.startMs + (p.sentBytes * FRAME_MS) / FRAME_BYTES;
    const late = nowMs - estEnd;
    if (late > 0) {
      this.playheadEndMs += late;
      for (const q of r.phrases) if (!q.played && !Number.isNaN(q.startMs)) q.startMs += late;
    }
    if (r.done && r.phrases.every((q) => q.played)) {
      this.replies.delete(r.id);
      return r.id;
    }
    return null;
  }

  /** Is any agent audio audible at audio ms `nowMs` (sent, started, not yet echoed as played)? */
  isPlaying(nowMs: number): boolean {
    for (const r of this.replies.values()) {
      if (r.cut || r.held) continue;
      for (const p of r.phrases) if (!p.played && p.startMs <= nowMs && p.sentBytes > 0) return true;
    }
    return false;
  }

  /** Does this reply still have audio to play (sent or coming)? */
  active(replyId: string): boolean {
    const r = this.replies.get(replyId);
    return r !== undefined && !r.cut;
  }

  /**
   * Cut every unheld reply at audio ms `nowMs` (the caller barged in): emits `clear` through the
   * sink, stops framing, and returns, per reply that had audio sent, what the caller heard.
   */
  cutAll(nowMs: number): CutResult[] {
    const out: CutResult[] = [];
    let sentAny = false;
    for (const r of this.replies.values()) {
      if (r.held || r.cut) continue;
      r.cut = true;
      const parts: string[] = [];
      for (const p of r.phrases) {
        if (p.sentBytes === 0) break;
        sentAny = true;
        const durMs = (p.sentBytes * FRAME_MS) / FRAME_BYTES;
        const played = p.played ? durMs : Math.min(durMs, nowMs - p.startMs);
        const h = heardText(p.text, played, durMs, p.words);
        if (h) parts.push(h);
        if (played < durMs) break;
      }
      out.push({ replyId: r.id, heardText: parts.join(" ") });
    }
    for (const c of out) this.replies.delete(c.replyId);
    if (sentAny) {
      this.sink.send({ event: "clear", streamSid: this.streamSid() });
      this.stats.clears++;
    }
    this.playheadEndMs = nowMs;
    return out;
  }
}
