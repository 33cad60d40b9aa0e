/**
 * Voice activity detection for 8 kHz telephone audio, streaming, one 20 ms frame at a time.
 *
 * Per frame, a speech score in 0..1 combines:
 * - loudness above an adaptive noise floor (minimum statistics, see audio/noise-floor.ts);
 * - voicing (periodicity of the spectrum in the 70–400 Hz pitch range);
 * - spectral shape: white-ish line noise is flat, a steady tone puts almost all its power in one
 *   narrow peak; both are pushed down whatever their loudness.
 * The per-frame decision (`raw`) is smoothed by hysteresis counted in frames: speech starts after
 * `onsetMs` of speech-like frames and ends after `hangoverMs` without any, or sooner
 * (`clearHangoverMs`) when those frames are clearly not speech: a real pause, not a weak
 * consonant (ten-vad's labels mark pauses down to 50–250 ms between phrases).
 * Each speech segment also gets settled boundaries, final once its onset or offset is declared:
 * it starts `preRollMs` before its first speech-like frame (a talker's first sounds are quieter
 * than the frames that confirm the onset) and, when it ended on clearly-not-speech frames, it
 * ends `endPadMs` after the first of them rather than after the hangover. The live decision
 * (`speech`) drives barge-in and turn-taking as it happens; the settled one (`settledAt`) is the
 * detector's final word on which frames were speech, at most the hangover later.
 * Two decision streams share the cues: the gated one (music is not speech) and an ungated one
 * (`ungated*` fields, as with `rejectMusic: false`) for the answering-machine detector, which
 * must not lose a person talking over room music.
 *
 * Pure: no clock; time is the count of frames pushed.
 */
import { createFeatureExtractor, type FrameFeatures } from "./audio/features.ts";
import { createMusicDetector, type MusicOptions } from "./audio/music.ts";
import { createNoiseFloor, type NoiseFloor } from "./audio/noise-floor.ts";

/** VAD options. Millisecond options are converted to frame counts once, at construction. */
export interface VadOptions {
  /** Sample rate in Hz. Default 8000. */
  sampleRateHz: number;
  /** Frame length in ms. Default 20 (160 samples at 8 kHz). */
  frameMs: number;
  /** Speech-like time needed to switch to speech, ms. Default 40. */
  onsetMs: number;
  /** Non-speech time needed to switch back to silence, ms. Default 240. */
  hangoverMs: number;
  /**
   * Shorter hangover when every frame since the last speech-like one was clearly not speech
   * (score below `clearScore`): a real pause between phrases rather than a weak consonant or a
   * fading vowel, ms. Default 100.
   */
  clearHangoverMs: number;
  /** Score below which a frame is clearly not speech (for `clearHangoverMs`), 0..1. Default 0.15. */
  clearScore: number;
  /** A settled speech segment starts this long before its first speech-like frame, ms. Default 60. */
  preRollMs: number;
  /**
   * A settled speech segment that ended on clearly-not-speech frames (`clearHangoverMs`) ends this
   * long after the first of them, ms (at most where the live decision ended). Default 40.
   */
  endPadMs: number;
  /** Score at or above which a frame counts as speech-like while in silence, 0..1. */
  startThreshold: number;
  /** Score at or above which a frame counts as speech-like while in speech, 0..1. */
  stayThreshold: number;
  /** Sub-band SNR in dB where the SNR cue is neutral. Default 6. */
  snrPivotDb: number;
  /** Logit per dB of SNR above the pivot. */
  snrWeight: number;
  /** Speech-band level in dBFS where the level cue is neutral. Default −40. */
  levelPivotDb: number;
  /** Logit per dB of level above the pivot. */
  levelWeight: number;
  /** Logit per unit of periodicity above 0.2. */
  voicingWeight: number;
  /** Logit per unit of spectral flatness above 0.3 (subtracted). */
  flatnessWeight: number;
  /** Logit offset. */
  scoreBias: number;
  /** Frames quieter than this (dBFS) are never speech. Default −55. */
  minSpeechDb: number;
  /** Noise floor guess before any audio, dBFS. Default −50. */
  initialNoiseFloorDb: number;
  /** Lowest noise floor, dBFS. Default −70 (mu-law idle channel noise sits below). */
  minNoiseFloorDb: number;
  /** Window of the noise floor minimum search, ms. Default 2000. */
  noiseWindowMs: number;
  /** A frame whose two strongest peaks hold this share of power is a dual tone (DTMF). */
  dualToneRatio: number;
  /** Largest frame-to-frame drift of a tone's peak, Hz. Default 3. */
  toneSteadyHz: number;
  /** Weight of the newest frame's score in the 1-pole score smoother, 0..1 (1 = no smoothing). */
  scoreSmoothing: number;
  /** A frame whose strongest ±62 Hz peak holds this share of power is tonal (a tone if steady). */
  toneRatio: number;
  /** Treat music (steady harmonic partials, see audio/music.ts) as non-speech. Default true. */
  rejectMusic: boolean;
  /** Overrides of the music detector (counts in frames). */
  music: Partial<MusicOptions>;
  /**
   * Read a frame's voicing (a second transform) only when it can change a decision; the other
   * frames report their score at the voicing's neutral point. Decisions are the same either way.
   * Applies when `scoreSmoothing` is 1 (the default). Default true.
   */
  lazyVoicing: boolean;
}

