/**
 * A learned speech score for the VAD, as an experiment beside the engine: the per-frame input
 * vector (the engine's features and noise-floor SNRs of this frame and a short history), a tiny
 * network over it, and a VAD front end and hysteresis that mirror src/engine/vad.ts with the
 * network in place of the hand-set speech score. Pure (no I/O), like the engine, so it could be
 * moved under src/engine if a trained network ever beats the hand-set score.
 */
import type { FrameFeatures } from "../../src/engine/audio/features.ts";
import { createMusicDetector } from "../../src/engine/audio/music.ts";
import { createVadNoiseFloors, DEFAULT_VAD_OPTIONS, isSteadyTone, type ToneMemory, type VadOptions } from "../../src/engine/vad.ts";

/**
 * A one-hidden-layer network (ReLU) with a logistic output over the raw inputs (the trainer folds
 * its input normalisation into the first layer). `hidden` 0 is logistic regression.
 */
export interface VadModel {
  /** Number of inputs (must equal `MODEL_INPUTS`). */
  inputs: number;
  /** Hidden units (0: the output reads the inputs directly). */
  hidden: number;
  /** Hidden weights, row-major [hidden][inputs], and biases [hidden]. */
  w1: readonly number[];
  b1: readonly number[];
  /** Output weights [hidden] (or [inputs] when hidden is 0) and bias. */
  w2: readonly number[];
  b2: number;
}

/** Names of the inputs, in order (for the trainer's reports). */
export const MODEL_INPUT_NAMES: readonly string[] = Object.freeze([
  "snrBest",
  "snrTotal",
  "snrLow", // 300–1000 Hz band
  "snrMid", // 1000–2000 Hz
  "snrHigh", // 2000–3400 Hz
  "level",
  "floor",
  "periodicity",
  "flatness",
  "flux",
  "zcr",
  "centroid",
  "steadyShare",
  "peakRatio",
  "below300", // 0–300 Hz band relative to the speech band
  "above3400", // 3400–4000 Hz band relative to the speech band
  "quiet",
  "warmup", // share of the noise-floor window seen so far
  "snrBest-1",
  "snrBest-2",
  "periodicity-1",
  "periodicity-2",
  "snrBestMax8", // highest best-band SNR over the last 8 frames
  "snrBestMean8",
  "periodicityMax8",
  "fluxMean8",
  "steadySlow", // ~1 s average of the steady-peak share
  "snrBestSlow", // ~1 s average of the best-band SNR
]);

/** Number of inputs of the network. */
export const MODEL_INPUTS = MODEL_INPUT_NAMES.length;

/** Noise-floor SNRs the VAD measured for one frame (against the floors before this frame). */
export interface FrameSnr {
  /** Whole 300–3400 Hz band, dB. */
  total: number;
  /** Bands 1..3 of BAND_EDGES_HZ, dB. */
  low: number;
  mid: number;
  high: number;
  /** Whole-band noise floor, dBFS. */
  floorDb: number;
}

/** Builds the input vector frame by frame (keeps the short history). */
export interface ModelInputs {
  /** Inputs for this frame; the returned array is reused. */
  push(f: FrameFeatures, snr: Readonly<FrameSnr>, quietDb: number): Float64Array;
}

const HISTORY = 8;
const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** Create an input builder. `warmupFrames`: frames until the noise floor has seen a full window. */
export function createModelInputs(warmupFrames: number): ModelInputs {
  const x = new Float64Array(MODEL_INPUTS);
  const snrHist = new Float64Array(HISTORY).fill(-5);
  const perHist = new Float64Array(HISTORY);
  const fluxHist = new Float64Array(HISTORY);
  let slot = 0;
  let frames = 0;
  let steadySlow = 0;
  let snrSlow = 0;
  return {
    push(f: FrameFeatures, snr: Readonly<FrameSnr>, quietDb: number): Float64Array {
      const low = clamp(snr.low, -10, 40);
      const mid = clamp(snr.mid, -10, 40);
      const high = clamp(snr.high, -10, 40);
      const best = low > mid ? (low > high ? low : high) : mid > high ? mid : high;
      const quiet = f.speechBandDb < quietDb;
      const prev1 = snrHist[(slot + HISTORY - 1) % HISTORY]!;
      const prev2 = snrHist[(slot + HISTORY - 2) % HISTORY]!;
      const per1 = perHist[(slot + HISTORY - 1) % HISTORY]!;
      const per2 = perHist[(slot + HISTORY - 2) % HISTORY]!;
      snrHist[slot] = best;
      perHist[slot] = f.periodicity;
      fluxHist[slot] = f.spectralFlux;
      slot = (slot + 1) % HISTORY;
      let snrMax = -10;
      let snrSum = 0;
      let perMax = 0;
      let fluxSum = 0;
      for (let i = 0; i < HISTORY; i++) {
        const s = snrHist[i]!;
        if (s > snrMax) snrMax = s;
        snrSum += s;
        if (perHist[i]! > perMax) perMax = perHist[i]!;
        fluxSum += fluxHist[i]!;
      }
      frames++;
      const a = frames < 50 ? 1 / frames : 0.02;
      if (!quiet) steadySlow += a * (f.steadyPeakShare - steadySlow);
      snrSlow += a * (best - snrSlow);
      x[0] = best;
      x[1] = clamp(snr.total, -10, 40);
      x[2] = low;
      x[3] = mid;
      x[4] = high;
      x[5] = clamp(f.speechBandDb, -75, -5);
      x[6] = clamp(snr.floorDb, -75, -10);
      x[7] = f.periodicity;
      x[8] = f.flatness;
      x[9] = f.spectralFlux;
      x[10] = f.zeroCrossingRate;
      x[11] = f.centroidHz / 1000;
      x[12] = f.steadyPeakShare;
      x[13] = f.peakRatio;
      x[14] = clamp(f.bandDb[0]! - f.speechBandDb, -40, 20);
      x[15] = clamp(f.bandDb[4]! - f.speechBandDb, -40, 20);
      x[16] = quiet ? 1 : 0;
      x[17] = frames >= warmupFrames ? 1 : frames / warmupFrames;
      x[18] = prev1;
      x[19] = prev2;
      x[20] = per1;
      x[21] = per2;
      x[22] = snrMax;
      x[23] = snrSum / HISTORY;
      x[24] = perMax;
      x[25] = fluxSum / HISTORY;
      x[26] = steadySlow;
      x[27] = snrSlow;
      return x;
    },
  };
}

