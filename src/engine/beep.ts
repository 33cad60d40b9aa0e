/**
 * Streaming voicemail-beep detection on 8 kHz telephone audio, one 20 ms frame at a time.
 *
 * A beep is ONE steady tone, roughly 400–2000 Hz, lasting 0.15–1.5 s. A frame is "tonal" when a
 * single ±62 Hz spectral peak holds most of the power and no second peak is significant (so DTMF,
 * two simultaneous tones, is never tonal). Consecutive tonal frames at the same frequency form a
 * run. When a run ends, it is reported as a beep if its length is in range and it was not part of
 * a sequence of different tones (special-information tones, ITU-T E.180: 913.8/985.2,
 * 1370.6/1428.5, 1776.7 Hz back to back); confirming that costs `sequenceGapMs` after the tone.
 * Speech never holds one frequency that steadily, nor that much power in one peak.
 *
 * Start and end are refined to 5 ms with Goertzel power at the tone's frequency over the last
 * three frames. Pure: no clock; time is the count of frames pushed (plus `originMs`).
 */
import { createFeatureExtractor, type FeatureExtractor, type FrameFeatures } from "./audio/features.ts";
import { goertzelCoefficient, goertzelPower } from "./audio/goertzel.ts";

/** Beep detector options. Millisecond options are converted to frames once, at construction. */
export interface BeepOptions {
  /** Sample rate in Hz. Default 8000. */
  sampleRateHz: number;
  /** Frame length in ms. Default 20. */
  frameMs: number;
  /** Audio time of the first frame pushed, ms. Default 0. */
  originMs: number;
  /** Lowest beep frequency, Hz. Default 380. */
  minFrequencyHz: number;
  /** Highest beep frequency, Hz. Default 2100. */
  maxFrequencyHz: number;
  /** Shortest beep, ms (measured on the refined start/end). Default 140. */
  minDurationMs: number;
  /** Longest beep, ms. Default 1600. */
  maxDurationMs: number;
  /** Minimum share of power in the main ±62 Hz peak for a tonal frame, 0..1. Default 0.9. */
  toneRatio: number;
  /** Minimum mean share of power in the main peak over the whole beep, 0..1. A real beep is
   * a generator's pure tone far above the line noise (≈ 0.99); a held musical note or vowel is
   * not that pure. Default 0.96. */
  minMeanToneRatio: number;
  /** Maximum share of power in a second, separate peak, 0..1. Default 0.08. */
  secondPeakRatio: number;
  /** Quietest tone, dBFS. Default −45. */
  minLevelDb: number;
  /** Allowed distance of a tonal frame's frequency from the run's mean, Hz. Default 15. */
  frequencyToleranceHz: number;
  /** Largest standard deviation of the frequency over a beep, Hz (a held vowel wanders more). Default 5. */
  maxFrequencySdHz: number;
  /** A different tone within this gap before or after makes the run part of a sequence, ms. Default 60. */
  sequenceGapMs: number;
  /** Non-tonal frames tolerated inside a run (a line glitch), ms. Default 20. */
  dropoutMs: number;
}

/** Defaults. */
export const DEFAULT_BEEP_OPTIONS: Readonly<BeepOptions> = Object.freeze({
  sampleRateHz: 8000,
  frameMs: 20,
  originMs: 0,
  minFrequencyHz: 380,
  maxFrequencyHz: 2100,
  minDurationMs: 140,
  maxDurationMs: 1600,
  toneRatio: 0.9,
  minMeanToneRatio: 0.96,
  secondPeakRatio: 0.06,
  minLevelDb: -45,
  frequencyToleranceHz: 15,
  maxFrequencySdHz: 5,
  sequenceGapMs: 60,
  dropoutMs: 20,
});

/** A detected beep. All times are audio ms (originMs + frames pushed × frameMs). */
export interface BeepEvent {
  /** Where the tone starts, ms (refined to 5 ms). */
  startMs: number;
  /** Where the tone ends, ms. */
  endMs: number;
  /** endMs − startMs. */
  durationMs: number;
  /** Mean frequency of the tone, Hz. */
  frequencyHz: number;
  /** Tone level, dBFS. */
  levelDb: number;
}

/** A tone in progress (not yet a beep: it may still turn out too long or part of a sequence). */
export interface ActiveTone {
  startMs: number;
  frequencyHz: number;
  durationMs: number;
}

