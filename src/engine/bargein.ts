/**
 * Barge-in: does the caller's speech while the agent is audible mean "stop talking"?
 *
 * Two stages, because 200 ms of audio cannot tell "mhm" from "wait, no": backchannels last as
 * long as the first word of an interruption (the corpus has them at 340–860 ms).
 * 1. Hold. `duckAfterMs` of voiced speech that our own echo does not explain: the engine stops
 *    sending agent audio and sends `clear` at once (Twilio drops its shallow buffer, the caller
 *    hears the agent stop within a frame), but nothing is cancelled yet: the playout rewinds to
 *    what the caller heard.
 * 2. Decide, while held:
 *    - words that are more than a backchannel ("wait", "sorry, actually") → barge-in: cancel the
 *      reply, keep what was heard (already cleared: a second `clear` only if audio went out since);
 *    - speech that goes on past `confirmSpeechMs` of voiced audio (longer than any backchannel)
 *      → barge-in, words or not;
 *    - the speech stops and its words are only a backchannel ("mhm", "okay") → resume (the
 *      playout re-sends from what was heard, so the caller loses only the pause);
 *    - the speech stops and no words come within `wordsWaitMs` (a cough, line noise, an echo
 *      the check missed) → resume.
 * 3. After a resume on a backchannel, words for that same speech that make it more than one
 *    ("okay" → "okay, thanks, but") within `lateWordsMs` barge in after all (`lateWords`).
 * Echo: a candidate is tested against the outbound envelope when it would hold; explained by
 * our own voice, it restarts after the frames the echo explains (the caller's own speech, if
 * any, starts later: double talk is caught by the echo check's excess test).
 *
 * Options in ms become frame counts once, at construction.
 */
import type { EchoMonitor } from "./echo.ts";
import { isBackchannel } from "./utterance-cues.ts";

/** Options; times in audio ms. */
export interface BargeInOptions {
  /** Voiced speech, from its first voiced frame, before the agent is held. Default 60. */
  duckAfterMs: number;
  /** Voiced speech (total, pauses excluded) that barges in without words. Default 1000. */
  confirmSpeechMs: number;
  /** After the speech stops, how long its words are waited for before resuming. Default 600. */
  wordsWaitMs: number;
  /** Unvoiced frames that end a stretch of speech. Default 4 (80 ms). */
  gapFrames: number;
  /**
   * After resuming on a backchannel, how long later words of that same speech can still turn it
   * into a barge-in ("okay" then "..., thanks, but"): the recogniser may finish the utterance
   * after its first word was judged. Default 1500.
   */
  lateWordsMs: number;
}

/** Defaults (see each field). */
export const DEFAULT_BARGE_IN_OPTIONS: Readonly<BargeInOptions> = Object.freeze({
  duckAfterMs: 40,
  confirmSpeechMs: 1000,
  wordsWaitMs: 600,
  gapFrames: 4,
  lateWordsMs: 1500,
});

/**
 * The verdict on one frame: `hold` stop sending (stage 1), `bargeIn` cut the reply, `resume`
 * send again (see `resumeWhy`), `ignoredEcho` a candidate explained by echo ended unheld.
 */
export type BargeInVerdict = "none" | "hold" | "bargeIn" | "resume" | "ignoredEcho";

/** Why a hold ended without a barge-in. */
export type ResumeWhy = "backchannel" | "noise" | "echo";

const IDLE = 0;
const CANDIDATE = 1;
const HELD = 2;

/** See the file comment. Frame indices are audio ms / 20. */
export class BargeInDetector {
  readonly options: Readonly<BargeInOptions>;
  /** Audio ms where the current candidate started (NaN: none). */
  startMs = Number.NaN;
  /** Audio ms where the last barge-in's (or resumed hold's) speech started. */
  lastStartMs = Number.NaN;
  /** Audio ms (frame end) of the current or last hold. */
  holdMs = Number.NaN;
  /** Why the last `resume` verdict was given. */
  resumeWhy: ResumeWhy = "noise";
  private state = IDLE;
  private gap = 0;
  private voiced = 0;
  /** Frames since the speech stopped (while held). */
  private silent = 0;
  private echoSeen = false;
  private vetoed = false;
  private forced = false;
  /** Audio ms of the last resume on a backchannel (NaN: none pending). */
  private backchannelResumeMs = Number.NaN;
  /** Later words made that backchannel more: barge in at the next frame. */
  private lateForced = false;
  private readonly duckFrames: number;
  private readonly confirmFrames: number;
  private readonly waitFrames: number;

