/**
 * Streaming answering-machine detection (AMD) from the first audio after answer.
 *
 * Evidence, in the order it usually arrives:
 * - transcript cues ("leave a message", "you've reached"…) from speech-to-text, when pushed:
 *   machine at once;
 * - the beep: machine at once, and the greeting has ended;
 * - special information tones (a carrier intercept message follows): machine at once;
 * - timing: a greeting that runs on past `maxHumanGreetingMs` is a recording (people who pick up
 *   say a few words and wait); a greeting followed by `humanSilenceMs` of silence is a person
 *   waiting for us to speak.
 *
 * Compared with Asterisk's app_amd (initial silence 2500 ms, greeting 1500 ms, after-greeting
 * silence 800 ms, total 5000 ms, ≥ 3 words = machine), a multi-word human answer ("Hi, this is
 * David, how can I help?") is not a machine here: words are not counted, only how long the talker
 * goes on without leaving room for a reply; and a long silence before anyone speaks is not taken
 * as a machine (people pick up and wait).
 *
 * After a machine verdict the detector keeps listening for the beep and reports
 * `greetingEnded` (by the beep, or by `greetingEndSilenceMs` of silence) so a message left on the
 * machine starts right after the greeting, not over it.
 *
 * Pure and deadline driven: every input carries its audio time; `nextDeadlineMs()` says when the
 * detector must be woken with `tick(atMs)` if no audio arrives before then.
 */
import { createFeatureExtractor, type FrameFeatures } from "./audio/features.ts";
import { createBeepDetector, type BeepEvent } from "./beep.ts";
import { createVad, DEFAULT_VAD_OPTIONS, type VadFrame, type VadOptions } from "./vad.ts";
import { findMachineCue } from "./amd/cues.ts";
import { createSitDetector } from "./amd/sit.ts";

/** The answer. */
export type AmdVerdict = "human" | "machine" | "unknown";

/** AMD options (ms options are converted to frame counts once where counted in frames). */
export interface AmdOptions {
  /** Sample rate in Hz. Default 8000. */
  sampleRateHz: number;
  /** Frame length in ms. Default 20. */
  frameMs: number;
  /** A greeting still going after this long (from its first speech) is a machine, ms. Default 3400. */
  maxHumanGreetingMs: number;
  /**
   * The same limit once speech-to-text is delivering words without any machine cue, ms.
   * Transcripts catch recorded greetings early by their wording, so timing can give a person
   * who opens with a long sentence more room. Default 6000.
   */
  maxHumanGreetingWithTranscriptMs: number;
  /** Silence after a greeting that makes it a human waiting for us, ms. Default 600. */
  humanSilenceMs: number;
  /**
   * Extra silence required per second of greeting beyond the first, ms per s. A recorded
   * greeting pauses between its sentences; a person who said a long sentence then waits.
   * Default 60.
   */
  humanSilencePerGreetingSecondMs: number;
  /** Speech needed before a silence can mean "human", ms of speech frames. Default 120. */
  minGreetingMs: number;
  /** Consecutive speech-like frames needed to count as speech (clicks are not), ms. Default 40. */
  minSpeechRunMs: number;
  /** Nothing heard for this long after answer: verdict unknown, ms. Default 5000. */
  initialSilenceMs: number;
  /** Give up after this long after answer (machine if still talking, else unknown), ms. Default 8000. */
  totalAnalysisMs: number;
  /** After a machine verdict, silence that ends the greeting when no beep came, ms. Default 2000. */
  greetingEndSilenceMs: number;
  /**
   * Music heard this long (by the VAD's music cue) with nobody speaking over it is a machine:
   * an IVR or hold queue, not a person, ms. Default 3000.
   */
  musicMachineMs: number;
  /**
   * Speech-to-text results will be pushed (`pushTranscript`), as the call engine always does.
   * Then music (the VAD's music cue) before any word has been heard is music, not a greeting:
   * hold music before a person picks up is not a long greeting, and music alone is a machine
   * (`musicMachineMs`). Once words come, the detector reads the ungated decision again, so a
   * person talking over music in the room is still heard. Needs the VAD frames of a VAD that
   * rejects music (the engine's), whose music cue is read. Default false (audio only).
   */
  expectTranscripts: boolean;
  /** Overrides of the AMD's own voice-activity detector. */
  vad: Partial<VadOptions>;
}

