import { describe, expect, test } from "bun:test";
import { createFeatureExtractor } from "../../src/engine/audio/features.ts";
import { createRealFft } from "../../src/engine/audio/fft.ts";
import { goertzelCoefficient, goertzelPower } from "../../src/engine/audio/goertzel.ts";
import { createNoiseFloor } from "../../src/engine/audio/noise-floor.ts";
import { createDecimator } from "../../src/engine/audio/resample.ts";
import { concatPcm, prng, tones } from "../../bench/lib/signals.ts";

/** Feed `pcm` frame by frame; return the features of the last full frame. */
function lastFeatures(pcm: Int16Array) {
  const fx = createFeatureExtractor();
  let last = fx.compute(pcm.subarray(0, 160));
  for (let i = 160; i + 160 <= pcm.length; i += 160) last = fx.compute(pcm.subarray(i, i + 160));
  return last;
}

describe("real FFT", () => {
  // Every size exercises another mix of fused stage pairs and a leftover single stage.
  for (const n of [4, 8, 16, 32, 64, 128, 256, 512, 1024]) {
    test(`matches a naive DFT on random input, ${n} points (forward and windowed power)`, () => {
      const rnd = prng(5 + n);
      const x = Float64Array.from({ length: n }, () => rnd() - 0.5);
      const w = Float64Array.from({ length: n }, () => 0.5 + rnd());
      const re = new Float64Array(n / 2 + 1);
      const im = new Float64Array(n / 2 + 1);
      const pw = new Float64Array(n / 2 + 1);
      const fft = createRealFft(n);
      fft.forward(x, re, im);
      if (n >= 8) fft.power(x, w, pw, 0.5);
      let maxErr = 0;
      for (let k = 0; k <= n / 2; k++) {
        let r = 0;
        let i = 0;
        let wr = 0;
        let wi = 0;
        for (let t = 0; t < n; t++) {
          const c = Math.cos((-2 * Math.PI * k * t) / n);
          const s = Math.sin((-2 * Math.PI * k * t) / n);
          r += x[t]! * c;
          i += x[t]! * s;
          wr += x[t]! * w[t]! * c;
          wi += x[t]! * w[t]! * s;
        }
        maxErr = Math.max(maxErr, Math.abs(r - re[k]!), Math.abs(i - im[k]!));
        if (n >= 8) maxErr = Math.max(maxErr, Math.abs((wr * wr + wi * wi) * 0.5 - pw[k]!));
      }
      expect(maxErr).toBeLessThan(1e-9);
    });
  }

  test("rejects sizes that are not powers of two", () => {
    expect(() => createRealFft(100)).toThrow(RangeError);
  });
});

describe("frame features", () => {
  test.each([
    [440, 8000],
    [1000, 4000],
    [1776.7, 2000],
  ])("a %p Hz sine of amplitude %p: level, peak, tonality", (hz, amp) => {
    const f = lastFeatures(tones([hz], 100, amp));
    const rmsDb = 20 * Math.log10(amp / Math.SQRT2 / 32768);
    // A 20 ms frame holds a non-integer number of cycles: the level is exact to ~0.2 dB.
    expect({
      levelWithin02Db: Math.abs(f.energyDb - rmsDb) < 0.2,
      peakWithin1Hz: Math.abs(f.peakHz - hz) < 1,
      tonal: f.peakRatio > 0.99,
      flat: f.flatness < 0.01,
    }).toEqual({ levelWithin02Db: true, peakWithin1Hz: true, tonal: true, flat: true });
  });

  test("DTMF: two peaks, neither dominant", () => {
    const f = lastFeatures(tones([770, 1336], 100, 4000));
    const peaks = [Math.round(f.peakHz), Math.round(f.secondPeakHz)].sort((a, b) => a - b);
    expect({ peaks, single: f.peakRatio > 0.8, pair: f.twoPeakRatio > 0.97 }).toEqual({ peaks: [770, 1336], single: false, pair: true });
  });

  test("white noise is flat and aperiodic", () => {
    const f = lastFeatures(tones([], 200, 0, 8000, 9));
    expect({ flat: f.flatness > 0.4, periodic: f.periodicity > 0.3 }).toEqual({ flat: true, periodic: false });
  });

  test("a 120 Hz pulse train is periodic at ~120 Hz", () => {
    const pcm = new Int16Array(1600);
    for (let i = 0; i < pcm.length; i++) {
      let v = 0;
      for (let h = 3; h < 25; h++) v += Math.sin((2 * Math.PI * 120 * h * i) / 8000) / h;
      pcm[i] = Math.round(4000 * v);
    }
    const f = lastFeatures(pcm);
    expect({ periodic: f.periodicity > 0.3, pitchHz: Math.round(f.pitchHz / 10) * 10 }).toEqual({ periodic: true, pitchHz: 120 });
  });

  test("digital silence reads −100 dBFS and no peak", () => {
    const f = lastFeatures(new Int16Array(480));
    expect({ energyDb: f.energyDb, peakHz: f.peakHz, periodicity: f.periodicity }).toEqual({ energyDb: -100, peakHz: 0, periodicity: 0 });
  });
});