/** A streaming beep detector (one per audio stream). */
export interface BeepDetector {
  readonly options: Readonly<BeepOptions>;
  /**
   * Push the next frame. Pass `features` computed by a shared extractor for this same frame, or
   * let the detector compute its own. Returns a beep when one is confirmed (shortly after its end).
   */
  push(frame: Int16Array, features?: FrameFeatures): BeepEvent | null;
  /** The tone run in progress, if any (useful to hold speech decisions during a tone). */
  activeTone(): ActiveTone | null;
  /** True while a finished tone waits out `sequenceGapMs` before being confirmed as a beep. */
  readonly pending: boolean;
  /** Audio ms at the end of the last frame pushed. */
  readonly nowMs: number;
}

interface Run {
  startFrame: number; // index of the first tonal frame
  startMs: number; // refined start
  lastTonalFrame: number;
  freqSum: number;
  freqSqSum: number;
  tonalFrames: number;
  /** Sum of tonal frames' mean-square power (PCM16 units²). */
  powerSum: number;
  /** Sum of tonal frames' peak ratios. */
  ratioSum: number;
}

interface Pending {
  event: BeepEvent;
  /** Frame index at which the beep is confirmed if no different tone started by then. */
  confirmAtFrame: number;
}

const FULL_SCALE_SQ = 32768 * 32768;
const BLOCK_SAMPLES_AT_8K = 40; // 5 ms refinement blocks