/** Defaults, tuned on the fixture corpus (see bench/amd.ts). */
export const DEFAULT_AMD_OPTIONS: Readonly<AmdOptions> = Object.freeze({
  sampleRateHz: 8000,
  frameMs: 20,
  maxHumanGreetingMs: 3400,
  maxHumanGreetingWithTranscriptMs: 6000,
  humanSilenceMs: 600,
  humanSilencePerGreetingSecondMs: 60,
  minGreetingMs: 120,
  minSpeechRunMs: 40,
  initialSilenceMs: 5000,
  totalAnalysisMs: 8000,
  greetingEndSilenceMs: 2000,
  musicMachineMs: 3000,
  expectTranscripts: false,
  // Music rejection stays off here: it also mutes a person talking over music in the room
  // (corpus human-noisy-*), which costs more calls than it saves (bench/amd.ts: 98.2 % vs
  // 95.2 %). Off, the detector reads a shared VAD's ungated decision (`VadFrame.ungatedRaw`),
  // so the engine's one music-rejecting VAD serves it. The music rules below apply when a
  // caller turns it on with `vad: { rejectMusic: true }`.
  vad: Object.freeze({ rejectMusic: false }),
});

/** What the detector reports. All times are audio ms. */
export type AmdEvent =
  | { type: "verdict"; verdict: AmdVerdict; atMs: number; reason: string }
  | { type: "beep"; beep: BeepEvent }
  | {
      type: "greetingEnded";
      /** Where the greeting (or the beep) ended. */
      atMs: number;
      by: "beep" | "silence";
      /** When the detector could tell (≥ atMs). */
      detectedAtMs: number;
    };

/** A streaming answering-machine detector (one per call). */
export interface Amd {
  readonly options: Readonly<AmdOptions>;
  /**
   * Push the next inbound frame whose audio starts at `atMs` (frames must be consecutive, as the
   * jitter buffer delivers them). `features` may come from a shared extractor for this frame.
   * `vad` may be the caller's own VAD result for this very frame (a VAD with the same options
   * as `AmdOptions.vad`, apart from `rejectMusic`: with it off here, the detector reads the
   * frame's ungated fields, so the engine's music-rejecting VAD serves): the detector then runs
   * no VAD of its own.
   */
  push(frame: Int16Array, atMs: number, features?: FrameFeatures, vad?: VadFrame): readonly AmdEvent[];
  /**
   * Push a speech-to-text result (interim or final) received at audio time `atMs`. Interim
   * texts replace each other; finals accumulate.
   */
  pushTranscript(text: string, atMs: number, isFinal: boolean): readonly AmdEvent[];
  /** Advance time without audio (a stall); treated as silence. */
  tick(atMs: number): readonly AmdEvent[];
  /** When to call `tick` at the latest if no audio arrives, audio ms; null when done. */
  nextDeadlineMs(): number | null;
  /** The verdict so far (null while undecided). */
  readonly verdict: AmdVerdict | null;
  /** When the verdict was reached, audio ms (null while undecided). */
  readonly decidedAtMs: number | null;
  /** Why. */
  readonly reason: string | null;
  /** The first beep heard (null if none). */
  readonly beep: BeepEvent | null;
}

/** What `push`, `tick` and `pushTranscript` return when nothing happened (shared, frozen). */
const NO_EVENTS: readonly AmdEvent[] = Object.freeze([]);

