/**
 * The generator's pure parts (no espeak, no sox): seeded randomness, the network model, the
 * telephone band filter, the speech-truth labeller and the tone makers.
 */
import { describe, expect, test } from "bun:test";
import { rmsDb } from "../../scripts/corpus/audio.ts";
import { telephoneBand } from "../../scripts/corpus/filter.ts";
import { SMOOTH_NETWORK, simulateArrivals } from "../../scripts/corpus/network.ts";
import { Rng } from "../../scripts/corpus/prng.ts";
import { energySpeechFrames, framesToRanges, unionRanges } from "../../scripts/corpus/speech-frames.ts";
import { dtmfDigit, sine } from "../../scripts/corpus/tones.ts";

describe("Rng", () => {
  test("same seed, same stream; other seed, other stream", () => {
    const draw = (seed: string) => {
      const r = new Rng(seed);
      return Array.from({ length: 5 }, () => r.int(0, 1_000_000));
    };
    expect(draw("a/x")).toEqual(draw("a/x"));
    expect(draw("a/x")).not.toEqual(draw("a/y"));
  });

  test("int stays in range and hits both ends", () => {
    const r = new Rng("range");
    const seen = new Set(Array.from({ length: 2000 }, () => r.int(3, 7)));
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });
});

describe("simulateArrivals", () => {
  const rough = { ...SMOOTH_NETWORK, stalls: 2, stallMinMs: 300, stallMaxMs: 800, reorders: 2, duplicates: 2 };

  test("smooth network: every frame once, in order, ~20 ms apart", () => {
    const { arrivals, label } = simulateArrivals(new Rng("smooth"), 300, 3, SMOOTH_NETWORK);
    expect(arrivals.map((a) => a.frame)).toEqual(Array.from({ length: 300 }, (_, k) => k));
    const gaps = arrivals.slice(1).map((a, i) => a.tMs - arrivals[i]!.tMs);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(0);
    expect(arrivals.at(-1)!.tMs - arrivals[0]!.tMs).toBeGreaterThan(299 * 20 - 15);
    expect(label.stalls).toEqual([]);
  });

  test("rough network: t non-decreasing, stalls end in bursts, labels match what happened", () => {
    for (const seed of ["r1", "r2", "r3", "r4"]) {
      const { arrivals, label } = simulateArrivals(new Rng(seed), 400, 2, rough);
      expect(arrivals.every((a, i) => i === 0 || a.tMs >= arrivals[i - 1]!.tMs)).toBe(true);
      const counts = new Map<number, number>();
      for (const a of arrivals) counts.set(a.frame, (counts.get(a.frame) ?? 0) + 1);
      expect(counts.size).toBe(400);
      expect([...counts].filter(([, n]) => n > 1).map(([f]) => f + 1).sort((a, b) => a - b)).toEqual(label.duplicatedChunks);
      expect(label.stalls.length).toBe(2);
      for (const s of label.stalls) {
        expect(arrivals.filter((a) => a.tMs === s.burstAtMs).length).toBeGreaterThanOrEqual(s.frames);
        expect(arrivals.filter((a) => a.tMs > s.burstAtMs - s.stallMs && a.tMs < s.burstAtMs)).toEqual([]);
        expect(s.stallMs).toBeGreaterThanOrEqual(300);
      }
    }
  });
});

describe("telephoneBand", () => {
  const gainDb = (hz: number) => {
    const x = sine(hz, 1000, -20);
    const y = telephoneBand(x);
    return rmsDb(y, 4000, 7000) - rmsDb(x, 4000, 7000);
  };
  test("passes 1 kHz, cuts below 300 Hz and above 3400 Hz", () => {
    expect(Math.abs(gainDb(1000))).toBeLessThan(0.5);
    expect(gainDb(100)).toBeLessThan(-30);
    expect(gainDb(3900)).toBeLessThan(-8);
    expect(gainDb(400)).toBeGreaterThan(-3);
  });
});

describe("energySpeechFrames", () => {
  test("tone bursts become frame ranges with bridging and a 20 ms hangover", () => {
    // 100 ms silence, 200 ms loud, 60 ms silence (bridged), 100 ms loud, 400 ms silence.
    const parts = [new Float32Array(800), sine(300, 200, -20), new Float32Array(480), sine(300, 100, -20), new Float32Array(3200)];
    const x = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      x.set(p, at);
      at += p.length;
    }
    expect(framesToRanges(energySpeechFrames(x))).toEqual([[100, 480]]);
    expect(framesToRanges(energySpeechFrames(x, { bridgeFrames: 0 }))).toEqual([[100, 320], [360, 480]]);
  });

  test("unionRanges merges overlapping and touching ranges", () => {
    expect(unionRanges([[40, 100], [0, 20], [20, 30], [90, 140]])).toEqual([[0, 30], [40, 140]]);
  });
});

describe("tones", () => {
  test("a DTMF digit is two tones, a sine one", () => {
    const goertzel = (x: Float32Array, hz: number) => {
      const k = 2 * Math.cos((2 * Math.PI * hz) / 8000);
      let s1 = 0;
      let s2 = 0;
      for (const v of x) {
        const s0 = v + k * s1 - s2;
        s2 = s1;
        s1 = s0;
      }
      return Math.sqrt(s1 * s1 + s2 * s2 - k * s1 * s2) / x.length;
    };
    const d = dtmfDigit("5", 100, -10);
    const strong = [770, 1336, 697, 1209].map((hz) => goertzel(d, hz) > 0.05);
    expect(strong).toEqual([true, true, false, false]);
  });
});