/** Defaults, hand-tuned on telephone-band speech (see bench/vad.ts). */
export const DEFAULT_VAD_OPTIONS: Readonly<VadOptions> = Object.freeze({
  sampleRateHz: 8000,
  frameMs: 20,
  onsetMs: 40,
  hangoverMs: 240,
  clearHangoverMs: 100,
  clearScore: 0.15,
  preRollMs: 60,
  endPadMs: 40,
  startThreshold: 0.5,
  stayThreshold: 0.4,
  snrPivotDb: 6,
  snrWeight: 0.09,
  levelPivotDb: -40,
  levelWeight: 0.05,
  voicingWeight: 3.5,
  flatnessWeight: 0.5,
  scoreBias: -1,
  minSpeechDb: -55,
  initialNoiseFloorDb: -50,
  minNoiseFloorDb: -70,
  noiseWindowMs: 2000,
  toneRatio: 0.8,
  dualToneRatio: 0.9,
  toneSteadyHz: 3,
  scoreSmoothing: 1,
  rejectMusic: true,
  music: Object.freeze({}),
  lazyVoicing: true,
});

/** The VAD's view of one frame. */
export interface VadFrame {
  /** Smoothed decision (with onset delay and hangover). */
  speech: boolean;
  /** Per-frame decision before smoothing. */
  raw: boolean;
  /** Speech score of this frame, 0..1 (see `VadOptions.lazyVoicing`). */
  score: number;
  /** Frame energy in the 300–3400 Hz band, dBFS. */
  energyDb: number;
  /** Noise floor (300–3400 Hz band) the frame was compared with, dBFS. */
  noiseFloorDb: number;
  /** True on the first frame of a speech segment. */
  onset: boolean;
  /** True on the first frame after a speech segment ended. */
  offset: boolean;
  /**
   * The segment's settled boundary, as a frame index (frames pushed before it; the first frame
   * is 0): on an `onset` frame the first frame of the segment (`preRollMs` before its first
   * speech-like frame, never inside the previous segment), on an `offset` frame the first frame
   * after it (`endPadMs` after the first clearly-not-speech frame when the segment ended on
   * those, else this frame). −1 on other frames.
   */
  settledAt: number;
  /** The frame looked like a steady tone (not speech whatever its loudness). */
  tone: boolean;
  /** The stream is in music (hold music, a jingle): not speech whatever its loudness. */
  music: boolean;
  /**
   * The same decisions as if music were not rejected (`rejectMusic: false`): a person talking
   * over music in the room is still speech here. Equal to `speech`/`raw`/`score` whenever the
   * stream is not in music or `rejectMusic` is off. The answering-machine detector reads these,
   * so one VAD serves both the turn-taking (gated) and the AMD (ungated).
   */
  ungatedSpeech: boolean;
  /** Per-frame decision before smoothing, ignoring the music cue (see `ungatedSpeech`). */
  ungatedRaw: boolean;
  /** Speech score of this frame ignoring the music cue, 0..1. */
  ungatedScore: number;
}