/** Create a detector. */
export function createAmd(opts: Partial<AmdOptions> = {}): Amd {
  const o: Readonly<AmdOptions> = Object.freeze({ ...DEFAULT_AMD_OPTIONS, ...opts });
  const frameSamples = Math.round((o.sampleRateHz * o.frameMs) / 1000);
  const minRunFrames = Math.max(1, Math.round(o.minSpeechRunMs / o.frameMs));
  const extractor = createFeatureExtractor({ sampleRateHz: o.sampleRateHz, frameSamples });
  // Created on first use: a caller that passes its own VadFrame never pays for it.
  let ownVad: ReturnType<typeof createVad> | null = null;
  const rejectMusic = o.vad.rejectMusic ?? DEFAULT_VAD_OPTIONS.rejectMusic;
  const sit = createSitDetector();
  let beeper: ReturnType<typeof createBeepDetector> | null = null;

  let originMs: number | null = null;
  let nowMs = 0;
  let verdict: AmdVerdict | null = null;
  let decidedAtMs: number | null = null;
  let reason: string | null = null;
  let firstBeep: BeepEvent | null = null;
  let greetingEnded = false;

  // Speech tracking (frames of the AMD's own VAD, raw decision, tones excluded).
  let runFrames = 0; // current run of speech-like frames
  let greetingStartMs: number | null = null;
  let lastSpeechEndMs: number | null = null;
  let speaking = false; // inside a confirmed speech run
  let voicedMs = 0;
  let finalText = "";
  let transcriptWords = false;
  let musicMs = 0; // music heard since the last speech
  let inMusic = false;

  const events: AmdEvent[] = [];

  function decide(v: AmdVerdict, atMs: number, why: string): void {
    if (verdict !== null) return;
    verdict = v;
    decidedAtMs = atMs;
    reason = why;
    events.push({ type: "verdict", verdict: v, atMs, reason: why });
  }

  function endGreeting(atMs: number, by: "beep" | "silence", detectedAtMs: number): void {
    if (greetingEnded) return;
    greetingEnded = true;
    events.push({ type: "greetingEnded", atMs, by, detectedAtMs });
  }

  function onBeep(b: BeepEvent, detectedAtMs: number): void {
    if (firstBeep === null) firstBeep = b;
    events.push({ type: "beep", beep: b });
    // A beep after a greeting is the machine's cue to record (ITU-T has no standard; every
    // voicemail system plays one steady tone).
    decide("machine", detectedAtMs, `beep ${Math.round(b.frequencyHz)} Hz`);
    if (verdict === "machine") endGreeting(b.endMs, "beep", detectedAtMs);
  }

  /** Silence that makes a greeting of `spanMs` a human waiting for a reply. */
  function humanSilenceFor(spanMs: number): number {
    return o.humanSilenceMs + (o.humanSilencePerGreetingSecondMs * Math.max(0, spanMs - 1000)) / 1000;
  }

  function evaluate(t: number, toneActive: boolean): void {
    if (originMs === null) return;
    const sinceAnswer = t - originMs;
    if (verdict === null) {
      if (greetingStartMs !== null) {
        const spanMs = (speaking ? t : (lastSpeechEndMs ?? t)) - greetingStartMs;
        const silenceMs = speaking || lastSpeechEndMs === null ? 0 : t - lastSpeechEndMs;
        const limitMs = transcriptWords ? o.maxHumanGreetingWithTranscriptMs : o.maxHumanGreetingMs;
        if (spanMs >= limitMs) {
          decide("machine", t, `greeting longer than ${limitMs} ms`);
        } else if (silenceMs >= humanSilenceFor(spanMs) && voicedMs >= o.minGreetingMs && !toneActive) {
          decide("human", t, `short greeting (${Math.round(spanMs)} ms) then silence`);
        }
      }
      if (verdict === null && voicedMs < o.minGreetingMs && sinceAnswer >= o.initialSilenceMs && !toneActive) {
        decide("unknown", t, `no speech in ${o.initialSilenceMs} ms`);
      }
      if (verdict === null && sinceAnswer >= o.totalAnalysisMs) {
        if (speaking) decide("machine", t, `still talking after ${o.totalAnalysisMs} ms`);
        else decide("unknown", t, `no decision in ${o.totalAnalysisMs} ms`);
      }
    }
    if (verdict === "machine" && !greetingEnded && !speaking && !toneActive) {
      const quietSince = lastSpeechEndMs ?? decidedAtMs ?? t;
      if (t - quietSince >= o.greetingEndSilenceMs) endGreeting(quietSince, "silence", t);
    }
  }

  function startAt(atMs: number): void {
    if (originMs !== null) return;
    originMs = atMs;
    nowMs = atMs;
    beeper = createBeepDetector({ sampleRateHz: o.sampleRateHz, frameMs: o.frameMs, originMs: atMs });
  }

  function drain(): readonly AmdEvent[] {
    // Nearly every frame has nothing to report: hand out one shared empty list, not a new one.
    if (events.length === 0) return NO_EVENTS;
    const out = events.slice();
    events.length = 0;
    return out;
  }

  function push(frame: Int16Array, atMs: number, features?: FrameFeatures, vadFrame?: VadFrame): readonly AmdEvent[] {
    startAt(atMs);
    const f = features ?? extractor.compute(frame);
    const v: VadFrame =
      vadFrame ?? (ownVad ??= createVad({ sampleRateHz: o.sampleRateHz, frameMs: o.frameMs, ...o.vad })).push(frame, f);
    // With music rejection off (the default) the detector reads the VAD's ungated decision, so a
    // caller's VAD that rejects music (the engine's, for turn-taking) serves here unchanged.
    const music = (rejectMusic || (o.expectTranscripts && !transcriptWords)) && v.music;
    const raw = rejectMusic ? v.raw : v.ungatedRaw;
    const beep = beeper!.push(frame, f);
    const end = atMs + o.frameMs;
    // A tone in progress, or one just ended and awaiting confirmation, may be the beep.
    const tone = beeper!.activeTone() ?? (beeper!.pending ? { startMs: end, frequencyHz: 0, durationMs: 0 } : null);
    nowMs = end;
    // Music: what the VAD took for speech before the music cue engaged was the music, not a
    // greeting; forget it. Silence is not counted during music, and notes are not beeps.
    if (music) {
      if (!inMusic) {
        greetingStartMs = null;
        lastSpeechEndMs = null;
        voicedMs = 0;
        speaking = false;
        runFrames = 0;
      }
      musicMs += o.frameMs;
    }
    inMusic = music;
    const speechLike = raw && !v.tone && tone === null && !music;
    if (speechLike) {
      runFrames++;
      if (runFrames >= minRunFrames) {
        if (!speaking) {
          speaking = true;
          // Expecting words and none heard yet, speech-like sounds between notes are the music's.
          if (transcriptWords || !o.expectTranscripts) musicMs = 0;
          const runStart = end - runFrames * o.frameMs;
          if (greetingStartMs === null) greetingStartMs = runStart;
          voicedMs += runFrames * o.frameMs;
        } else {
          voicedMs += o.frameMs;
        }
        lastSpeechEndMs = end;
      }
    } else {
      runFrames = 0;
      speaking = false;
    }
    if (beep && !music) onBeep(beep, end);
    // Special information tones announce a carrier's recorded message (see amd/sit.ts).
    if (sit.push(f)) decide("machine", end, "special information tone");
    if (verdict === null && musicMs >= o.musicMachineMs && greetingStartMs === null) {
      decide("machine", end, `music for ${musicMs} ms, nobody speaking`);
    }
    evaluate(end, tone !== null || music);
    return drain();
  }

  function pushTranscript(text: string, atMs: number, isFinal: boolean): readonly AmdEvent[] {
    const all = isFinal ? (finalText = `${finalText} ${text}`) : `${finalText} ${text}`;
    if (text.trim() !== "") transcriptWords = true;
    // Once decided, a cue changes nothing: spare the phrase search on every interim result.
    const cue = verdict === null ? findMachineCue(all) : null;
    if (cue !== null) decide("machine", Math.max(atMs, nowMs), `transcript: "${cue}"`);
    return drain();
  }

  function tick(atMs: number): readonly AmdEvent[] {
    if (originMs === null) startAt(atMs);
    if (atMs > nowMs) {
      nowMs = atMs;
      speaking = false;
      runFrames = 0;
    }
    evaluate(nowMs, false);
    return drain();
  }

  function nextDeadlineMs(): number | null {
    if (originMs === null) return null;
    if (verdict === null) {
      let d = originMs + o.totalAnalysisMs;
      if (voicedMs < o.minGreetingMs) d = Math.min(d, originMs + o.initialSilenceMs);
      else if (lastSpeechEndMs !== null && greetingStartMs !== null) {
        // While speaking, audio that stops arriving will be taken as silence from now on.
        const quietSince = speaking ? nowMs : lastSpeechEndMs;
        d = Math.min(d, quietSince + humanSilenceFor(quietSince - greetingStartMs));
      }
      return Math.max(d, nowMs);
    }
    if (verdict === "machine" && !greetingEnded) {
      const quietSince = speaking ? nowMs : (lastSpeechEndMs ?? decidedAtMs ?? nowMs);
      return Math.max(quietSince + o.greetingEndSilenceMs, nowMs);
    }
    return null;
  }

  return {
    options: o,
    push,
    pushTranscript,
    tick,
    nextDeadlineMs,
    get verdict() {
      return verdict;
    },
    get decidedAtMs() {
      return decidedAtMs;
    },
    get reason() {
      return reason;
    },
    get beep() {
      return firstBeep;
    },
  };
}
