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

describe("barge-in detector (hold, then decide)", () => {
  const noEcho = new EchoMonitor();
  type F = [voiced: boolean, speech: boolean];
  /** Run frames from index 100 until a barge-in; `words` are heard before the frame of the given offset. Returns non-"none" verdicts. */
  function run(d: BargeInDetector, pattern: F[], words: [number, string][] = []) {
    const out: [number, string][] = [];
    pattern.forEach(([voiced, speech], i) => {
      if (out.at(-1)?.[1] === "bargeIn") return; // the engine cuts the reply: no more frames
      for (const [at, text] of words) if (at === i) d.words(text);
      const v = d.frame(100 + i, voiced, speech);
      if (v !== "none") out.push([100 + i, v === "resume" ? `resume:${d.resumeWhy}` : v]);
    });
    return out;
  }
  const talk = (n: number): F[] => Array.from({ length: n }, (_, i) => [true, i >= 1] as F);
  const quiet = (n: number): F[] => Array.from({ length: n }, () => [false, false] as F);

  test("speech holds the agent after 40 ms; words that are more than a backchannel barge in", () => {
    const d = new BargeInDetector(noEcho);
    expect([run(d, talk(20), [[12, "wait a"]]), d.lastStartMs, d.holdMs]).toEqual([
      [
        [101, "hold"],
        [112, "bargeIn"],
      ],
      2000,
      2040,
    ]);
  });
  test("a backchannel holds, then resumes as soon as it ends and its words are in", () => {
    const d = new BargeInDetector(noEcho);
    expect(run(d, [...talk(30), ...quiet(10)], [[32, "mhm"]])).toEqual([
      [101, "hold"],
      [134, "resume:backchannel"],
    ]);
  });
  test("a sound without words resumes once the words have had time to come (600 ms)", () => {
    const d = new BargeInDetector(noEcho);
    expect(run(d, [...talk(10), ...quiet(40)])).toEqual([
      [101, "hold"],
      [143, "resume:noise"],
    ]);
  });
  test("speech that goes on past 1 s barges in without words; a short blip never holds", () => {
    expect(run(new BargeInDetector(noEcho), talk(60))).toEqual([
      [101, "hold"],
      [149, "bargeIn"],
    ]);
    expect(run(new BargeInDetector(noEcho), [[true, false], ...quiet(6)])).toEqual([]);
  });
  test("new speech after a held backchannel restarts the candidate there", () => {
    const d = new BargeInDetector(noEcho);
    const out = run(d, [...talk(10), ...quiet(8), ...talk(10)], [[20, "wait"]]);
    expect([out, d.lastStartMs]).toEqual([
      [
        [101, "hold"],
        [120, "bargeIn"],
      ],
      2360,
    ]);
  });
  test("words that come after a backchannel resumed and make it more barge in on that speech", () => {
    const d = new BargeInDetector(noEcho);
    const out = run(d, [...talk(20), ...quiet(5)], [[22, "okay"]]);
    expect(out).toEqual([
      [101, "hold"],
      [124, "resume:backchannel"],
    ]);
    // "okay, thanks" arrives 300 ms after the resume, covering the resumed speech (from 2000 ms).
    expect(d.lateWords("Okay, thanks", 2400, 2800)).toBe(true);
    expect([d.latePending, d.frame(140, false, false), d.lastStartMs]).toEqual([true, "bargeIn", 2000]);
    expect(d.latePending).toBe(false);
  });
  test("late words that are still a backchannel, too late, or before the speech change nothing", () => {
    const resumed = () => {
      const d = new BargeInDetector(noEcho);
      run(d, [...talk(20), ...quiet(5)], [[22, "mhm"]]);
      return d;
    };
    const d1 = resumed();
    expect([d1.lateWords("mhm yeah", 2400, 2800), d1.frame(140, false, false)]).toEqual([false, "none"]);
    const d2 = resumed();
    expect([d2.lateWords("okay, thanks", 2400, 2500 + 1500 + 20), d2.frame(240, false, false)]).toEqual([false, "none"]);
    const d3 = resumed();
    expect([d3.lateWords("earlier words", 1900, 2600), d3.frame(140, false, false)]).toEqual([false, "none"]);
    const d4 = resumed();
    d4.reset(); // the agent stopped
    expect([d4.lateWords("okay, thanks", 2400, 2600), d4.frame(140, false, false)]).toEqual([false, "none"]);
  });
  test("our own echo never holds the agent", () => {
    const m = new EchoMonitor();
    feed(m, 130, 0.25, 5, () => 0);
    const d = new BargeInDetector(m);
    const verdicts: string[] = [];
    for (let f = 110; f < 130; f++) verdicts.push(d.frame(f, true, true));
    for (let f = 130; f < 135; f++) verdicts.push(d.frame(f, false, false));
    expect(verdicts.filter((v) => v !== "none")).toEqual(["ignoredEcho"]);
  });
});
