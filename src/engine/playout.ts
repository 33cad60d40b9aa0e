/**
 * Agent audio out: mu-law phrases are framed into 20 ms media messages, each phrase followed by a
 * mark named `<replyId>.<phrase>`. Twilio queues what we send and plays it in order; it echoes a
 * mark once the audio before it has played, and on `clear` it flushes its queue and echoes every
 * pending mark at once (PROTOCOLS.md). So a mark echo means "played" only if we did not clear.
 *
 * Pacing: frames are sent at most `leadMs` (host time) ahead of their estimated playback, not a
 * whole phrase at once, so Twilio's buffer stays shallow. The host must honour the engine's
 * `wake` for the next send.
 *
 * Hold (the caller may be interrupting): sending stops and, if any audio went out since the last
 * `clear`, a `clear` goes out at once, so Twilio drops its buffer and the caller hears silence
 * within the frame in flight. The playout then rewinds every phrase to what its estimate says was
 * played when the clear went out (whole frames: the frame in flight counts as unheard), and the
 * marks the clear flushes are forgotten. `resume` (a backchannel, a cough) re-sends from there,
 * marks included, so the caller loses nothing but the pause and hears at most the frame in flight
 * twice. To rewind, a phrase keeps its audio until its mark says it played.
 *
 * Marks are named `<replyId>.<phrase>`, and `<replyId>.<phrase>~<n>` when a phrase's mark is sent
 * for the n-th time after a clear: an echo of a flushed mark (Twilio echoes every pending mark on
 * `clear`, PROTOCOLS.md) never counts as played, however late it arrives.
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
import { MULAW_ABS_TABLE, MULAW_SILENCE } from "./audio/mulaw.ts";
import { heardText } from "./heard-text.ts";
import type { PhraseWord, TwilioOutbound } from "./types.ts";

const FRAME_BYTES = 160;
const FRAME_MS = 20;

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
  /** A `clear` went out: frames scheduled from audio frame `frameIndex` on will not play. */
  unscheduled(frameIndex: number): void;
}

