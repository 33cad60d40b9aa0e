/**
 * Jitter buffer for caller audio: places every media payload at its audio position
 * (`media.timestamp`), whatever its length, and hands out a steady clock of 20 ms frames in audio
 * time. It drops duplicates (same `chunk`) and late payloads (their audio already went out),
 * counts reordering, waits a little for a missing frame when later audio is already here, and then
 * fills the gap with a faded repeat of the last frame (a few frames) and then silence.
 *
 * Arrival times (`atMs`, host ms) are used only to measure bursts and stalls and to bound how long
 * a gap is waited for; the frames themselves are always in audio time, so a stall followed by a
 * burst never shortens a silence.
 *
 * Nothing is allocated per frame: `pop` fills `frame` (a reused 160-byte view).
 */
import { MULAW_DECODE_TABLE, MULAW_SILENCE, encodeMulawSample } from "./audio/mulaw.ts";

/** Options; times in ms, sizes in frames or samples. */
export interface JitterBufferOptions {
  /** Samples (bytes of mu-law) per frame. Default 160 = 20 ms at 8 kHz. */
  frameSamples: number;
  /**
   * Frames of audio kept ahead of the read position (memory bound: 2 bytes per sample). Frames
   * leave as soon as they are complete, and a gap is waited for at most `reorderFrames` frames or
   * `maxWaitMs`, so only a payload longer than this (Twilio sends 20 ms) or one arriving that far
   * ahead of a gap would not fit. Default 64 (1.28 s).
   */
  capacityFrames: number;
  /** A missing frame is filled once this many later frames have arrived. Default 3. */
  reorderFrames: number;
  /** ...or once it has been missing this long in host time while later audio waits. Default 60. */
  maxWaitMs: number;
  /** Gap frames filled with a faded repeat of the last frame before silence. Default 2. */
  fadeFrames: number;
  /** A payload whose chunk follows the previous one and starts within this many samples of its end
   *  is snapped to it (Twilio's ms timestamps are coarser than samples). Default 40 (5 ms). */
  snapSamples: number;
  /** Arrivals closer than this are counted as one burst. Default 5. */
  burstGapMs: number;
  /** If the first payload starts later than this, the clock starts there instead of at 0. Default 1000. */
  startSkipMs: number;
}

/** Defaults (see each field). */
export const DEFAULT_JITTER_BUFFER_OPTIONS: Readonly<JitterBufferOptions> = Object.freeze({
  frameSamples: 160,
  capacityFrames: 64,
  reorderFrames: 3,
  maxWaitMs: 60,
  fadeFrames: 2,
  snapSamples: 40,
  burstGapMs: 5,
  startSkipMs: 1000,
});

/** Counters of what the network did. */
export interface JitterStats {
  /** Payloads received (including duplicates and late ones). */
  received: number;
  /** Payloads dropped because their audio had already been handed out. */
  late: number;
  /** Payloads dropped because their chunk number was seen before. */
  duplicate: number;
  /** Frames handed out with at least one filled sample. */
  filled: number;
  /** Payloads that arrived after a payload with a higher chunk number. */
  reordered: number;
  /** Most payloads that arrived together (arrival gaps below `burstGapMs`). */
  maxBurst: number;
  /** Longest host-time gap between two arrivals, ms. */
  maxStallMs: number;
}

/** Chunk numbers remembered for duplicate detection (a duplicate older than this is late anyway). */
const SEEN_SLOTS = 256;

/** See the file comment. */
export class JitterBuffer {
  readonly options: Readonly<JitterBufferOptions>;
  readonly stats: JitterStats = {
    received: 0,
    late: 0,
    duplicate: 0,
    filled: 0,
    reordered: 0,
    maxBurst: 0,
    maxStallMs: 0,
  };
  /** The last frame handed out by `pop` (valid until the next `pop`). */
  readonly frame: Uint8Array;
  /** Index of that frame (audio ms = index × 20). */
  frameIndex = -1;
  /** True when that frame holds filled samples. */
  frameFilled = false;

