/**
 * Is the caller's "speech" just our own voice coming back (a speakerphone, a hybrid)? An echo is
 * the outbound signal, delayed and attenuated, added to the line's own noise, so per 20 ms frame
 * the inbound level is close to `noise + gain × outbound level` at one delay. We keep both level
 * envelopes (mean absolute amplitude, linear: in dB the noise floor bends the relation and a
 * straight-line fit misjudges it) and, when asked, search delays 0..maxDelayMs for the best
 * Pearson correlation over a short window. A high correlation with a gain below `maxEchoGainDb`
 * is echo, unless the newest inbound frames stand well above what that fit predicts (the caller
 * talking over the agent: double talk).
 */

/** Options; times in ms. */
export interface EchoOptions {
  /** Longest echo delay searched. Default 300. */
  maxDelayMs: number;
  /** Correlation window. Default 400. */
  windowMs: number;
  /** Correlation at or above which the inbound envelope is taken as echo. Default 0.7. */
  minCorrelation: number;
  /** Echo is never louder than the outbound signal by more than this (dB). Default 0. */
  maxEchoGainDb: number;
  /** Recent inbound frames above the echo fit by this much (dB, mean level) are double talk. Default 6. */
  doubleTalkDb: number;
  /** Frames checked for double talk (the newest ones). Default 5 (100 ms). */
  doubleTalkFrames: number;
}

/** Defaults (see each field). */
export const DEFAULT_ECHO_OPTIONS: Readonly<EchoOptions> = Object.freeze({
  maxDelayMs: 300,
  windowMs: 400,
  minCorrelation: 0.7,
  maxEchoGainDb: 0,
  doubleTalkDb: 6,
  doubleTalkFrames: 5,
});

const FRAME_MS = 20;
/** Inbound history kept, frames (must exceed window + delay). */
const RING = 64;
/**
 * Outbound frames are scheduled ahead of playback: with the playout's pacing about 100 ms, without
 * it up to a whole reply. The ring starts at 2.56 s and doubles whenever a frame the correlation
 * may still read would be overwritten, so it is as small as the call allows and never loses one.
 */
const OUT_RING_INITIAL = 128;

/** See the file comment. Frame indices are audio ms / 20. */
export class EchoMonitor {
  readonly options: Readonly<EchoOptions>;
  private outLevel = new Float64Array(OUT_RING_INITIAL);
  private outFrame = new Int32Array(OUT_RING_INITIAL).fill(-1);
  /** Ring size − 1 (a power of two minus one). */
  private outMask = OUT_RING_INITIAL - 1;
  private readonly inLevel = new Float64Array(RING);
  /** Latest inbound frame index (outbound frames older than it minus window and delay are dead). */
  private lastInbound = -1;
  private readonly maxDelay: number;
  private readonly window: number;
  private readonly maxGain: number;
  private readonly doubleTalkRatio: number;

  constructor(opts: Partial<EchoOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_ECHO_OPTIONS, ...opts });
    this.maxDelay = Math.round(this.options.maxDelayMs / FRAME_MS);
    this.window = Math.round(this.options.windowMs / FRAME_MS);
    this.maxGain = 10 ** (this.options.maxEchoGainDb / 20);
    this.doubleTalkRatio = 10 ** (this.options.doubleTalkDb / 20);
    if (this.maxDelay + this.window >= RING) throw new RangeError("echo window + delay exceeds the ring");
  }

  /** Outbound audio of mean absolute amplitude `level` plays at frame `frameIndex`. */
  outbound(frameIndex: number, level: number): void {
    let s = frameIndex & this.outMask;
    const old = this.outFrame[s]!;
    if (old >= 0 && old !== frameIndex && old >= this.lastInbound - this.window - this.maxDelay) {
      this.growOut(frameIndex);
      s = frameIndex & this.outMask;
    }
    this.outFrame[s] = frameIndex;
    this.outLevel[s] = level;
  }

  /** Double the outbound ring until `frameIndex` no longer collides with a live frame. */
  private growOut(frameIndex: number): void {
    const liveFrom = this.lastInbound - this.window - this.maxDelay;
    for (;;) {
      const size = (this.outMask + 1) * 2;
      const frames = new Int32Array(size).fill(-1);
      const levels = new Float64Array(size);
      for (let s = 0; s <= this.outMask; s++) {
        const f = this.outFrame[s]!;
        if (f < 0 || f < liveFrom) continue;
        frames[f & (size - 1)] = f;
        levels[f & (size - 1)] = this.outLevel[s]!;
      }
      this.outFrame = frames;
      this.outLevel = levels;
      this.outMask = size - 1;
      const old = frames[frameIndex & (size - 1)]!;
      if (old < 0 || old === frameIndex || old < liveFrom) return;
    }
  }

  /** Outbound frames from `frameIndex` on will not play after all (a `clear` dropped them). */
  unscheduled(frameIndex: number): void {
    const frames = this.outFrame;
    for (let s = 0; s <= this.outMask; s++) if (frames[s]! >= frameIndex) frames[s] = -1;
  }

  /** Inbound frame `frameIndex` had mean absolute amplitude `level`. */
  inbound(frameIndex: number, level: number): void {
    this.inLevel[frameIndex & (RING - 1)] = level;
    if (frameIndex > this.lastInbound) this.lastInbound = frameIndex;
  }

  private out(f: number): number {
    const s = f & this.outMask;
    return this.outFrame[s] === f ? this.outLevel[s]! : 0;
  }

  /** Best correlation over the delays, at inbound frame `frameIndex` (for reports and tests). */
  correlation(frameIndex: number): { correlation: number; delayMs: number; echo: boolean } {
    const W = this.window;
    let sy = 0;
    let syy = 0;
    for (let k = 0; k < W; k++) {
      const y = this.inLevel[(frameIndex - k) & (RING - 1)]!;
      sy += y;
      syy += y * y;
    }
    const vy = syy - (sy * sy) / W;
    let best = -1;
    let bestD = 0;
    let bestA = 0;
    let bestB = 0;
    if (vy > 1e-9 * W) {
      for (let d = 0; d <= this.maxDelay; d++) {
        let sx = 0;
        let sxx = 0;
        let sxy = 0;
        for (let k = 0; k < W; k++) {
          const f = frameIndex - k;
          const x = this.out(f - d);
          sx += x;
          sxx += x * x;
          sxy += x * this.inLevel[f & (RING - 1)]!;
        }
        const vx = sxx - (sx * sx) / W;
        if (vx < 1e-9 * W) continue;
        const cxy = sxy - (sx * sy) / W;
        const r = cxy / Math.sqrt(vx * vy);
        if (r > best) {
          best = r;
          bestD = d;
          bestB = cxy / vx;
          bestA = (sy - bestB * sx) / W;
        }
      }
    }
    let echo = best >= this.options.minCorrelation && bestB <= this.maxGain;
    if (echo) {
      // Double talk: the caller's voice lifts the newest frames above the echo prediction.
      let got = 0;
      let predicted = 0;
      const n = this.options.doubleTalkFrames;
      for (let k = 0; k < n; k++) {
        const f = frameIndex - k;
        got += this.inLevel[f & (RING - 1)]!;
        const p = bestA + bestB * this.out(f - bestD);
        predicted += p > 1 ? p : 1;
      }
      if (got >= this.doubleTalkRatio * predicted) echo = false;
    }
    return { correlation: best, delayMs: bestD * FRAME_MS, echo };
  }

  /** Is the inbound signal at frame `frameIndex` explained by our own outbound audio? */
  isEcho(frameIndex: number): boolean {
    return this.correlation(frameIndex).echo;
  }
}
