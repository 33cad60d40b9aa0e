/**
 * Per-frame acoustic features of 8 kHz telephone audio, computed once per 20 ms frame and shared
 * by the voice-activity, beep and answering-machine detectors.
 *
 * The spectrum is taken over a 256-sample (32 ms) Hann window that ends at the end of the current
 * frame, so each frame also sees the last 96 samples of the previous one: 31.25 Hz bins, enough
 * to tell a steady tone from a voiced vowel and two DTMF tones apart. Nothing is allocated per
 * frame: the returned object is reused and overwritten by the next call.
 */
import { createRealFft } from "./fft.ts";

/** Features of one frame. Overwritten by the next call to `compute`. */
export interface FrameFeatures {
  /** Frame energy in dBFS (RMS over the frame relative to 32768; −100 for digital silence). */
  energyDb: number;
  /** Zero crossings per sample, 0..1. */
  zeroCrossingRate: number;
  /** Energy of the 300–3400 Hz telephone speech band, dBFS (from the spectrum). */
  speechBandDb: number;
  /** Band energies in dB (same reference as `energyDb`), see `BAND_EDGES_HZ`. */
  readonly bandDb: Float64Array;
  /** Spectral flatness (geometric / arithmetic mean of power) over 300–3400 Hz, 0..1. */
  flatness: number;
  /** Frequency of the strongest spectral peak in Hz (parabolic interpolation), 0 if silent. */
  peakHz: number;
  /** Share of the 100–3800 Hz power within ±2 bins (±62 Hz) of the strongest peak, 0..1. */
  peakRatio: number;
  /** Share of that power in the two strongest separate peaks (DTMF has a high value), 0..1. */
  twoPeakRatio: number;
  /** Frequency of the second strongest separate peak in Hz, 0 if none. */
  secondPeakHz: number;
  /** Periodicity: normalised autocorrelation peak for pitch 70–400 Hz, about 0..1. */
  periodicity: number;
  /** Pitch estimate in Hz at the autocorrelation peak (meaningful when periodicity is high). */
  pitchHz: number;
  /** Spectral centroid over 100–3800 Hz, in Hz. */
  centroidHz: number;
  /** The current frame's samples (the caller's array, not copied). */
  frame: Int16Array;
}

/** Band edges in Hz for `FrameFeatures.bandDb`: [0,300), [300,1000), [1000,2000), [2000,3400), [3400,4000]. */
export const BAND_EDGES_HZ: readonly number[] = Object.freeze([0, 300, 1000, 2000, 3400, 4000]);

/** Options of the feature extractor. */
export interface FeatureOptions {
  /** Sample rate in Hz. Default 8000. */
  sampleRateHz: number;
  /** Samples per frame. Default 160 (20 ms at 8 kHz). */
  frameSamples: number;
  /** Analysis window in samples, a power of two ≥ frameSamples. Default 256. */
  windowSamples: number;
}

/** Defaults: 8 kHz, 160-sample frames, 256-sample window. */
export const DEFAULT_FEATURE_OPTIONS: Readonly<FeatureOptions> = Object.freeze({
  sampleRateHz: 8000,
  frameSamples: 160,
  windowSamples: 256,
});

/** A stateful per-stream feature extractor (it keeps the previous frame's tail). */
export interface FeatureExtractor {
  readonly options: Readonly<FeatureOptions>;
  /** Compute the features of the next frame (exactly `frameSamples` long). */
  compute(frame: Int16Array): FrameFeatures;
  /** Power spectrum of the last frame, bins 0..windowSamples/2 (read-only view, reused). */
  readonly powerSpectrum: Float64Array;
  /** Forget history (as after a stream restart). */
  reset(): void;
}

const FULL_SCALE_SQ = 32768 * 32768;
const MIN_DB = -100;

/** Power ratio → dB with a −100 dB floor. */
export function powerToDb(power: number): number {
  return power > 1e-10 ? 10 * Math.log10(power) : MIN_DB;
}

