/**
 * Barge-in: does the caller's speech while the agent is audible mean "stop talking"?
 *
 * A candidate starts at the first voiced frame heard while our audio plays. It becomes a barge-in
 * once it has lasted `minSpeechMs` (so `clear` goes out within ~200 ms of the caller starting),
 * unless:
 * - it is our own voice coming back (the inbound envelope follows the outbound one: EchoMonitor);
 * - it is quieter than the caller's own talk by `quietDb` or more: backchannels ("mhm", "yeah")
 *   are produced softly, so a quiet candidate must last `quietMinSpeechMs` (longer than a
 *   backchannel) before it counts;
 * - the words arrive and are only a backchannel.
 * Words that are more than a backchannel make it a barge-in at once.
 */
import type { EchoMonitor } from "./echo.ts";
import { isBackchannel } from "./utterance-cues.ts";

/** Options; times in audio ms. */
export interface BargeInOptions {
  /** Speech needed to barge in, from its first voiced frame. Default 160. */
  minSpeechMs: number;
  /** Speech needed when the candidate is quiet relative to the caller. Default 480. */
  quietMinSpeechMs: number;
  /** A candidate this much below the caller's usual level (dB) is quiet. Default 4. */
  quietDb: number;
  /** Unvoiced frames that end a candidate. Default 4 (80 ms). */
  gapFrames: number;
}

/** Defaults (see each field). */
export const DEFAULT_BARGE_IN_OPTIONS: Readonly<BargeInOptions> = Object.freeze({
  minSpeechMs: 160,
  quietMinSpeechMs: 480,
  quietDb: 4,
  gapFrames: 4,
});

/** The verdict on one frame. */
export type BargeInVerdict = "none" | "bargeIn" | "ignoredEcho" | "ignoredBackchannel";

/** See the file comment. */
export class BargeInDetector {
  readonly options: Readonly<BargeInOptions>;
  /** Audio ms where the current candidate started (NaN: none). */
  startMs = Number.NaN;
  /** Audio ms where the last barge-in's speech started. */
  lastStartMs = Number.NaN;
  private gap = 0;
  private levelSum = 0;
  private levelFrames = 0;
  private echoSeen = false;
  private vetoed = false;
  private forced = false;
  private readonly minFrames: number;
  private readonly quietFrames: number;
  private voicedFrames = 0;

  constructor(
    private readonly echo: EchoMonitor,
    opts: Partial<BargeInOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_BARGE_IN_OPTIONS, ...opts });
    this.minFrames = Math.round(this.options.minSpeechMs / 20);
    this.quietFrames = Math.round(this.options.quietMinSpeechMs / 20);
  }

  /** Is a candidate in progress? */
  get active(): boolean {
    return !Number.isNaN(this.startMs);
  }

  /**
   * One inbound frame while agent audio plays. `frameIndex` is audio ms / 20 of its start,
   * `voiced` the VAD's per-frame decision (a candidate starts on it), `speech` its smoothed one
   * (required to decide), `energyDb` its level, `callerLevelDb` the caller's usual speech level
   * (NaN if unknown).
   */
  frame(frameIndex: number, voiced: boolean, speech: boolean, energyDb: number, callerLevelDb: number): BargeInVerdict {
    if (!this.active) {
      if (!voiced) return "none";
      this.startMs = frameIndex * 20;
      this.gap = 0;
      this.levelSum = 0;
      this.levelFrames = 0;
      this.voicedFrames = 0;
      this.echoSeen = false;
      this.vetoed = false;
      this.forced = false;
    }
    if (!voiced) {
      if (++this.gap >= this.options.gapFrames) return this.end();
      return "none";
    }
    this.gap = 0;
    this.voicedFrames++;
    this.levelSum += energyDb;
    this.levelFrames++;
    if (this.vetoed || !speech) return "none";
    const frames = frameIndex + 1 - this.startMs / 20;
    const quiet =
      !Number.isNaN(callerLevelDb) && this.levelFrames > 0 && this.levelSum / this.levelFrames <= callerLevelDb - this.options.quietDb;
    const needed = this.forced ? 1 : quiet ? this.quietFrames : this.minFrames;
    if (frames < needed) return "none";
    if (this.echo.isEcho(frameIndex)) {
      // Explained by our own voice so far: the caller's own speech, if any, starts after this.
      this.echoSeen = true;
      this.startMs = (frameIndex + 1) * 20;
      this.levelSum = 0;
      this.levelFrames = 0;
      return "none";
    }
    this.lastStartMs = this.startMs;
    this.startMs = Number.NaN;
    return "bargeIn";
  }

  /** Words heard during the candidate: a backchannel vetoes it, anything more forces it. */
  words(text: string): void {
    if (!this.active || !text.trim()) return;
    if (isBackchannel(text)) this.vetoed = true;
    else this.forced = true;
  }

  private end(): BargeInVerdict {
    this.startMs = Number.NaN;
    return this.echoSeen ? "ignoredEcho" : "ignoredBackchannel";
  }

  /** Forget any candidate (the agent stopped). */
  reset(): void {
    this.startMs = Number.NaN;
  }
}