/** A streaming VAD instance (one per audio stream). */
export interface Vad {
  readonly options: Readonly<VadOptions>;
  /**
   * Push the next frame (frameMs of PCM16). Pass `features` when a shared extractor already
   * computed them for this very frame; otherwise the VAD computes its own. The returned object
   * is reused: copy fields you keep.
   */
  push(frame: Int16Array, features?: FrameFeatures): VadFrame;
  /** Frames pushed so far. */
  readonly frames: number;
  /** Current smoothed decision. */
  readonly speech: boolean;
}


/**
 * The speech score of a frame is a logistic of hand-weighted cues; this is its logit without the
 * voicing term (`voicingLogit`), −Infinity below `minSpeechDb`. Weights were set by hand after
 * inspecting a frame-level logistic fit on half of the ten-vad set (checked on the other half):
 * the best sub-band SNR carries most of the evidence, then voicing, then the absolute speech-band
 * level (telephone talkers sit around −35..−15 dBFS, line noise far below). `snrBestDb` is the
 * best sub-band SNR, `snrTotalDb` the whole-band one.
 */
function baseLogit(f: FrameFeatures, snrBestDb: number, snrTotalDb: number, o: Readonly<VadOptions>): number {
  if (f.speechBandDb < o.minSpeechDb) return -Infinity;
  const snrBest = snrBestDb < -5 ? -5 : snrBestDb > 30 ? 30 : snrBestDb;
  const snrTotal = snrTotalDb < -5 ? -5 : snrTotalDb > 30 ? 30 : snrTotalDb;
  const level = f.speechBandDb < -70 ? -70 : f.speechBandDb > -10 ? -10 : f.speechBandDb;
  return (
    o.scoreBias +
    o.snrWeight * (snrBest - o.snrPivotDb) +
    0.3 * o.snrWeight * (snrTotal - o.snrPivotDb) +
    o.levelWeight * (level - o.levelPivotDb) -
    o.flatnessWeight * (f.flatness - 0.3)
  );
}