interface Phrase {
  index: number;
  text: string;
  words: readonly PhraseWord[] | undefined;
  /** All audio received, kept until the phrase has played (a clear may rewind into it). */
  chunks: Uint8Array[];
  /** Read position: chunk index and offset into it of the next byte to send. */
  readChunk: number;
  readOffset: number;
  /** Bytes received. */
  received: number;
  /** Bytes of received audio already framed and sent (≤ received). */
  readBytes: number;
  done: boolean;
  /** Bytes framed and sent, the silence padding the last frame included. */
  sentBytes: number;
  /** Estimated audio ms its first frame starts playing, shifted by any gap in sending (NaN before sent). */
  startMs: number;
  markSent: boolean;
  /** Times the mark was sent (the echo of any earlier one was flushed by a clear). */
  markGen: number;
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

const queuedBytes = (p: Phrase) => p.received - p.readBytes;

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
  /** Media sent since the last `clear` (Twilio may have some of it buffered). */
  private mediaSinceClear = false;
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
        readChunk: 0,
        readOffset: 0,
        received: 0,
        readBytes: 0,
        done: false,
        sentBytes: 0,
        startMs: Number.NaN,
        markSent: false,
        markGen: 0,
        played: false,
      };
      r.phrases.push(p);
    }
    if (words) p.words = words;
    // A chunk may be a view of the host's buffer: keep our own copy (frames are views of it).
    if (bytes.length > 0) p.chunks.push(bytes.slice());
    p.received += bytes.length;
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

  /**
   * Stop sending at audio ms `nowMs` (the caller may be interrupting). If media went out since the
   * last clear, `clear` it at once and rewind to what was played by `nowMs` (see the file comment).
   * Returns whether a `clear` was sent.
   */
  hold(nowMs: number): boolean {
    this.holding = true;
    this.wakeHostMs = null;
    if (!this.mediaSinceClear) return false;
    this.clear(nowMs);
    for (const r of this.replies) if (!r.held && !r.cut) this.rewind(r, nowMs);
    // Phrases that had wholly played only lost their marks: send them again now. Twilio's buffer
    // is empty, so it echoes them at once and a reply that had finished playing completes.
    for (const r of this.replies) {
      if (r.held || r.cut) continue;
      for (let p = r.phrases[r.next]; p && p.done && queuedBytes(p) === 0 && p.sentBytes > 0; p = r.phrases[r.next]) {
        this.sendMark(r, p);
        r.next++;
      }
    }
    return true;
  }

  /** Send `clear`: Twilio drops its buffer and flushes every pending mark (PROTOCOLS.md). */
  private clear(nowMs: number): void {
    this.sink.send({ event: "clear", streamSid: this.streamSid() });
    this.stats.clears++;
    this.sink.unscheduled(Math.floor(nowMs / FRAME_MS) + 1);
    this.mediaSinceClear = false;
    this.pendingMarks = 0;
    if (this.playheadEndMs > nowMs) this.playheadEndMs = nowMs;
    this.hostPlayEndMs = -Infinity;
  }

  /** After a clear at `nowMs`: each phrase goes back to its last whole frame played by then; flushed marks are unsent. */
  private rewind(r: Reply, nowMs: number): void {
    for (const p of r.phrases) {
      if (p.played) continue;
      p.markSent = false;
      if (p.sentBytes === 0) continue;
      const sentMs = (p.sentBytes * FRAME_MS) / FRAME_BYTES;
      const playedMs = Math.max(0, Math.min(sentMs, nowMs - p.startMs));
      const frames = Math.floor(playedMs / FRAME_MS);
      this.seek(p, frames * FRAME_BYTES);
      if (frames === 0) p.startMs = Number.NaN;
    }
    let next = 0;
    while (next < r.phrases.length && r.phrases[next]!.markSent) next++;
    r.next = next;
  }

  /** Move a phrase's send position back to `sentBytes` (a multiple of the frame size). */
  private seek(p: Phrase, sentBytes: number): void {
    p.sentBytes = sentBytes;
    p.readBytes = Math.min(sentBytes, p.received);
    let left = p.readBytes;
    let i = 0;
    while (i < p.chunks.length && left >= p.chunks[i]!.length) left -= p.chunks[i++]!.length;
    p.readChunk = i;
    p.readOffset = left;
  }

  /** Is sending stopped by `hold`? */
  get held(): boolean {
    return this.holding;
  }

  /** Send again from where the hold's clear left each phrase (at the next `pump`). */
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
        while (queuedBytes(p) >= FRAME_BYTES || (p.done && queuedBytes(p) > 0)) {
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
          this.sendMark(r, p);
        }
        r.next++;
      }
    }
  }

  private sendMark(r: Reply, p: Phrase): void {
    p.markSent = true;
    const name = p.markGen === 0 ? `${r.id}.${p.index}` : `${r.id}.${p.index}~${p.markGen}`;
    p.markGen++;
    this.pendingMarks++;
    this.sink.send({ event: "mark", streamSid: this.streamSid(), name });
    this.stats.marks++;
  }

  private sendFrame(r: Reply, p: Phrase, hostMs: number, audioMs: number): void {
    const payload = this.takeFrame(p);
    let sum = 0;
    for (let i = 0; i < FRAME_BYTES; i += 2) sum += MULAW_ABS_TABLE[payload[i]!]!;
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
    this.mediaSinceClear = true;
    this.sink.scheduled(Math.round(startMs / FRAME_MS), (2 * sum) / FRAME_BYTES);
    this.sink.send({ event: "media", streamSid: this.streamSid(), payload });
    this.stats.media++;
  }

  /** The next 160 bytes of the phrase (a finished phrase's tail padded with silence). */
  private takeFrame(p: Phrase): Uint8Array {
    const first = p.chunks[p.readChunk]!;
    if (first.length - p.readOffset >= FRAME_BYTES) {
      const view = first.subarray(p.readOffset, p.readOffset + FRAME_BYTES);
      p.readOffset += FRAME_BYTES;
      if (p.readOffset === first.length) {
        p.readChunk++;
        p.readOffset = 0;
      }
      p.readBytes += FRAME_BYTES;
      return view;
    }
    const out = new Uint8Array(FRAME_BYTES);
    const queued = queuedBytes(p);
    const n = queued < FRAME_BYTES ? queued : FRAME_BYTES;
    let o = 0;
    while (o < n) {
      const c = p.chunks[p.readChunk]!;
      const take = Math.min(c.length - p.readOffset, n - o);
      out.set(c.subarray(p.readOffset, p.readOffset + take), o);
      o += take;
      p.readOffset += take;
      if (p.readOffset === c.length) {
        p.readChunk++;
        p.readOffset = 0;
      }
    }
    if (n < FRAME_BYTES) out.fill(MULAW_SILENCE, n);
    p.readBytes += n;
    return out;
  }

  /**
   * A mark echo arrived at audio ms `nowMs`. Returns the reply id when this mark completes the
   * reply's playback (all phrases played and no more audio coming), else null.
   */
  markEchoed(name: string, nowMs: number): string | null {
    const tilde = name.lastIndexOf("~");
    const gen = tilde < 0 ? 0 : Number(name.slice(tilde + 1));
    const base = tilde < 0 ? name : name.slice(0, tilde);
    const dot = base.lastIndexOf(".");
    const r = this.find(base.slice(0, dot));
    if (!r || r.cut) return null; // echoes of cleared marks are not "played"
    const p = r.phrases[Number(base.slice(dot + 1))];
    // Only the echo of the latest mark sent counts: earlier ones were flushed by a clear.
    if (!p || p.played || !p.markSent || gen !== p.markGen - 1) return null;
    p.played = true;
    p.chunks = []; // played: no clear can rewind into it any more
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
   * Cut every unheld reply at audio ms `nowMs` (the caller barged in): stops framing, sends
   * `clear` if media went out since the last one (after a hold's clear with nothing re-sent,
   * Twilio has nothing left to drop), and returns, per reply, what the caller heard.
   */
  cutAll(nowMs: number): CutResult[] {
    const out: CutResult[] = [];
    for (const r of this.replies) {
      if (r.held || r.cut) continue;
      r.cut = true;
      const parts: string[] = [];
      for (const p of r.phrases) {
        if (p.sentBytes === 0) break;
        const sentMs = (p.sentBytes * FRAME_MS) / FRAME_BYTES;
        const totalMs = ((p.sentBytes + queuedBytes(p)) * FRAME_MS) / FRAME_BYTES;
        const played = p.played ? totalMs : Math.max(0, Math.min(sentMs, nowMs - p.startMs));
        const h = heardText(p.text, played, totalMs, p.words);
        if (h) parts.push(h);
        if (played < totalMs) break;
      }
      out.push({ replyId: r.id, heardText: parts.join(" ") });
    }
    for (let i = this.replies.length - 1; i >= 0; i--) if (this.replies[i]!.cut) this.replies.splice(i, 1);
    if (this.mediaSinceClear) this.clear(nowMs);
    this.playheadEndMs = nowMs;
    this.hostPlayEndMs = -Infinity;
    this.pendingMarks = 0;
    this.holding = false;
    this.wakeHostMs = null;
    return out;
  }
}
