/**
 * Per-frame acoustic features of 8 kHz telephone audio, computed once per 20 ms frame and shared
 * by the voice-activity, beep and answering-machine detectors.
 *
 * The spectrum (one 256-point FFT) is taken over a 256-sample (32 ms) Hann window that ends at the end of the current
 * frame, so each frame also sees the last 96 samples of the previous one: 31.25 Hz bins, enough
 * to tell a steady tone from a voiced vowel and two DTMF tones apart. Nothing is allocated per
 * frame: the returned object is reused and overwritten by the next call.
 */
import { createRealFft, type RealFft } from "./fft.ts";

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
  /**
   * Periodicity: normalised autocorrelation peak for pitch 70–400 Hz, about 0..1. Analysed on
   * first read for the current frame (a second transform), so a consumer that can decide without
   * it does not pay for it.
   */
  readonly periodicity: number;
  /** Pitch estimate in Hz at the autocorrelation peak (meaningful when periodicity is high; lazy too). */
  readonly pitchHz: number;
  /** Spectral centroid over 100–3800 Hz, in Hz. */
  centroidHz: number;
  /**
   * Share of the 300–3400 Hz power held by spectral peaks (±1 bin) that have stayed in the very
   * same 31.25 Hz bin for at least `STEADY_PEAK_FRAMES` frames, 0..1. Held musical notes and
   * chords keep their partials still for hundreds of ms; a talker's harmonics glide with the
   * pitch and formants, so this is near 0 for speech and noise.
   */
  steadyPeakShare: number;
  /**
   * Spectral change from the previous frame: mean over the significant 300–3400 Hz bins of
   * |P − P'| / (P + P'), 0..1 (0 = unchanged).
   */
  spectralFlux: number;
  /** The current frame's samples (the caller's array, not copied). */
  frame: Int16Array;
}

/** Frames (20 ms) a spectral peak must hold its bin to count as steady (120 ms). */
export const STEADY_PEAK_FRAMES = 6;

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
  /**
   * Frames whose 300–3400 Hz energy is below this (dBFS) are quiet: their levels are measured
   * (energy, bands, zero crossings, the spectrum) but not their shape. Peaks, flatness, flux,
   * steady partials and voicing read as for a featureless background (peaks 0, flatness 1,
   * periodicity 0), and steady-peak ages hold still until the next frame that is analysed. Every detector already treats such a frame as
   * background (the VAD's `minSpeechDb`, the music detector's `minLevelDb`, the beep detector's
   * `minLevelDb` are all at or above it), and a third of a call's frames are such pauses, so the
   * analysis is spent only where it can matter. Default −55; −Infinity analyses every frame.
   */
  minAnalysisDb: number;
}

