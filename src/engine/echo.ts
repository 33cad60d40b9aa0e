/**
 * Is the caller's "speech" just our own voice coming back (a speakerphone, a hybrid)? An echo is
 * the outbound signal, delayed and attenuated, so the inbound level envelope follows the outbound
 * envelope at one delay. We keep both envelopes per 20 ms audio frame (levels in dB) and, when
 * asked, search delays 0..maxDelayMs for the best Pearson correlation over a short window. A high
 * correlation with a quieter inbound level is echo, unless the recent inbound frames stand well
 * above what that echo fit predicts (the caller talking over the agent: double talk).
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
  /** Recent inbound frames above the echo fit by this much (dB, mean) are double talk. Default 6. */
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
/** Outbound frames are scheduled ahead of playback (a whole reply may be sent at once): 20 s. */
const OUT_RING = 1024;

function toDb(level: number): number {
  return 20 * Math.log10(level + 1);
}

/** See the file comment. Frame indices are audio ms / 20. */
export class EchoMonitor {
  readonly options: Readonly<EchoOptions>;
  private readonly outDb = new Float64Array(OUT_RING);
  private readonly outFrame = new Int32Array(OUT_RING).fill(-1);
  private readonly inDb = new Float64Array(RING);
  private readonly maxDelay: number;
  private readonly window: number;

  constructor(opts: Partial<EchoOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_ECHO_OPTIONS, ...opts });
    this.maxDelay = Math.round(this.options.maxDelayMs / FRAME_MS);
    this.window = Math.round(this.options.windowMs / FRAME_MS);
    if (this.maxDelay + this.window >= RING) throw new RangeError("echo window + delay exceeds the ring");
  }

  /** Outbound audio of mean absolute amplitude `level` plays at frame `frameIndex`. */
  outbound(frameIndex: number, level: number): void {
    const s = frameIndex & (OUT_RING - 1);
    this.outFrame[s] = frameIndex;
    this.outDb[s] = toDb(level);
  }

  /** Inbound frame `frameIndex` had mean absolute amplitude `level`. */
  inbound(frameIndex: number, level: number): void {
    this.inDb[frameIndex & (RING - 1)] = toDb(level);
  }

  private out(f: number): number {
    const s = f & (OUT_RING - 1);
    return this.outFrame[s] === f ? this.outDb[s]! : 0;
  }

  /** Best correlation over the delays, at inbound frame `frameIndex` (for reports and tests). */
  correlation(frameIndex: number): { correlation: number; delayMs: number; echo: boolean } {
    const W = this.window;
    let best = -1;
    let bestD = 0;
    let bestA = 0;
    let bestB = 0;
    let meanGain = 0;
    for (let d = 0; d <= this.maxDelay; d++) {
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let k = 0; k < W; k++) {
        const f = frameIndex - k;
        const x = this.out(f - d);
        const y = this.inDb[f & (RING - 1)]!;
        sx += x;
        sy += y;
        sxx += x * x;
        syy += y * y;
        sxy += x * y;
      }
      const vx = sxx - (sx * sx) / W;
      const vy = syy - (sy * sy) / W;
      if (vx < 1e-6 * W || vy < 1e-6 * W) continue;
      const r = (sxy - (sx * sy) / W) / Math.sqrt(vx * vy);
      if (r > best) {
        best = r;
        bestD = d;
        bestB = (sxy - (sx * sy) / W) / vx;
        bestA = (sy - bestB * sx) / W;
        meanGain = (sy - sx) / W;
      }
    }
    let echo = best >= this.options.minCorrelation && meanGain <= this.options.maxEchoGainDb;
    if (echo) {
      // Double talk: the caller's voice lifts the newest frames above the echo prediction.
      let excess = 0;
      const n = this.options.doubleTalkFrames;
      for (let k = 0; k < n; k++) {
        const f = frameIndex - k;
        excess += this.inDb[f & (RING - 1)]! - (bestA + bestB * this.out(f - bestD));
      }
      if (excess / n >= this.options.doubleTalkDb) echo = false;
    }
    return { correlation: best, delayMs: bestD * FRAME_MS, echo };
  }

  /** Is the inbound signal at frame `frameIndex` explained by our own outbound audio? */
  isEcho(frameIndex: number): boolean {
    return this.correlation(frameIndex).echo;
  }
}