/** Create a feature extractor. */
export function createFeatureExtractor(opts: Partial<FeatureOptions> = {}): FeatureExtractor {
  const options: Readonly<FeatureOptions> = Object.freeze({ ...DEFAULT_FEATURE_OPTIONS, ...opts });
  const { sampleRateHz, frameSamples, windowSamples } = options;
  if (windowSamples < frameSamples) throw new RangeError("windowSamples must be ≥ frameSamples");
  const fft = createRealFft(windowSamples);
  const half = windowSamples >> 1;
  const binHz = sampleRateHz / windowSamples;
  const history = new Float64Array(windowSamples);
  const windowed = new Float64Array(windowSamples);
  const re = new Float64Array(half + 1);
  const im = new Float64Array(half + 1);
  const power = new Float64Array(half + 1);
  const evenSeq = new Float64Array(windowSamples);
  const acRe = new Float64Array(half + 1);
  const acIm = new Float64Array(half + 1);
  const hann = new Float64Array(windowSamples);
  let windowPower = 0;
  for (let i = 0; i < windowSamples; i++) {
    hann[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / windowSamples);
    windowPower += hann[i]! * hann[i]!;
  }
  const bin = (hz: number): number => Math.min(half, Math.max(0, Math.round(hz / binHz)));
  const bandBins = BAND_EDGES_HZ.map(bin);
  const flatLo = bin(300);
  const flatHi = bin(3400);
  const spanLo = Math.max(1, bin(100));
  const spanHi = bin(3800);
  // Periodicity: autocorrelation of the compressed 60–1500 Hz magnitude spectrum.
  const acBinLo = Math.max(1, bin(60));
  const acBinHi = bin(1500);
  const lagLo = Math.floor(sampleRateHz / 400);
  const lagHi = Math.min(half, Math.ceil(sampleRateHz / 70));

  const features: FrameFeatures = {
    energyDb: MIN_DB,
    speechBandDb: MIN_DB,
    zeroCrossingRate: 0,
    bandDb: new Float64Array(BAND_EDGES_HZ.length - 1),
    flatness: 1,
    peakHz: 0,
    peakRatio: 0,
    twoPeakRatio: 0,
    secondPeakHz: 0,
    periodicity: 0,
    pitchHz: 0,
    centroidHz: 0,
    frame: new Int16Array(0),
  };
  // Normalisation: bins carry Hann-windowed power; divide by Σw² and N so a full-scale sine of
  // amplitude A reads the same dB as its RMS.
  const powerNorm = 2 / (windowSamples * windowPower * FULL_SCALE_SQ);

  function compute(frame: Int16Array): FrameFeatures {
    features.frame = frame;
    const shift = windowSamples - frameSamples;
    history.copyWithin(0, frameSamples);
    let sumSq = 0;
    let crossings = 0;
    let prev = history[shift - 1] ?? 0;
    for (let i = 0; i < frameSamples; i++) {
      const s = frame[i] ?? 0;
      history[shift + i] = s;
      sumSq += s * s;
      if ((s >= 0) !== (prev >= 0)) crossings++;
      prev = s;
    }
    features.energyDb = powerToDb(sumSq / frameSamples / FULL_SCALE_SQ);
    features.zeroCrossingRate = crossings / frameSamples;

    for (let i = 0; i < windowSamples; i++) windowed[i] = history[i]! * hann[i]!;
    fft.forward(windowed, re, im);
    for (let k = 0; k <= half; k++) power[k] = (re[k]! * re[k]! + im[k]! * im[k]!) * powerNorm;

    // Bands.
    let speechBand = 0;
    for (let b = 0; b < bandBins.length - 1; b++) {
      let s = 0;
      for (let k = bandBins[b]!; k < bandBins[b + 1]!; k++) s += power[k]!;
      features.bandDb[b] = powerToDb(s);
      if (b >= 1 && b <= 3) speechBand += s;
    }
    features.speechBandDb = powerToDb(speechBand);
    // Flatness over the telephone band.
    let logSum = 0;
    let linSum = 0;
    for (let k = flatLo; k < flatHi; k++) {
      const p = power[k]! + 1e-14;
      logSum += Math.log(p);
      linSum += p;
    }
    const nFlat = flatHi - flatLo;
    features.flatness = linSum > 0 ? Math.exp(logSum / nFlat) / (linSum / nFlat) : 1;

    // Peaks and centroid.
    let total = 0;
    let centroid = 0;
    let peakK = spanLo;
    for (let k = spanLo; k < spanHi; k++) {
      const p = power[k]!;
      total += p;
      centroid += p * k;
      if (p > power[peakK]!) peakK = k;
    }
    if (total <= 1e-13) {
      features.peakHz = 0;
      features.peakRatio = 0;
      features.twoPeakRatio = 0;
      features.secondPeakHz = 0;
      features.centroidHz = 0;
    } else {
      let near = 0;
      for (let k = Math.max(spanLo, peakK - 2); k <= Math.min(spanHi - 1, peakK + 2); k++) near += power[k]!;
      let peak2 = -1;
      for (let k = spanLo; k < spanHi; k++) {
        if (k >= peakK - 3 && k <= peakK + 3) continue;
        if (peak2 < 0 || power[k]! > power[peak2]!) peak2 = k;
      }
      let near2 = 0;
      if (peak2 >= 0) {
        for (let k = Math.max(spanLo, peak2 - 2); k <= Math.min(spanHi - 1, peak2 + 2); k++) {
          if (k < peakK - 2 || k > peakK + 2) near2 += power[k]!;
        }
      }
      features.peakHz = interpolatePeak(power, peakK) * binHz;
      features.secondPeakHz = peak2 >= 0 ? interpolatePeak(power, peak2) * binHz : 0;
      features.peakRatio = near / total;
      features.twoPeakRatio = (near + near2) / total;
      features.centroidHz = (centroid / total) * binHz;
    }

    // Periodicity: r[L] = Σ S[k]·cos(2πkL/N) of the compressed, band-limited spectrum, which is
    // the real part of the forward FFT of the even extension of S.
    evenSeq.fill(0);
    let s0 = 0;
    for (let k = acBinLo; k <= acBinHi; k++) {
      const s = Math.sqrt(power[k]!);
      evenSeq[k] = s;
      evenSeq[windowSamples - k] = s;
      s0 += 2 * s;
    }
    if (s0 <= 1e-9) {
      features.periodicity = 0;
      features.pitchHz = 0;
    } else {
      fft.forward(evenSeq, acRe, acIm);
      let best = -Infinity;
      let bestLag = lagLo;
      for (let lag = lagLo; lag <= lagHi; lag++) {
        const v = acRe[lag]!;
        if (v > best) {
          best = v;
          bestLag = lag;
        }
      }
      features.periodicity = Math.max(0, best / acRe[0]!);
      features.pitchHz = sampleRateHz / bestLag;
    }
    return features;
  }

  return {
    options,
    compute,
    powerSpectrum: power,
    reset() {
      history.fill(0);
    },
  };
}

/** Fractional bin of a spectral peak by parabolic interpolation of log power. */
function interpolatePeak(power: Float64Array, k: number): number {
  const a = power[k - 1];
  const c = power[k + 1];
  const b = power[k]!;
  if (a === undefined || c === undefined || a <= 0 || b <= 0 || c <= 0) return k;
  const la = Math.log(a);
  const lb = Math.log(b);
  const lc = Math.log(c);
  const den = la - 2 * lb + lc;
  if (den >= 0) return k;
  const delta = (0.5 * (la - lc)) / den;
  return k + Math.max(-0.5, Math.min(0.5, delta));
}