  private readonly data: Uint8Array;
  /** One bit per sample present, `haveWords` 32-bit words per slot. */
  private readonly have: Uint32Array;
  private readonly haveWords: number;
  /** Samples present per slot (a frame is complete at `frameSamples`). */
  private readonly haveCount: Int32Array;
  private readonly slotFrame: Int32Array;
  private readonly seen: Int32Array;
  private readonly fs: number;
  private readonly cap: number;
  private started = false;
  /** Next frame to hand out. */
  private read = 0;
  /** Highest frame index holding any sample. */
  private top = -1;
  private maxChunk = -1;
  private lastChunk = -1;
  private lastEnd = 0;
  private lastArrivalMs = Number.NaN;
  private burst = 0;
  /** Host time since which frame `read` has been missing while later audio waited. */
  private blockedSinceMs = Number.NaN;
  private fadeRun = 0;

  constructor(opts: Partial<JitterBufferOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_JITTER_BUFFER_OPTIONS, ...opts });
    this.fs = this.options.frameSamples;
    this.cap = this.options.capacityFrames;
    // One slot more than the ring: `frame` lives there, so `pop` copies a frame with one memmove.
    this.data = new Uint8Array((this.cap + 1) * this.fs);
    this.haveWords = Math.ceil(this.fs / 32);
    this.have = new Uint32Array(this.cap * this.haveWords);
    this.haveCount = new Int32Array(this.cap);
    this.slotFrame = new Int32Array(this.cap).fill(-1);
    this.seen = new Int32Array(SEEN_SLOTS).fill(-1);
    this.frame = this.data.subarray(this.cap * this.fs).fill(MULAW_SILENCE);
  }

  /** Audio ms of the next frame `pop` will hand out. */
  get nextAudioMs(): number {
    return (this.read * this.fs) / 8;
  }

  /** Store one media payload that arrived at host time `atMs`. */
  push(chunk: number, timestampMs: number, payload: Uint8Array, atMs: number): void {
    const st = this.stats;
    st.received++;
    if (!Number.isNaN(this.lastArrivalMs)) {
      const gap = atMs - this.lastArrivalMs;
      if (gap > st.maxStallMs) st.maxStallMs = gap;
      this.burst = gap < this.options.burstGapMs ? this.burst + 1 : 1;
    } else this.burst = 1;
    if (this.burst > st.maxBurst) st.maxBurst = this.burst;
    this.lastArrivalMs = atMs;

    const seenSlot = chunk & (SEEN_SLOTS - 1);
    if (this.seen[seenSlot] === chunk) {
      st.duplicate++;
      return;
    }
    this.seen[seenSlot] = chunk;
    if (chunk < this.maxChunk) st.reordered++;

    let pos = Math.round(timestampMs * 8);
    if (chunk === this.lastChunk + 1 && Math.abs(pos - this.lastEnd) <= this.options.snapSamples) pos = this.lastEnd;
    const end = pos + payload.length;
    if (chunk > this.maxChunk) {
      this.maxChunk = chunk;
      this.lastChunk = chunk;
      this.lastEnd = end;
    }
    if (!this.started) {
      this.started = true;
      const first = Math.floor(pos / this.fs);
      this.read = timestampMs > this.options.startSkipMs ? first : 0;
    }
    const readPos = this.read * this.fs;
    if (end <= readPos) {
      st.late++;
      return;
    }
    const fs = this.fs;
    const data = this.data;
    const have = this.have;
    const words = this.haveWords;
    if (pos >= readPos && payload.length === fs && pos % fs === 0) {
      // The usual payload: exactly one whole frame, on a frame boundary. When nothing of that
      // frame is stored yet, copy it and mark all of it present at once.
      const f = pos / fs;
      const slot = f % this.cap;
      if (this.slotFrame[slot] !== f || this.haveCount[slot] === 0) {
        this.slotFrame[slot] = f;
        const base = slot * fs;
        data.set(payload, base);
        const wordBase = slot * words;
        have.fill(0xffffffff, wordBase, wordBase + words);
        if (fs & 31) have[wordBase + words - 1] = 2 ** (fs & 31) - 1;
        this.haveCount[slot] = fs;
        if (f > this.top) this.top = f;
        return;
      }
    }
    // Copy frame by frame (a payload may start and end mid-frame); plain loops, no views.
    for (let p = pos < readPos ? readPos : pos; p < end; ) {
      const f = (p / fs) | 0;
      const slot = f % this.cap;
      const base = slot * fs;
      const wordBase = slot * words;
      if (this.slotFrame[slot] !== f) {
        this.slotFrame[slot] = f;
        have.fill(0, wordBase, wordBase + words);
        this.haveCount[slot] = 0;
      }
      const stop = Math.min(end, (f + 1) * fs);
      let count = this.haveCount[slot]!;
      for (let off = p - f * fs, i = p - pos; p < stop; p++, off++, i++) {
        data[base + off] = payload[i]!;
        const w = wordBase + (off >> 5);
        const bit = 1 << (off & 31);
        if ((have[w]! & bit) === 0) {
          have[w] = have[w]! | bit;
          count++;
        }
      }
      this.haveCount[slot] = count;
    }
    const lastFrame = ((end - 1) / fs) | 0;
    if (lastFrame > this.top) this.top = lastFrame;
  }

  private complete(f: number): boolean {
    const slot = f % this.cap;
    return this.slotFrame[slot] === f && this.haveCount[slot] === this.fs;
  }

  /**
   * Hand out the next frame if it is due at host time `atMs` (into `frame`), else false. With
   * `force`, gaps are filled without waiting (end of stream), up to the last received audio.
   */
  pop(atMs: number, force = false): boolean {
    if (!this.started || this.read > this.top) return false;
    const f = this.read;
    if (!this.complete(f)) {
      // Later audio is here (top > f) or this frame is partial: wait for reordering, boundedly.
      if (!force) {
        if (this.top === f) return false; // the rest of this frame simply has not arrived yet
        if (Number.isNaN(this.blockedSinceMs)) this.blockedSinceMs = atMs;
        const waited = atMs - this.blockedSinceMs;
        if (this.top - f < this.options.reorderFrames && waited < this.options.maxWaitMs) return false;
      }
      this.fill(f);
    } else {
      const base = (f % this.cap) * this.fs;
      this.data.copyWithin(this.cap * this.fs, base, base + this.fs);
      this.frameFilled = false;
      this.fadeRun = 0;
    }
    this.blockedSinceMs = Number.NaN;
    this.frameIndex = f;
    this.read = f + 1;
    return true;
  }

  /** Host ms at which a waiting gap will be filled, or null if nothing waits on time. */
  deadlineMs(): number | null {
    if (Number.isNaN(this.blockedSinceMs) || this.read > this.top) return null;
    return this.blockedSinceMs + this.options.maxWaitMs;
  }

  private fill(f: number): void {
    const slot = f % this.cap;
    const owned = this.slotFrame[slot] === f;
    const base = slot * this.fs;
    // Each repeat of the last frame halves its amplitude (−6 dB), so a gap never stutters.
    const fade = this.fadeRun < this.options.fadeFrames;
    for (let i = 0; i < this.fs; i++) {
      if (owned && (this.have[slot * this.haveWords + (i >> 5)]! & (1 << (i & 31))) !== 0) this.frame[i] = this.data[base + i]!;
      // `frame` still holds the frame handed out last: fade it in place.
      else if (fade) this.frame[i] = encodeMulawSample(Math.round(MULAW_DECODE_TABLE[this.frame[i]!]! * 0.5));
      else this.frame[i] = MULAW_SILENCE;
    }
    this.fadeRun++;
    this.frameFilled = true;
    this.stats.filled++;
  }
}
