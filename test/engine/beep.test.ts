import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { createBeepDetector, type BeepEvent } from "../../src/engine/beep.ts";
import { concatPcm, speechLike, tones } from "../../bench/lib/signals.ts";
import { frames } from "../../bench/lib/telephone.ts";
import { readWav } from "../../bench/lib/wav.ts";

function detect(pcm: Int16Array): BeepEvent[] {
  const d = createBeepDetector();
  const out: BeepEvent[] = [];
  for (const f of [...frames(pcm), ...frames(new Int16Array(800))]) {
    const e = d.push(f);
    if (e) out.push(e);
  }
  return out;
}
const mix = (a: Int16Array, b: Int16Array): Int16Array => Int16Array.from(a, (v, i) => v + (b[i] ?? 0));
const silence = (ms: number, seed = 1): Int16Array => tones([], ms, 0, 60, seed);
/** Beeps rounded for comparison: start and end to 10 ms, frequency to 5 Hz. */
const summary = (evs: BeepEvent[]) =>
  evs.map((e) => ({ startMs: Math.round(e.startMs / 10) * 10, endMs: Math.round(e.endMs / 10) * 10, hz: Math.round(e.frequencyHz / 5) * 5 }));

describe("beep detection: one steady tone 400–2000 Hz, 0.15–1.5 s", () => {
  test.each([
    // [name, lead-in ms, frequency Hz, duration ms, amplitude]
    ["400 Hz, 300 ms", 310, 400, 300, 8000],
    ["700 Hz, 150 ms", 500, 700, 150, 8000],
    ["1000 Hz, 500 ms, quiet", 1230, 1000, 500, 600],
    ["1400 Hz, 1 s", 200, 1400, 1000, 6000],
    ["2000 Hz, 1.4 s", 455, 2000, 1400, 6000],
  ])("%s is found, start and end within 10 ms", (_n, leadMs, hz, durMs, amp) => {
    const got = summary(detect(concatPcm([silence(leadMs), tones([hz], durMs, amp, 60, 2), silence(500, 3)])));
    expect(got).toEqual([{ startMs: Math.round(leadMs / 10) * 10, endMs: Math.round((leadMs + durMs) / 10) * 10, hz }]);
  });

  test.each([
    ["too short (80 ms)", tones([1000], 80, 8000)],
    ["too long (2.5 s: a dial tone, not a beep)", tones([1000], 2500, 8000)],
    ["too low (250 Hz)", tones([250], 400, 8000)],
    ["too high (3000 Hz)", tones([3000], 400, 8000)],
    ["DTMF 1 (697+1209 Hz)", tones([697, 1209], 300, 5000)],
    ["DTMF # (941+1477 Hz) with 6 dB twist", mix(tones([941], 300, 5000), tones([1477], 300, 2500))],
    [
      "special-information tones 913.8/1370.6/1776.7 Hz",
      concatPcm([tones([913.8], 274, 6000), tones([1370.6], 274, 6000), tones([1776.7], 380, 6000)]),
    ],
    ["speech-like audio", speechLike(2000, 10000)],
    ["white noise", tones([], 1000, 0, 8000)],
  ])("%s is not a beep", (_n, pcm) => {
    expect(detect(concatPcm([silence(300), pcm, silence(500, 4)]))).toEqual([]);
  });

  test("two beeps of the same tone are both reported", () => {
    const pcm = concatPcm([silence(300), tones([800], 200, 6000), silence(300, 2), tones([800], 200, 6000), silence(300, 3)]);
    expect(summary(detect(pcm))).toEqual([
      { startMs: 300, endMs: 500, hz: 800 },
      { startMs: 800, endMs: 1000, hz: 800 },
    ]);
  });

  test("a beep right after speech is found", () => {
    const pcm = concatPcm([silence(200), speechLike(1500, 9000), tones([1000], 400, 6000), silence(400, 2)]);
    expect(summary(detect(pcm))).toEqual([{ startMs: 1700, endMs: 2100, hz: 1000 }]);
  });

  test("activeTone shows a tone in progress before it is confirmed", () => {
    const d = createBeepDetector();
    const seen: Array<number | null> = [];
    for (const f of frames(concatPcm([silence(200), tones([1000], 300, 6000)]))) {
      d.push(f);
      const t = d.activeTone();
      seen.push(t ? Math.round(t.frequencyHz) : null);
    }
    expect({ before: seen[9], during: seen[20] }).toEqual({ before: null, during: 1000 });
  });

  const beepWav = "/usr/share/asterisk/sounds/en_US_f_Allison/beep.wav";
  test.skipIf(!existsSync(beepWav))("Asterisk's real beep.wav (Debian asterisk-core-sounds-en-wav)", () => {
    const w = readWav(beepWav);
    const got = detect(concatPcm([silence(400), w.samples, silence(400, 2)]));
    expect(got.map((e) => ({ hz: Math.round(e.frequencyHz / 10) * 10, startNear: Math.abs(e.startMs - 400) <= 20 }))).toEqual([{ hz: 700, startNear: true }]);
  });
});