/** The voicing term of the logit for a periodicity of `p` (0..1). */
function voicingLogit(p: number, o: Readonly<VadOptions>): number {
  return o.voicingWeight * (p - 0.2);
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/**
 * One or two steady pure tones (a beep, DTMF, a dial or busy tone): never speech. A voiced frame
 * can put 96 % of its power in one harmonic, but its pitch moves from frame to frame; a tone
 * generator's frequency does not. So a frame is a tone when it is tonal and its peak(s) stayed
 * within `toneSteadyHz` of the previous frame's.
 */
export function isSteadyTone(f: FrameFeatures, prev: ToneMemory, o: Readonly<VadOptions>): boolean {
  const single = f.peakRatio >= o.toneRatio && prev.peakRatio >= o.toneRatio && Math.abs(f.peakHz - prev.peakHz) <= o.toneSteadyHz;
  const dual =
    f.twoPeakRatio >= o.dualToneRatio &&
    prev.twoPeakRatio >= o.dualToneRatio &&
    // The two peaks may swap rank from frame to frame when they are about equally strong.
    ((Math.abs(f.peakHz - prev.peakHz) <= o.toneSteadyHz && Math.abs(f.secondPeakHz - prev.secondPeakHz) <= o.toneSteadyHz) ||
      (Math.abs(f.peakHz - prev.secondPeakHz) <= o.toneSteadyHz && Math.abs(f.secondPeakHz - prev.peakHz) <= o.toneSteadyHz));
  return single || dual;
}

/** The previous frame's peaks, for `isSteadyTone`. */
export interface ToneMemory {
  peakHz: number;
  peakRatio: number;
  secondPeakHz: number;
  twoPeakRatio: number;
}

/** The VAD's noise floors and the span of their minimum search (see `createVadNoiseFloors`). */
export interface VadNoiseFloors {
  /** Floor of the whole 300–3400 Hz band. */
  floor: NoiseFloor;
  /** Floors of bands 1..3 of BAND_EDGES_HZ. */
  bandFloors: NoiseFloor[];
  /** Frames the minimum search spans. */
  windowFrames: number;
}

/**
 * One floor for the whole 300–3400 Hz band and one per sub-band (bands 1..3 of BAND_EDGES_HZ):
 * rumble or hiss confined to one band must not mask speech in the others.
 */
export function createVadNoiseFloors(o: Readonly<VadOptions>): VadNoiseFloors {
  const subWindowFrames = Math.max(1, Math.round(250 / o.frameMs));
  const subWindows = Math.max(1, Math.round(o.noiseWindowMs / o.frameMs / subWindowFrames));
  const floorOptions = {
    subWindowFrames,
    subWindows,
    biasDb: 1.5,
    minFloorDb: o.minNoiseFloorDb,
    initialFloorDb: o.initialNoiseFloorDb,
    smoothing: 0.5,
  };
  return {
    floor: createNoiseFloor(floorOptions),
    bandFloors: [1, 2, 3].map(() => createNoiseFloor({ ...floorOptions, initialFloorDb: o.initialNoiseFloorDb - 5 })),
    windowFrames: subWindows * subWindowFrames,
  };
}

/** Create a VAD. */
export function createVad(opts: Partial<VadOptions> = {}): Vad {
  const o: Readonly<VadOptions> = Object.freeze({ ...DEFAULT_VAD_OPTIONS, ...opts });
  const frameSamples = Math.round((o.sampleRateHz * o.frameMs) / 1000);
  const onsetFrames = Math.max(1, Math.round(o.onsetMs / o.frameMs));
  const hangoverFrames = Math.max(1, Math.round(o.hangoverMs / o.frameMs));
  const clearHangoverFrames = Math.max(1, Math.min(hangoverFrames, Math.round(o.clearHangoverMs / o.frameMs)));
  const extractor = createFeatureExtractor({ sampleRateHz: o.sampleRateHz, frameSamples });
  const { floor, bandFloors } = createVadNoiseFloors(o);
  const gated = createHysteresis(onsetFrames, hangoverFrames, clearHangoverFrames, o);
  const ungated = createHysteresis(onsetFrames, hangoverFrames, clearHangoverFrames, o);
  const preRollFrames = Math.max(0, Math.round(o.preRollMs / o.frameMs));
  // The offset frame is the last of the clear run, so the live segment holds all but one of it.
  const endPadFrames = Math.max(0, Math.min(clearHangoverFrames - 1, Math.round(o.endPadMs / o.frameMs)));
  let settledEnd = 0; // first frame after the last settled segment
  let frames = 0;
  const musicDetector = createMusicDetector(o.music);
  const prevPeaks: ToneMemory = { peakHz: 0, peakRatio: 0, secondPeakHz: 0, twoPeakRatio: 0 };
  const out: VadFrame = {
    speech: false,
    raw: false,
    score: 0,
    energyDb: -100,
    noiseFloorDb: o.initialNoiseFloorDb,
    onset: false,
    offset: false,
    settledAt: -1,
    tone: false,
    music: false,
    ungatedSpeech: false,
    ungatedRaw: false,
    ungatedScore: 0,
  };

  // Thresholds the score is compared with (see createHysteresis); when the score is not smoothed,
  // a frame whose score lies beyond all of them whatever its voicing decides the same without it.
  // Compared as logits (no exponential per frame), with a hair of margin so that rounding at a
  // threshold never decides a frame the exact score would leave undecided.
  const logit = (p: number): number => Math.log(p / (1 - p));
  const lowestLogit = logit(Math.min(o.startThreshold, o.stayThreshold, o.clearScore)) - 1e-9;
  const highestLogit = logit(Math.max(o.startThreshold, o.stayThreshold, o.clearScore)) + 1e-9;
  const voicingLow = Math.min(voicingLogit(0, o), voicingLogit(1, o));
  const voicingHigh = Math.max(voicingLogit(0, o), voicingLogit(1, o));
  const voicingOptional = o.lazyVoicing && o.scoreSmoothing === 1;

  /**
   * The frame's speech score, 0..1, reading the voicing (a second transform) only when it can
   * change a decision: otherwise the score is reported as at the voicing's neutral point
   * (periodicity 0.2), on the same side of every threshold as the exact score.
   */
  function frameScore(f: FrameFeatures, snrBest: number, snrTotal: number): number {
    const z = baseLogit(f, snrBest, snrTotal, o);
    if (z === -Infinity) return 0;
    if (voicingOptional && (z + voicingLow >= highestLogit || z + voicingHigh < lowestLogit)) return sigmoid(z);
    return sigmoid(z + voicingLogit(f.periodicity, o));
  }

  function push(frame: Int16Array, features?: FrameFeatures): VadFrame {
    const f = features ?? extractor.compute(frame);
    // Compare with the floor as it stood before this frame, so a sudden loud frame is not
    // measured against itself.
    const noiseFloorDb = floor.floorDb;
    const snrTotal = f.speechBandDb - noiseFloorDb;
    // `noiseLike` only counts while the floors warm up (they all warm together).
    const noiseLike = floor.warming && f.flatness >= 0.4 && f.periodicity < 0.3;
    floor.push(f.speechBandDb, noiseLike);
    let snrBest = -100;
    for (let b = 0; b < 3; b++) {
      const bf = bandFloors[b]!;
      const e = f.bandDb[b + 1]!;
      const snr = e - bf.floorDb;
      if (snr > snrBest) snrBest = snr;
      bf.push(e, noiseLike);
    }
    const steadyTone = isSteadyTone(f, prevPeaks, o);
    prevPeaks.peakHz = f.peakHz;
    prevPeaks.peakRatio = f.peakRatio;
    prevPeaks.secondPeakHz = f.secondPeakHz;
    prevPeaks.twoPeakRatio = f.twoPeakRatio;
    const inMusic = musicDetector.push(f) && o.rejectMusic;
    const openScore = steadyTone ? 0 : frameScore(f, snrBest, snrTotal);
    gated.push(inMusic ? 0 : openScore);
    ungated.push(openScore);
    frames++;
    out.speech = gated.speech;
    out.raw = gated.raw;
    out.score = gated.score;
    out.energyDb = f.speechBandDb;
    out.noiseFloorDb = noiseFloorDb;
    out.onset = gated.onset;
    out.offset = gated.offset;
    out.settledAt = -1;
    const at = frames - 1; // this frame's index
    if (gated.onset) {
      // The onset run's first speech-like frame is onsetFrames − 1 frames back.
      out.settledAt = Math.max(settledEnd, at - (onsetFrames - 1) - preRollFrames, 0);
    } else if (gated.offset) {
      // Ended on clearly-not-speech frames: the first of them is endedOnClear − 1 frames back.
      settledEnd = gated.endedOnClear > 0 ? at - (gated.endedOnClear - 1) + endPadFrames : at;
      out.settledAt = settledEnd;
    }
    out.tone = steadyTone && snrTotal >= o.snrPivotDb;
    out.music = inMusic;
    out.ungatedSpeech = ungated.speech;
    out.ungatedRaw = ungated.raw;
    out.ungatedScore = ungated.score;
    return out;
  }

  return {
    options: o,
    push,
    get frames() {
      return frames;
    },
    get speech() {
      return gated.speech;
    },
  };
}

/** Score smoothing and hysteresis counted in frames: one per decision stream of a VAD. */
interface Hysteresis {
  /** Push the next frame's score; updates the fields below. */
  push(frameScore: number): void;
  speech: boolean;
  raw: boolean;
  score: number;
  onset: boolean;
  offset: boolean;
  /** On an offset frame: the length of the clearly-not-speech run that ended the segment, else 0. */
  endedOnClear: number;
}

function createHysteresis(onsetFrames: number, hangoverFrames: number, clearHangoverFrames: number, o: Readonly<VadOptions>): Hysteresis {
  let run = 0; // consecutive frames disagreeing with the current state
  let clearRun = 0; // in speech: consecutive clearly-not-speech frames ending the current run
  const h: Hysteresis = {
    speech: false,
    raw: false,
    score: 0,
    onset: false,
    offset: false,
    endedOnClear: 0,
    push(frameScore: number): void {
      h.score += o.scoreSmoothing * (frameScore - h.score);
      const speech = h.speech;
      h.raw = h.score >= (speech ? o.stayThreshold : o.startThreshold);
      h.onset = false;
      h.offset = false;
      h.endedOnClear = 0;
      if (h.raw !== speech) {
        run++;
        clearRun = speech && h.score < o.clearScore ? clearRun + 1 : 0;
        if (speech ? run >= hangoverFrames || clearRun >= clearHangoverFrames : run >= onsetFrames) {
          h.speech = !speech;
          h.onset = h.speech;
          h.offset = !h.speech;
          if (h.offset && clearRun >= clearHangoverFrames) h.endedOnClear = clearRun;
          run = 0;
          clearRun = 0;
        }
      } else {
        run = 0;
        clearRun = 0;
      }
    },
  };
  return h;
}
