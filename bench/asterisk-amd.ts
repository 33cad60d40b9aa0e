/**
 * Asterisk's app_amd algorithm (apps/app_amd.c), re-implemented from its documented behaviour
 * for comparison only: the product never uses it.
 *
 * Per frame: a frame is silence when its mean absolute sample is below `silenceThreshold`
 * (ast_dsp_silence). Silence runs ≥ betweenWordsSilence end a word; voice runs ≥
 * minimumWordLength start one. MACHINE on: initial silence ≥ initialSilence, voice ≥ greeting,
 * words ≥ maximumNumberOfWords, one word ≥ maximumWordLength. HUMAN on silence ≥
 * afterGreetingSilence once the greeting started. NOTSURE after totalAnalysisTime.
 */

/** app_amd parameters (amd.conf names), ms unless noted. */
export interface AsteriskAmdOptions {
  initialSilenceMs: number;
  greetingMs: number;
  afterGreetingSilenceMs: number;
  totalAnalysisTimeMs: number;
  minimumWordLengthMs: number;
  betweenWordsSilenceMs: number;
  maximumNumberOfWords: number;
  /** Mean absolute PCM16 amplitude below which a frame is silence. */
  silenceThreshold: number;
  maximumWordLengthMs: number;
  frameMs: number;
}

/** The values the issue cites (app_amd defaults, with 3 words). */
export const DEFAULT_ASTERISK_AMD_OPTIONS: Readonly<AsteriskAmdOptions> = Object.freeze({
  initialSilenceMs: 2500,
  greetingMs: 1500,
  afterGreetingSilenceMs: 800,
  totalAnalysisTimeMs: 5000,
  minimumWordLengthMs: 100,
  betweenWordsSilenceMs: 50,
  maximumNumberOfWords: 3,
  silenceThreshold: 256,
  maximumWordLengthMs: 5000,
  frameMs: 20,
});

/** app_amd's result: AMDSTATUS and AMDCAUSE, and when (ms of analysed audio). */
export interface AsteriskAmdResult {
  status: "HUMAN" | "MACHINE" | "NOTSURE";
  cause: string;
  atMs: number;
}

/** Run app_amd over consecutive frames; returns a result once decided (then ignores input). */
export function createAsteriskAmd(opts: Partial<AsteriskAmdOptions> = {}) {
  const o = { ...DEFAULT_ASTERISK_AMD_OPTIONS, ...opts };
  let totalTime = 0;
  let silenceDuration = 0; // the DSP's totalsilence
  let consecutiveVoice = 0;
  let voiceDuration = 0;
  let words = 0;
  let inWord = true; // app_amd starts in STATE_IN_WORD
  let inInitialSilence = true;
  let inGreeting = false;
  let result: AsteriskAmdResult | null = null;

  function push(frame: Int16Array): AsteriskAmdResult | null {
    if (result) return result;
    totalTime += o.frameMs;
    if (totalTime >= o.totalAnalysisTimeMs) return (result = { status: "NOTSURE", cause: `TOOLONG-${totalTime}`, atMs: totalTime });
    let acc = 0;
    for (let i = 0; i < frame.length; i++) acc += Math.abs(frame[i]!);
    const silent = acc / frame.length < o.silenceThreshold;
    silenceDuration = silent ? silenceDuration + o.frameMs : 0;
    if (silenceDuration >= o.betweenWordsSilenceMs) {
      inWord = false;
      consecutiveVoice = 0;
      if (inInitialSilence && silenceDuration >= o.initialSilenceMs) {
        return (result = { status: "MACHINE", cause: `INITIALSILENCE-${silenceDuration}-${o.initialSilenceMs}`, atMs: totalTime });
      }
      if (silenceDuration >= o.afterGreetingSilenceMs && inGreeting) {
        return (result = { status: "HUMAN", cause: `HUMAN-${silenceDuration}-${o.afterGreetingSilenceMs}`, atMs: totalTime });
      }
    } else if (!silent) {
      consecutiveVoice += o.frameMs;
      voiceDuration += o.frameMs;
      if (consecutiveVoice >= o.minimumWordLengthMs && !inWord) {
        words++;
        inWord = true;
      }
      if (consecutiveVoice >= o.maximumWordLengthMs) {
        return (result = { status: "MACHINE", cause: `MAXWORDLENGTH-${consecutiveVoice}`, atMs: totalTime });
      }
      if (words >= o.maximumNumberOfWords) {
        return (result = { status: "MACHINE", cause: `MAXWORDS-${words}-${o.maximumNumberOfWords}`, atMs: totalTime });
      }
      if (inGreeting && voiceDuration >= o.greetingMs) {
        return (result = { status: "MACHINE", cause: `LONGGREETING-${voiceDuration}-${o.greetingMs}`, atMs: totalTime });
      }
      if (voiceDuration >= o.minimumWordLengthMs) {
        inInitialSilence = false;
        inGreeting = true;
      }
    }
    return null;
  }

  return { push, get result() { return result; } };
}