/** Create a beep detector. */
export function createBeepDetector(opts: Partial<BeepOptions> = {}): BeepDetector {
  const o: Readonly<BeepOptions> = Object.freeze({ ...DEFAULT_BEEP_OPTIONS, ...opts });
  const frameSamples = Math.round((o.sampleRateHz * o.frameMs) / 1000);
  const blockSamples = Math.max(1, Math.round((BLOCK_SAMPLES_AT_8K * o.sampleRateHz) / 8000));
  const blocksPerFrame = Math.max(1, Math.floor(frameSamples / blockSamples));
  const blockMs = (blockSamples * 1000) / o.sampleRateHz;
  const historyFrames = 3;
  // The last `historyFrames` frames, kept as a ring of PCM16 frames (one copy of the newest frame
  // per push) and laid out oldest first into `history` only when a tone edge is refined.
  const ring = new Int16Array(frameSamples * historyFrames);
  const history = new Float64Array(frameSamples * historyFrames);
  const blocks = Math.floor(history.length / blockSamples);
  const blockPower = new Float64Array(blocks);
  const sequenceGapFrames = Math.max(1, Math.round(o.sequenceGapMs / o.frameMs));
  const dropoutFrames = Math.max(0, Math.round(o.dropoutMs / o.frameMs));
  // Only needed when a caller pushes frames without shared features: built on first use.
  let extractor: FeatureExtractor | null = null;

  let frameIndex = 0; // frames pushed so far; the newest frame in history is frameIndex − 1
  let run: Run | null = null;
  let pending: Pending | null = null;
  /** First frame after the last tone run of any kind, and that run's frequency. */
  let lastRunEndFrame = -1_000_000;
  let lastRunFreqHz = 0;

  const frameStartMs = (i: number): number => o.originMs + i * o.frameMs;
  const historyStartMs = (): number => frameStartMs(frameIndex - historyFrames);
  const runFreq = (r: Run): number => r.freqSum / r.tonalFrames;

  function isTonal(f: FrameFeatures): boolean {
    return (
      f.peakHz > 0 &&
      f.energyDb >= o.minLevelDb &&
      f.peakRatio >= o.toneRatio &&
      f.twoPeakRatio - f.peakRatio <= o.secondPeakRatio
    );
  }

  /** Goertzel power per 5 ms block over the history (oldest first). */
  function fillBlockPower(freqHz: number): void {
    // Ring slot of frame i is i mod historyFrames; the oldest held frame is frameIndex − historyFrames.
    for (let h = 0; h < historyFrames; h++) {
      const i = frameIndex - historyFrames + h;
      const slot = ((i % historyFrames) + historyFrames) % historyFrames;
      const src = slot * frameSamples;
      const dst = h * frameSamples;
      for (let j = 0; j < frameSamples; j++) history[dst + j] = ring[src + j]!;
    }
    const c = goertzelCoefficient(freqHz, o.sampleRateHz);
    for (let b = 0; b < blocks; b++) blockPower[b] = goertzelPower(history, b * blockSamples, blockSamples, c);
  }

  /** Refined start of a tone whose first tonal frame is the newest: walk back while it holds. */
  function refineStart(freqHz: number): number {
    fillBlockPower(freqHz);
    const level = blockPower[blocks - 1]!;
    let b = blocks - 1;
    while (b > 0 && blockPower[b - 1]! >= level * 0.25) b--;
    return historyStartMs() + b * blockMs;
  }

  /** Refined end of a run: walk forward from its last tonal frame while the tone holds. */
  function refineEnd(r: Run, freqHz: number, levelPower: number): number {
    const lastPos = historyFrames - 1 - (frameIndex - 1 - r.lastTonalFrame);
    if (lastPos < 0) return frameStartMs(r.lastTonalFrame + 1);
    fillBlockPower(freqHz);
    let b = lastPos * blocksPerFrame;
    while (b < blocks && blockPower[b]! >= levelPower * 0.25) b++;
    return historyStartMs() + b * blockMs;
  }

  function startRun(f: FrameFeatures, idx: number): Run {
    return {
      startFrame: idx,
      startMs: refineStart(f.peakHz),
      lastTonalFrame: idx,
      freqSum: f.peakHz,
      freqSqSum: f.peakHz * f.peakHz,
      tonalFrames: 1,
      powerSum: Math.pow(10, f.energyDb / 10) * FULL_SCALE_SQ,
      ratioSum: f.peakRatio,
    };
  }

  /** A run ended; keep it as a pending beep when it qualifies. */
  function closeRun(r: Run, followedByOtherTone: boolean): void {
    const freq = runFreq(r);
    const sdHz = Math.sqrt(Math.max(0, r.freqSqSum / r.tonalFrames - freq * freq));
    const precededByOtherTone =
      r.startFrame - lastRunEndFrame <= sequenceGapFrames && Math.abs(lastRunFreqHz - freq) > o.frequencyToleranceHz;
    const levelPower = r.powerSum / r.tonalFrames;
    const endMs = refineEnd(r, freq, levelPower);
    const durationMs = endMs - r.startMs;
    lastRunEndFrame = r.lastTonalFrame + 1;
    lastRunFreqHz = freq;
    const ok =
      !followedByOtherTone &&
      !precededByOtherTone &&
      freq >= o.minFrequencyHz &&
      freq <= o.maxFrequencyHz &&
      durationMs >= o.minDurationMs &&
      durationMs <= o.maxDurationMs &&
      sdHz <= o.maxFrequencySdHz &&
      r.ratioSum / r.tonalFrames >= o.minMeanToneRatio;
    if (!ok) return;
    pending = {
      event: {
        startMs: r.startMs,
        endMs,
        durationMs,
        frequencyHz: Math.round(freq * 10) / 10,
        levelDb: 10 * Math.log10(Math.max(1e-10, levelPower / FULL_SCALE_SQ)),
      },
      confirmAtFrame: lastRunEndFrame + sequenceGapFrames,
    };
  }

  function push(frame: Int16Array, features?: FrameFeatures): BeepEvent | null {
    const f = features ?? (extractor ??= createFeatureExtractor({ sampleRateHz: o.sampleRateHz, frameSamples })).compute(frame);
    const idx = frameIndex;
    const slotBase = (idx % historyFrames) * frameSamples;
    if (frame.length === frameSamples) ring.set(frame, slotBase);
    else for (let i = 0; i < frameSamples; i++) ring[slotBase + i] = frame[i] ?? 0;
    frameIndex++;
    const tonal = isTonal(f);

    if (run) {
      const same = tonal && Math.abs(f.peakHz - runFreq(run)) <= o.frequencyToleranceHz;
      if (same) {
        run.lastTonalFrame = idx;
        run.freqSum += f.peakHz;
        run.freqSqSum += f.peakHz * f.peakHz;
        run.tonalFrames++;
        run.powerSum += Math.pow(10, f.energyDb / 10) * FULL_SCALE_SQ;
        run.ratioSum += f.peakRatio;
      } else if (tonal || idx - run.lastTonalFrame > dropoutFrames) {
        const ended = run;
        run = null;
        closeRun(ended, tonal);
        if (tonal) run = startRun(f, idx);
      }
      // else: a short dropout inside the run; decide on the next frame.
    } else if (tonal) {
      run = startRun(f, idx);
    }

    if (!pending) return null;
    if (run && run.startFrame >= pending.confirmAtFrame - sequenceGapFrames) {
      if (Math.abs(runFreq(run) - pending.event.frequencyHz) > o.frequencyToleranceHz) {
        // Another tone right after: part of a sequence (SIT or similar), not a beep.
        if (run.startFrame < pending.confirmAtFrame) {
          pending = null;
          return null;
        }
      }
    }
    if (idx + 1 >= pending.confirmAtFrame) {
      const ev = pending.event;
      pending = null;
      return ev;
    }
    return null;
  }

  return {
    options: o,
    push,
    activeTone(): ActiveTone | null {
      if (!run) return null;
      return { startMs: run.startMs, frequencyHz: runFreq(run), durationMs: frameStartMs(frameIndex) - run.startMs };
    },
    get pending() {
      return pending !== null;
    },
    get nowMs() {
      return frameStartMs(frameIndex);
    },
  };
}