  constructor(
    private readonly echo: EchoMonitor,
    opts: Partial<BargeInOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_BARGE_IN_OPTIONS, ...opts });
    this.duckFrames = Math.max(1, Math.round(this.options.duckAfterMs / 20));
    this.confirmFrames = Math.max(1, Math.round(this.options.confirmSpeechMs / 20));
    this.waitFrames = Math.max(1, Math.round(this.options.wordsWaitMs / 20));
  }

  /** Is a candidate in progress (held or not)? */
  get active(): boolean {
    return this.state !== IDLE;
  }

  /** Did later words turn a resumed backchannel into a barge-in not yet given (see `lateWords`)? */
  get latePending(): boolean {
    return this.lateForced;
  }

  /** Is the agent held for a candidate? */
  get holding(): boolean {
    return this.state === HELD;
  }

  private begin(frameIndex: number): void {
    this.state = CANDIDATE;
    this.startMs = frameIndex * 20;
    this.gap = 0;
    this.voiced = 0;
    this.silent = 0;
    this.echoSeen = false;
    this.vetoed = false;
    this.forced = false;
  }

  /**
   * One inbound frame while agent audio plays or is held. `frameIndex` is audio ms / 20 of its
   * start, `voiced` the VAD's per-frame decision (a candidate starts on it), `speech` its
   * smoothed one (required to hold).
   */
  frame(frameIndex: number, voiced: boolean, speech: boolean): BargeInVerdict {
    if (this.state === IDLE) {
      if (this.lateForced) {
        // The resumed backchannel was the start of more: barge in on it now.
        this.lateForced = false;
        this.backchannelResumeMs = Number.NaN;
        this.startMs = this.lastStartMs;
        return this.bargeIn(frameIndex);
      }
      if (!voiced) return "none";
      this.begin(frameIndex);
    }
    if (this.state === CANDIDATE) {
      if (this.forced) return this.bargeIn(frameIndex);
      if (!voiced) {
        if (++this.gap < this.options.gapFrames) return "none";
        const echo = this.echoSeen;
        this.state = IDLE;
        this.startMs = Number.NaN;
        return echo ? "ignoredEcho" : "none";
      }
      this.gap = 0;
      this.voiced++;
      if (!speech || this.voiced < this.duckFrames) return "none";
      if (this.echo.isEcho(frameIndex)) {
        // Explained by our own voice so far: the caller's own speech, if any, starts after this.
        this.echoSeen = true;
        this.startMs = (frameIndex + 1) * 20;
        this.voiced = 0;
        return "none";
      }
      this.state = HELD;
      this.holdMs = (frameIndex + 1) * 20;
      return "hold";
    }
    // HELD
    if (this.forced) return this.bargeIn(frameIndex);
    if (voiced) {
      if (this.silent > 0) {
        // New speech after the held one stopped: the caller starts (again) here.
        this.startMs = frameIndex * 20;
        this.voiced = 0;
        this.vetoed = false;
      }
      this.gap = 0;
      this.silent = 0;
      if (++this.voiced >= this.confirmFrames) return this.bargeIn(frameIndex);
      return "none";
    }
    if (this.gap < this.options.gapFrames) {
      this.gap++;
      return "none";
    }
    // The speech has stopped: a backchannel's words resume at once; otherwise wait for words.
    this.silent++;
    if (this.vetoed) {
      this.backchannelResumeMs = (frameIndex + 1) * 20;
      return this.resume("backchannel");
    }
    if (this.silent >= this.waitFrames) return this.resume(this.echoSeen ? "echo" : "noise");
    return "none";
  }

  /**
   * Words heard during the candidate (the latest interim or final text covering it): only a
   * backchannel vetoes it, anything more forces a barge-in at the next frame.
   */
  words(text: string): void {
    if (this.state === IDLE || !text.trim()) return;
    if (isBackchannel(text)) this.vetoed = true;
    else this.forced = true;
  }

  /**
   * Words that arrive with no candidate in progress, covering audio up to `endMs`, at audio ms
   * `nowMs`: if they extend the speech last resumed as a backchannel into more than one, the
   * next frame barges in on it (the agent stops and the caller's turn starts from it).
   * Returns true when they did.
   */
  lateWords(text: string, endMs: number, nowMs: number): boolean {
    if (this.state !== IDLE || Number.isNaN(this.backchannelResumeMs)) return false;
    if (nowMs - this.backchannelResumeMs > this.options.lateWordsMs) {
      this.backchannelResumeMs = Number.NaN;
      return false;
    }
    if (endMs < this.lastStartMs || !text.trim() || isBackchannel(text)) return false;
    this.lateForced = true;
    return true;
  }

  private bargeIn(frameIndex: number): BargeInVerdict {
    if (this.state !== HELD) this.holdMs = (frameIndex + 1) * 20;
    this.lastStartMs = this.startMs;
    this.startMs = Number.NaN;
    this.state = IDLE;
    return "bargeIn";
  }

  private resume(why: ResumeWhy): BargeInVerdict {
    this.resumeWhy = why;
    this.lastStartMs = this.startMs;
    this.startMs = Number.NaN;
    this.state = IDLE;
    return "resume";
  }

  /** Forget any candidate (the agent stopped). */
  reset(): void {
    this.startMs = Number.NaN;
    this.state = IDLE;
    this.lateForced = false;
    this.backchannelResumeMs = Number.NaN;
  }
}