/** The network's logit for one input vector. */
export function modelLogit(m: Readonly<VadModel>, x: Float64Array): number {
  const n = m.inputs;
  const w2 = m.w2;
  let z = m.b2;
  if (m.hidden === 0) {
    for (let i = 0; i < n; i++) z += w2[i]! * x[i]!;
    return z;
  }
  const w1 = m.w1;
  const b1 = m.b1;
  for (let j = 0, k = 0; j < m.hidden; j++) {
    let a = b1[j]!;
    for (let i = 0; i < n; i++, k++) a += w1[k]! * x[i]!;
    if (a > 0) z += w2[j]! * a;
  }
  return z;
}

/** Hysteresis settings (as in VadOptions). */
export interface HysteresisOptions {
  onsetMs: number;
  hangoverMs: number;
  clearHangoverMs: number;
  clearScore: number;
  startThreshold: number;
  stayThreshold: number;
}

/** What the front end measured on one frame. */
export interface Cues {
  /** Network score ignoring the music cue, 0..1 (0 for a steady tone or a quiet frame). */
  score: number;
  /** The score is 0 whatever the network says (steady tone, frame below minSpeechDb). */
  forced: boolean;
  inMusic: boolean;
  /** The network's inputs (reused array). */
  inputs: Float64Array;
}

/**
 * The VAD front end of src/engine/vad.ts (noise floors, tone and music detection) feeding the
 * network. `model` null: inputs only (score 0), for collecting training data.
 */
export function createCues(model: Readonly<VadModel> | null, o: Readonly<VadOptions> = DEFAULT_VAD_OPTIONS): { push(f: FrameFeatures): Cues } {
  const { floor, bandFloors, windowFrames } = createVadNoiseFloors(o);
  const inputs = createModelInputs(windowFrames);
  const music = createMusicDetector(o.music);
  const prev: ToneMemory = { peakHz: 0, peakRatio: 0, secondPeakHz: 0, twoPeakRatio: 0 };
  const snr: FrameSnr = { total: 0, low: 0, mid: 0, high: 0, floorDb: 0 };
  const bandSnr = [0, 0, 0];
  const cues: Cues = { score: 0, forced: false, inMusic: false, inputs: new Float64Array(0) };
  return {
    push(f: FrameFeatures): Cues {
      const floorDb = floor.floorDb;
      const noiseLike = f.flatness >= 0.4 && f.periodicity < 0.3;
      floor.push(f.speechBandDb, noiseLike);
      for (let b = 0; b < 3; b++) {
        const bf = bandFloors[b]!;
        const e = f.bandDb[b + 1]!;
        bandSnr[b] = e - bf.floorDb;
        bf.push(e, noiseLike);
      }
      snr.total = f.speechBandDb - floorDb;
      snr.low = bandSnr[0]!;
      snr.mid = bandSnr[1]!;
      snr.high = bandSnr[2]!;
      snr.floorDb = floorDb;
      const x = inputs.push(f, snr, o.minSpeechDb);
      const tone = isSteadyTone(f, prev, o);
      prev.peakHz = f.peakHz;
      prev.peakRatio = f.peakRatio;
      prev.secondPeakHz = f.secondPeakHz;
      prev.twoPeakRatio = f.twoPeakRatio;
      cues.inMusic = music.push(f) && o.rejectMusic;
      cues.forced = tone || f.speechBandDb < o.minSpeechDb;
      cues.score = cues.forced || model === null ? 0 : 1 / (1 + Math.exp(-modelLogit(model, x)));
      cues.inputs = x;
      return cues;
    },
  };
}

/** The VAD's hysteresis (same rules as src/engine/vad.ts), 20 ms frames. */
export function createHysteresis(h: Readonly<HysteresisOptions>): { push(score: number): boolean } {
  const onset = Math.max(1, Math.round(h.onsetMs / 20));
  const hang = Math.max(1, Math.round(h.hangoverMs / 20));
  const clearHang = Math.max(1, Math.min(hang, Math.round(h.clearHangoverMs / 20)));
  let speech = false;
  let run = 0;
  let clearRun = 0;
  return {
    push(score: number): boolean {
      const raw = score >= (speech ? h.stayThreshold : h.startThreshold);
      if (raw !== speech) {
        run++;
        clearRun = speech && score < h.clearScore ? clearRun + 1 : 0;
        if (speech ? run >= hang || clearRun >= clearHang : run >= onset) {
          speech = !speech;
          run = 0;
          clearRun = 0;
        }
      } else {
        run = 0;
        clearRun = 0;
      }
      return speech;
    },
  };
}
