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
/** Outbound frames are scheduled ahead of playback (up to a whole reply without pacing): 20 s. */
const OUT_RING = 1024;

/** See the file comment. Frame indices are audio ms / 20. */
export class EchoMonitor {
  readonly options: Readonly<EchoOptions>;
  private readonly outLevel = new Float64Array(OUT_RING);
  private readonly outFrame = new Int32Array(OUT_RING).fill(-1);
  private readonly inLevel = new Float64Array(RING);
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
    const s = frameIndex & (OUT_RING - 1);
    this.outFrame[s] = frameIndex;
    this.outLevel[s] = level;
  }

  /** Outbound frames from `frameIndex` on will not play after all (a `clear` dropped them). */
  unscheduled(frameIndex: number): void {
    for (let s = 0; s < OUT_RING; s++) if (this.outFrame[s]! >= frameIndex) this.outFrame[s] = -1;
  }

  /** Inbound frame `frameIndex` had mean absolute amplitude `level`. */
  inbound(frameIndex: number, level: number): void {
    this.inLevel[frameIndex & (RING - 1)] = level;
  }

  private out(f: number): number {
    const s = f & (OUT_RING - 1);
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
