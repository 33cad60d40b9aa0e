import { describe, expect, test } from "bun:test";
import { BargeInDetector } from "../../src/engine/bargein.ts";
import { EchoMonitor } from "../../src/engine/echo.ts";

/** A syllable-like outbound envelope: level per frame (PCM16 mean absolute). */
const outLevel = (f: number) => 200 + 3000 * Math.abs(Math.sin(f * 0.7)) * (f % 9 < 6 ? 1 : 0.1);

/** Feed `frames` frames; inbound = echo (gain, delay in frames) + caller level from `caller(f)`. */
function feed(m: EchoMonitor, frames: number, gain: number, delayFrames: number, caller: (f: number) => number) {
  for (let f = 0; f < frames; f++) {
    m.outbound(f, outLevel(f));
    const echo = f >= delayFrames ? outLevel(f - delayFrames) * gain : 0;
    m.inbound(f, echo + caller(f) + 20);
  }
}

describe("echo check", () => {
  const rows: [string, number, number, (f: number) => number, boolean][] = [
    ["our voice 12 dB down after 100 ms is echo", 0.25, 5, () => 0, true],
    ["after 280 ms too", 0.25, 14, () => 0, true],
    ["the caller talking loudly over it is not", 0.25, 5, (f) => (f > 45 ? 4000 * (1 + Math.sin(f)) : 0), false],
    ["an unrelated caller, no echo, is not", 0, 0, (f) => 1500 * (1 + Math.sin(f * 1.3)), false],
    ["an echo louder than our voice is not echo", 2, 5, () => 0, false],
  ];
  for (const [name, gain, delay, caller, want] of rows) {
    test(name, () => {
      const m = new EchoMonitor();
      feed(m, 50, gain, delay, caller);
      expect(m.isEcho(49)).toBe(want);
    });
  }
  test("the delay found is the echo path's", () => {
    const m = new EchoMonitor();
    feed(m, 50, 0.3, 7, () => 0);
    const c = m.correlation(49);
    expect([c.delayMs, c.correlation > 0.95]).toEqual([140, true]);
  });
});

describe("barge-in detector", () => {
  const noEcho = new EchoMonitor();
  /** Frames [voiced, speech, energyDb] from a pattern; returns (frame index, verdict) of non-"none" verdicts. */
  function run(d: BargeInDetector, pattern: [boolean, boolean, number][], levelDb = -20, words?: [number, string]) {
    const out: [number, string][] = [];
    pattern.forEach(([voiced, speech, db], f) => {
      if (words && words[0] === f) d.words(words[1]);
      const v = d.frame(100 + f, voiced, speech, db, levelDb);
      if (v !== "none") out.push([100 + f, v]);
    });
    return out;
  }
  const talk = (n: number, db = -20): [boolean, boolean, number][] =>
    Array.from({ length: n }, (_, i) => [true, i >= 1, db] as [boolean, boolean, number]);
  const quiet = (n: number): [boolean, boolean, number][] => Array.from({ length: n }, () => [false, false, -60]);

  test("speech at the caller's level barges in after 160 ms, counted from its first voiced frame", () => {
    const d = new BargeInDetector(noEcho);
    expect([run(d, talk(12)), d.lastStartMs]).toEqual([[[107, "bargeIn"]], 2000]);
  });
  test("a short quiet sound is a backchannel, not a barge-in", () => {
    const d = new BargeInDetector(noEcho);
    expect(run(d, [...talk(15, -27), ...quiet(5)])).toEqual([[118, "ignoredBackchannel"]]);
  });
  test("a quiet sound that goes on long enough does barge in", () => {
    const d = new BargeInDetector(noEcho);
    expect(run(d, talk(30, -27))).toEqual([[123, "bargeIn"]]);
  });
  test("backchannel words veto; other words force", () => {
    expect(run(new BargeInDetector(noEcho), talk(20, -27), -20, [3, "mhm"])).toEqual([]);
    expect(run(new BargeInDetector(noEcho), talk(10, -27), -20, [3, "wait a second"])).toEqual([[103, "bargeIn"]]);
  });
  test("our own echo never barges in", () => {
    const m = new EchoMonitor();
    feed(m, 130, 0.25, 5, () => 0);
    const d = new BargeInDetector(m);
    const verdicts: string[] = [];
    for (let f = 110; f < 130; f++) verdicts.push(d.frame(f, true, true, -20, -20));
    for (let f = 130; f < 135; f++) verdicts.push(d.frame(f, false, false, -60, -20));
    expect(verdicts.filter((v) => v !== "none")).toEqual(["ignoredEcho"]);
  });
});