/** Defaults: 8 kHz, 160-sample frames, 256-sample window. */
export const DEFAULT_FEATURE_OPTIONS: Readonly<FeatureOptions> = Object.freeze({
  sampleRateHz: 8000,
  frameSamples: 160,
  windowSamples: 256,
  minAnalysisDb: -55,
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
  const { sampleRateHz, frameSamples, windowSamples, minAnalysisDb } = options;
  if (windowSamples < frameSamples) throw new RangeError("windowSamples must be ≥ frameSamples");
  const half = windowSamples >> 1;
  const binHz = sampleRateHz / windowSamples;
  // The power spectrum exists from the start (hosts hand it to other detectors); the rest of the
  // state is created on the first frame, so an extractor that is never fed (a detector's own,
  // unused when the engine shares its features) costs next to nothing.
  const power = new Float64Array(half + 1);
  let st: ExtractorState | null = null;
  const { window: hann, windowPower } = hannFor(windowSamples);
  const bin = (hz: number): number => Math.min(half, Math.max(0, Math.round(hz / binHz)));
  const bandBins = Int32Array.from(BAND_EDGES_HZ, bin);
  const nBands = bandBins.length - 1;
  const flatLo = bin(300);
  const flatHi = bin(3400);
  const spanLo = Math.max(1, bin(100));
  const spanHi = bin(3800);
  // Periodicity: autocorrelation of the compressed 60–1500 Hz magnitude spectrum,
  // r[L] = Σ S[k]·cos(2πkL/N). S is zero above bin acBinHi < N/4, so r[L] holds no component
  // faster than a quarter cycle per lag: sampling it at even lags only (an N/2-point transform
  // of S folded at N/2) loses nothing, and parabolic interpolation recovers the odd lags. This
  // halves the second transform.
  const acBinLo = Math.max(1, bin(60));
  const acBinHi = bin(1500);
  const acSize = windowSamples >> 1;
  const acHalf = acSize >> 1;
  const lagLo = Math.floor(sampleRateHz / 400); // in samples
  const lagHi = Math.min(half, Math.ceil(sampleRateHz / 70));
  const acLagLo = Math.max(1, lagLo >> 1); // in pairs of samples
  const acLagHi = Math.min(acHalf - 1, (lagHi + 1) >> 1);
  // A bin is a peak worth tracking when it is within 30 dB of the frame's strongest.
  const PEAK_FLOOR = 1e-3;
  const steadyFrames = STEADY_PEAK_FRAMES;

  const features = new FeatureFrame(nBands, analyseVoicing);
  // Normalisation: bins carry Hann-windowed power; divide by Σw² and N so a full-scale sine of
  // amplitude A reads the same dB as its RMS.
  const powerNorm = 2 / (windowSamples * windowPower * FULL_SCALE_SQ);

  function compute(frame: Int16Array): FrameFeatures {
    st ??= createState(windowSamples, acSize, nBands);
    const { fft, history, prevPower, peakAge, bandSum } = st;
    features.frame = frame;
    const shift = windowSamples - frameSamples;
    for (let i = 0; i < shift; i++) history[i] = history[i + frameSamples]!;
    let sumSq = 0;
    let crossings = 0;
    // A zero crossing is a change of sign bit (0 counts as positive), counted without a branch:
    // on noise the sign flips at random and a branch would mispredict half the time.
    let prev = history[shift - 1]! | 0;
    for (let i = 0; i < frameSamples; i++) {
      const s = frame[i]! | 0;
      history[shift + i] = s;
      sumSq += s * s;
      crossings += (s ^ prev) >>> 31;
      prev = s;
    }
    features.energyDb = powerToDb(sumSq / frameSamples / FULL_SCALE_SQ);
    features.zeroCrossingRate = crossings / frameSamples;

    // The window is applied inside the transform's first pass; bins come out as normalised power.
    fft.power(history, hann, power, powerNorm);

    let speechBand = 0;
    for (let b = 0; b < nBands; b++) {
      let sum = 0;
      for (let k = bandBins[b]!, hi = bandBins[b + 1]!; k < hi; k++) sum += power[k]!;
      bandSum[b] = sum;
      features.bandDb[b] = powerToDb(sum);
      if (b >= 1 && b <= 3) speechBand += sum;
    }
    features.speechBandDb = powerToDb(speechBand);
    if (features.speechBandDb < minAnalysisDb) {
      quiet(prevPower);
      return features;
    }
    // Over 100–3800 Hz: the total, the centroid and the strongest peak; then the strongest bin
    // of 300–3400 Hz (for the peak floor below).
    let total = 0;
    let centroid = 0;
    let peakK = spanLo;
    let peakP = -1;
    let bandMax = 0;
    for (let k = spanLo; k < spanHi; k++) {
      const p = power[k]!;
      total += p;
      centroid += p * k;
      if (p > peakP) {
        peakP = p;
        peakK = k;
      }
    }
    // The span's strongest bin is the band's when it lies in the band (the span holds the band).
    if (peakK >= flatLo && peakK < flatHi) bandMax = peakP;
    else for (let k = flatLo; k < flatHi; k++) if (power[k]! > bandMax) bandMax = power[k]!;

    // Flatness over the telephone band: the log of a product of 8 bins at a time (no underflow:
    // every bin is ≥ 1e-14) costs one log per 8 bins instead of one per bin.
    let logSum = 0;
    let linSum = 0;
    let k = flatLo;
    for (const groupsEnd = flatLo + ((flatHi - flatLo) & ~7); k < groupsEnd; k += 8) {
      const p0 = power[k]!;
      const p1 = power[k + 1]!;
      const p2 = power[k + 2]!;
      const p3 = power[k + 3]!;
      const p4 = power[k + 4]!;
      const p5 = power[k + 5]!;
      const p6 = power[k + 6]!;
      const p7 = power[k + 7]!;
      const e0 = p0 + 1e-14;
      const e1 = p1 + 1e-14;
      const e2 = p2 + 1e-14;
      const e3 = p3 + 1e-14;
      const e4 = p4 + 1e-14;
      const e5 = p5 + 1e-14;
      const e6 = p6 + 1e-14;
      const e7 = p7 + 1e-14;
      linSum = linSum + e0 + e1 + e2 + e3 + e4 + e5 + e6 + e7;
      logSum += Math.log(e0 * e1 * e2 * e3 * e4 * e5 * e6 * e7);
    }
    if (k < flatHi) {
      let prod = 1;
      for (; k < flatHi; k++) {
        const pe = power[k]! + 1e-14;
        prod *= pe;
        linSum += pe;
      }
      logSum += Math.log(prod);
    }
    // Peak tracking and flux over the same bins.
    const peakFloor = bandMax * PEAK_FLOOR;
    let steady = 0;
    let fluxSum = 0;
    let fluxBins = 0;
    let left = power[flatLo - 1]!;
    let p = power[flatLo]!;
    for (let k = flatLo; k < flatHi; k++) {
      const right = power[k + 1]!;
      const q = prevPower[k]!;
      prevPower[k] = p;
      if (p > peakFloor || q > peakFloor) {
        fluxSum += Math.abs(p - q) / (p + q);
        fluxBins++;
      }
      if (p > peakFloor && p > left && p >= right) {
        const age = peakAge[k]! + 1;
        peakAge[k] = age > 60000 ? 60000 : age;
        if (age >= steadyFrames) steady += p + 0.5 * (left + right);
      } else peakAge[k] = 0;
      left = p;
      p = right;
    }
    const nFlat = flatHi - flatLo;
    features.flatness = linSum > 0 ? Math.exp(logSum / nFlat) / (linSum / nFlat) : 1;
    const bandPower = linSum - nFlat * 1e-14;
    features.steadyPeakShare = bandPower > 1e-12 ? Math.min(1, steady / bandPower) : 0;
    features.spectralFlux = fluxBins > 0 ? fluxSum / fluxBins : 0;

    if (total <= 1e-13) {
      features.peakHz = 0;
      features.peakRatio = 0;
      features.twoPeakRatio = 0;
      features.secondPeakHz = 0;
      features.centroidHz = 0;
    } else {
      const nearLo = Math.max(spanLo, peakK - 2);
      const nearHi = Math.min(spanHi - 1, peakK + 2);
      let near = 0;
      for (let k = nearLo; k <= nearHi; k++) near += power[k]!;
      // The second peak: the strongest bin more than 3 bins away from the first.
      let peak2 = -1;
      let peak2P = -1;
      for (let k = spanLo, hi = Math.min(spanHi, peakK - 3); k < hi; k++) {
        if (power[k]! > peak2P) {
          peak2P = power[k]!;
          peak2 = k;
        }
      }
      for (let k = Math.max(spanLo, peakK + 4); k < spanHi; k++) {
        if (power[k]! > peak2P) {
          peak2P = power[k]!;
          peak2 = k;
        }
      }
      let near2 = 0;
      if (peak2 >= 0) {
        for (let k = Math.max(spanLo, peak2 - 2), hi = Math.min(spanHi - 1, peak2 + 2); k <= hi; k++) {
          if (k < nearLo || k > nearHi) near2 += power[k]!;
        }
      }
      features.peakHz = interpolatePeak(power, peakK) * binHz;
      features.secondPeakHz = peak2 >= 0 ? interpolatePeak(power, peak2) * binHz : 0;
      features.peakRatio = near / total;
      features.twoPeakRatio = (near + near2) / total;
      features.centroidHz = (centroid / total) * binHz;
    }

    // Voicing is analysed when first read (see `analyseVoicing`).
    features.markVoicingPending();
    return features;
  }

  /**
   * Periodicity and pitch of the current frame into `out`, from the power spectrum still in
   * `power`. r at even lags is the real part of the forward transform of the even extension of
   * S (the compressed 60–1500 Hz magnitude spectrum) folded to acSize points (S is zero from
   * acSize/2 on, so nothing overlaps). Only bins acBinLo..acBinHi (and their mirrors) of evenSeq
   * are ever non-zero, and they are all rewritten here, so the rest stays zero from construction.
   */
  function analyseVoicing(out: FeatureFrame): void {
    const { acFft, evenSeq, acRe, acIm } = st!;
    let s0 = 0;
    for (let k = acBinLo; k <= acBinHi; k++) {
      const s = Math.sqrt(power[k]!);
      evenSeq[k] = s;
      evenSeq[acSize - k] = s;
      s0 += s;
    }
    if (s0 <= 1e-9) {
      out.setVoicing(0, 0);
      return;
    }
    acFft.forward(evenSeq, acRe, acIm);
    let best = -Infinity;
    let bestLag = acLagLo;
    for (let lag = acLagLo; lag <= acLagHi; lag++) {
      const v = acRe[lag]!;
      if (v > best) {
        best = v;
        bestLag = lag;
      }
    }
    // Parabolic refinement between the even lags.
    const a = acRe[bestLag - 1]!;
    const c = acRe[bestLag + 1]!;
    const den = a - 2 * best + c;
    let delta = 0;
    let peak = best;
    if (den < 0) {
      delta = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
      peak = best - 0.25 * (a - c) * delta;
    }
    out.setVoicing(Math.max(0, Math.min(1, peak / acRe[0]!)), sampleRateHz / (2 * (bestLag + delta)));
  }

  /** The shape fields of a quiet frame (see `minAnalysisDb`). */
  function quiet(prevPower: Float64Array): void {
    for (let k = flatLo; k < flatHi; k++) prevPower[k] = power[k]!;
    features.flatness = 1;
    features.steadyPeakShare = 0;
    features.spectralFlux = 0;
    features.peakHz = 0;
    features.peakRatio = 0;
    features.twoPeakRatio = 0;
    features.secondPeakHz = 0;
    features.centroidHz = 0;
    features.setVoicing(0, 0);
  }

  return {
    options,
    compute,
    powerSpectrum: power,
    reset() {
      // A fresh state on the next frame (as after construction).
      st = null;
      features.setVoicing(0, 0);
    },
  };
}

/**
 * The reused per-frame result of an extractor: plain fields, plus periodicity and pitch, which are
 * own enumerable getters analysing the current frame on first read (so the object still spreads
 * and compares like a plain record).
 */
class FeatureFrame implements FrameFeatures {
  energyDb = MIN_DB;
  speechBandDb = MIN_DB;
  zeroCrossingRate = 0;
  readonly bandDb: Float64Array;
  flatness = 1;
  peakHz = 0;
  peakRatio = 0;
  twoPeakRatio = 0;
  secondPeakHz = 0;
  centroidHz = 0;
  steadyPeakShare = 0;
  spectralFlux = 0;
  frame: Int16Array = new Int16Array(0);
  declare readonly periodicity: number;
  declare readonly pitchHz: number;
  #pending = false;
  #periodicity = 0;
  #pitchHz = 0;

  constructor(bands: number, analyse: (out: FeatureFrame) => void) {
    this.bandDb = new Float64Array(bands);
    const voicing = (): void => {
      if (this.#pending) analyse(this);
    };
    Object.defineProperties(this, {
      periodicity: {
        enumerable: true,
        get: () => {
          voicing();
          return this.#periodicity;
        },
      },
      pitchHz: {
        enumerable: true,
        get: () => {
          voicing();
          return this.#pitchHz;
        },
      },
    });
  }

  /** The current frame's voicing is to be analysed when first read. */
  markVoicingPending(): void {
    this.#pending = true;
  }

  /** The voicing of the current frame. */
  setVoicing(periodicity: number, pitchHz: number): void {
    this.#periodicity = periodicity;
    this.#pitchHz = pitchHz;
    this.#pending = false;
  }
}

/** Per-stream buffers of an extractor (see `createFeatureExtractor`). */
interface ExtractorState {
  readonly fft: RealFft;
  readonly history: Float64Array;
  readonly prevPower: Float64Array;
  readonly peakAge: Uint16Array;
  readonly bandSum: Float64Array;
  readonly acFft: RealFft;
  readonly evenSeq: Float64Array;
  readonly acRe: Float64Array;
  readonly acIm: Float64Array;
}

function createState(windowSamples: number, acSize: number, nBands: number): ExtractorState {
  const half = windowSamples >> 1;
  return {
    fft: createRealFft(windowSamples),
    history: new Float64Array(windowSamples),
    prevPower: new Float64Array(half + 1),
    peakAge: new Uint16Array(half + 1),
    bandSum: new Float64Array(nBands),
    acFft: createRealFft(acSize),
    evenSeq: new Float64Array(acSize),
    acRe: new Float64Array((acSize >> 1) + 1),
    acIm: new Float64Array((acSize >> 1) + 1),
  };
}

/** Hann windows (periodic, sampled at bin centres) by size, shared by every extractor. */
const HANN = new Map<number, { readonly window: Float64Array; readonly windowPower: number }>();

function hannFor(size: number): { readonly window: Float64Array; readonly windowPower: number } {
  const cached = HANN.get(size);
  if (cached) return cached;
  const window = new Float64Array(size);
  let windowPower = 0;
  for (let i = 0; i < size; i++) {
    window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / size);
    windowPower += window[i]! * window[i]!;
  }
  const w = { window, windowPower };
  HANN.set(size, w);
  return w;
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