describe("Goertzel", () => {
  test("reads a sine's mean power at its frequency and ~nothing elsewhere", () => {
    const x = tones([1000], 20, 1000);
    const c = goertzelCoefficient(1000, 8000);
    const other = goertzelCoefficient(1600, 8000);
    // 1000²/2 = 500000, up to the rounding of the samples to integers.
    expect({ at: Math.round(goertzelPower(x, 0, 160, c) / 1000), off: goertzelPower(x, 0, 160, other) < 1 }).toEqual({ at: 500, off: true });
  });
});

describe("decimator 16 → 8 kHz", () => {
  const gainDb = (hz: number): number => {
    const n = 16000;
    const x = new Int16Array(n);
    for (let i = 0; i < n; i++) x[i] = Math.round(10000 * Math.sin((2 * Math.PI * hz * i) / 16000));
    const y = createDecimator().process(x).subarray(200);
    let s = 0;
    for (const v of y) s += v * v;
    return 10 * Math.log10(s / y.length / (10000 * 10000 / 2));
  };
  test("passes 1 kHz, attenuates 3.9 kHz and rejects 5 kHz (would alias)", () => {
    expect({ pass: Math.abs(gainDb(1000)) < 0.1, edge: gainDb(3900) < -20, stop: gainDb(5000) < -60 }).toEqual({ pass: true, edge: true, stop: true });
  });
  test("streaming in blocks gives the same output as one call", () => {
    const x = tones([700, 2500], 50, 5000, 100, 4);
    const whole = createDecimator().process(x);
    const d = createDecimator();
    const parts = [d.process(x.subarray(0, 333)), d.process(x.subarray(333))];
    expect(concatPcm(parts)).toEqual(whole);
  });
});

describe("noise floor", () => {
  const opts = { subWindowFrames: 5, subWindows: 4, biasDb: 0, minFloorDb: -90, initialFloorDb: -50, smoothing: 1 };
  test("follows the quietest frames within its window and rises when the room gets louder", () => {
    const nf = createNoiseFloor(opts);
    const trace: number[] = [];
    const levels = [...Array(20).fill(-60), ...Array(5).fill(-20), ...Array(30).fill(-40)];
    for (const l of levels) trace.push(nf.push(l));
    // After the window (20 frames) has passed over the louder room, the floor is its level.
    expect({ quiet: trace[19], duringBurst: trace[24], louderRoom: trace[54] }).toEqual({ quiet: -60, duringBurst: -60, louderRoom: -40 });
  });
  test("before the first sub-window closes, speech does not become the floor unless noise-like", () => {
    const a = createNoiseFloor(opts);
    const b = createNoiseFloor(opts);
    expect({ speech: a.push(-20), noisyLine: b.push(-35, true) }).toEqual({ speech: -50, noisyLine: -35 });
  });
});

describe("music features", () => {
  test("a held chord keeps its peaks still (steady share high, flux low); noise does not", () => {
    const fx = createFeatureExtractor();
    const chord = tones([523.3, 659.3, 784.0], 1000, 3000);
    let f = fx.compute(chord.subarray(0, 160));
    for (let i = 160; i + 160 <= chord.length; i += 160) f = fx.compute(chord.subarray(i, i + 160));
    const held = { steady: f.steadyPeakShare > 0.7, still: f.spectralFlux < 0.2 };
    const nx = createFeatureExtractor();
    const noise = tones([], 1000, 0, 3000, 7);
    let g = nx.compute(noise.subarray(0, 160));
    for (let i = 160; i + 160 <= noise.length; i += 160) g = nx.compute(noise.subarray(i, i + 160));
    expect({ ...held, noiseSteady: g.steadyPeakShare < 0.2 }).toEqual({ steady: true, still: true, noiseSteady: true });
  });
});

describe("feature extractor state", () => {
  /** A few frames of a gliding tone in noise (deterministic). */
  const frames = Array.from({ length: 12 }, (_, f) =>
    Int16Array.from({ length: 160 }, (_, i) => {
      const n = f * 160 + i;
      return Math.round(4000 * Math.sin(n * (0.3 + f * 0.01)) + 300 * Math.sin(n * 2.1));
    }),
  );
  const snapshot = (fx: ReturnType<typeof createFeatureExtractor>) =>
    frames.map((fr) => {
      const { frame: _frame, bandDb, ...rest } = fx.compute(fr);
      return { ...rest, bandDb: [...bandDb], power: [...fx.powerSpectrum] };
    });

  test("the power spectrum is one array for the extractor's life (hosts keep a reference)", () => {
    const fx = createFeatureExtractor();
    const before = fx.powerSpectrum;
    fx.compute(frames[0]!);
    fx.reset();
    fx.compute(frames[1]!);
    expect(fx.powerSpectrum).toBe(before);
    expect(before.length).toBe(129);
  });

  test("extractors sharing tables do not share state; reset equals a fresh extractor", () => {
    const a = createFeatureExtractor();
    const b = createFeatureExtractor();
    const fresh = snapshot(createFeatureExtractor());
    // Interleave a with b on other audio: nothing leaks between them.
    const first = frames.map((fr, i) => {
      b.compute(frames[(i * 5) % frames.length]!);
      const { frame: _frame, bandDb, ...rest } = a.compute(fr);
      return { ...rest, bandDb: [...bandDb], power: [...a.powerSpectrum] };
    });
    expect(first).toEqual(fresh);
    a.reset();
    expect(snapshot(a)).toEqual(fresh);
  });
});
