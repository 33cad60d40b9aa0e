/**
 * Reader-side checks of the committed corpus (corpus/calls/*.ndjson): files only, no synthesis.
 * Structure per ../shared/FIXTURES.md and PROTOCOLS.md, and labels consistent with the audio.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readFixture, type ReadFixture } from "./read-fixture.ts";

const DIR = join(import.meta.dir, "..", "..", "corpus", "calls");
const FILES = readdirSync(DIR).filter((f) => f.endsWith(".ndjson")).sort();
const FIXTURES: ReadonlyArray<readonly [string, ReadFixture]> = FILES.map((f) => [f, readFixture(readFileSync(join(DIR, f), "utf8"))]);

/** RMS in dBFS of PCM16 samples [from, to). */
function rmsDb(pcm: Int16Array, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += (pcm[i]! / 32768) ** 2;
  return 10 * Math.log10(sum / Math.max(1, to - from) + 1e-12);
}

/** Power of `hz` in samples [from, to) relative to total power (Goertzel), 0..1. */
function toneShare(pcm: Int16Array, from: number, to: number, hz: number): number {
  const k = (2 * Math.cos((2 * Math.PI * hz) / 8000));
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = from; i < to; i++) {
    const x = pcm[i]! / 32768;
    energy += x * x;
    const s0 = x + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  const n = to - from;
  return (2 * power) / (n * energy + 1e-12);
}

describe("committed corpus", () => {
  test("has 35-50 fixtures covering every category family and both answers", () => {
    const categories = new Set(FIXTURES.map(([, f]) => f.header.labels.category.split("-")[0]));
    expect(FIXTURES.length).toBeGreaterThanOrEqual(35);
    expect(FIXTURES.length).toBeLessThanOrEqual(50);
    expect([...categories].sort()).toEqual(["human", "machine", "tone", "turns"]);
    expect(new Set(FIXTURES.map(([, f]) => f.header.labels.answeredBy))).toEqual(new Set(["human", "machine"]));
  });

  test("covers every beep frequency of the brief", () => {
    const hz = new Set(FIXTURES.flatMap(([, f]) => (f.header.labels.beepHz === null ? [] : [f.header.labels.beepHz])));
    expect([...hz].sort((a, b) => a - b)).toEqual([400, 440, 700, 850, 1000, 1400, 2000]);
  });

  for (const [name, f] of FIXTURES) {
    describe(name, () => {
      const labels = f.header.labels;
      const durationMs = (f.pcm.length / 8000) * 1000;

      test("header, then connected, start, media…, stop", () => {
        expect({ version: f.header.version, encoding: f.header.encoding, sampleRate: f.header.sampleRate }).toEqual({
          version: 1, encoding: "audio/x-mulaw", sampleRate: 8000,
        });
        expect(f.events.slice(0, 2)).toEqual(["connected", "start"]);
        expect(f.events.at(-1)).toBe("stop");
        expect(f.events.slice(2, -1).every((e) => e === "media")).toBe(true);
        expect(Object.keys(f.customParameters).sort()).toEqual(["callId", "token"]);
      });

      test("every frame is 160 bytes, chunks 1..N at 20 ms, sequenceNumber = chunk + 1", () => {
        const distinct = [...new Set(f.media.map((m) => m.chunk))].sort((a, b) => a - b);
        expect(distinct).toEqual(Array.from({ length: distinct.length }, (_, i) => i + 1));
        const bad = f.media.filter((m) => m.bytes !== 160 || m.timestampMs !== (m.chunk - 1) * 20 || m.sequenceNumber !== m.chunk + 1);
        expect(bad).toEqual([]);
        expect(durationMs).toBeGreaterThanOrEqual(5000);
        expect(durationMs).toBeLessThanOrEqual(20000);
      });

      test("network labels match the arrivals: bursts, reorders, duplicates", () => {
        const net = labels.network;
        const firstIndex = (chunk: number) => f.media.findIndex((m) => m.chunk === chunk);
        const count = (chunk: number) => f.media.filter((m) => m.chunk === chunk).length;
        const outOfOrder = f.media.flatMap((m, i) => (i > 0 && m.chunk < f.media[i - 1]!.chunk && count(m.chunk) === 1 ? [m.chunk] : []));
        expect(outOfOrder).toEqual(net.reorderedChunks);
        expect(net.reorderedChunks.every((c) => firstIndex(c) > firstIndex(c + 1))).toBe(true);
        const dups = [...new Set(f.media.map((m) => m.chunk))].filter((c) => count(c) > 1);
        expect(dups).toEqual(net.duplicatedChunks);
        for (const s of net.stalls) {
          expect(f.media.filter((m) => m.t === s.burstAtMs).length).toBeGreaterThanOrEqual(s.frames);
          // Nothing arrived during the stall.
          expect(f.media.filter((m) => m.t > s.burstAtMs - s.stallMs && m.t < s.burstAtMs)).toEqual([]);
        }
      });

      test("speech ranges are sorted, disjoint, frame-aligned and inside the call", () => {
        let last = -1;
        for (const [a, b] of labels.speech) {
          expect(a % 20 === 0 && b % 20 === 0 && a > last && b > a && b <= durationMs).toBe(true);
          last = b;
        }
      });

      test("beepStartMs is set iff the category has a beep, and the beep is a loud steady tone", () => {
        const hasBeep = labels.answeredBy === "machine" && labels.tones.some((t) => t.kind === "beep");
        expect(labels.beepStartMs !== null).toBe(hasBeep);
        expect(labels.beepHz !== null).toBe(hasBeep);
        if (labels.beepStartMs === null || labels.beepHz === null || labels.beepMs === null) return;
        expect(labels.beepMs).toBeGreaterThanOrEqual(150);
        expect(labels.beepMs).toBeLessThanOrEqual(1500);
        const from = Math.ceil((labels.beepStartMs + 20) * 8);
        const to = Math.floor((labels.beepStartMs + labels.beepMs - 20) * 8);
        expect(toneShare(f.pcm, from, to, labels.beepHz)).toBeGreaterThan(0.8);
        // The onset is where the label says: the 20 ms before it are far quieter than the 20 ms after.
        const at = labels.beepStartMs * 8;
        expect(rmsDb(f.pcm, at + 40, at + 200) - rmsDb(f.pcm, at - 200, at - 40)).toBeGreaterThan(10);
        // A beep is never speech.
        const overlap = labels.speech.filter(([a, b]) => a < labels.beepStartMs! + labels.beepMs! && b > labels.beepStartMs!);
        expect(overlap).toEqual([]);
      });

      test("utterances and backchannels lie inside speech ranges, in order", () => {
        const inside = (s: number, e: number) => labels.speech.some(([a, b]) => a <= s && e <= b + 20);
        const items = [...labels.utterances, ...labels.backchannels];
        expect(items.filter((u) => !inside(u.startMs, u.startMs + 20) || u.endMs <= u.startMs || u.endMs > durationMs)).toEqual([]);
        const starts = labels.utterances.map((u) => u.startMs);
        expect(starts).toEqual([...starts].sort((a, b) => a - b));
        const firstComplete = labels.utterances.find((u) => u.complete);
        expect(labels.firstUtteranceEndMs).toBe(firstComplete ? firstComplete.endMs : null);
      });

      test("labelled speech is louder than the labelled silence", () => {
        if (labels.speech.length === 0) return;
        const isSpeech = new Uint8Array(Math.floor(f.pcm.length / 160));
        for (const [a, b] of labels.speech) isSpeech.fill(1, a / 20, b / 20);
        const quiet: number[] = [];
        const loud: number[] = [];
        isSpeech.forEach((s, k) => (s ? loud : quiet).push(rmsDb(f.pcm, k * 160, (k + 1) * 160)));
        const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? -200;
        // Loud line noise (−35 dBFS) or music and tones in the gaps narrow the difference.
        const busy = labels.music.length > 0 || labels.tones.length > 0 || labels.lineNoiseDb > -40;
        expect(median(loud) - median(quiet)).toBeGreaterThan(busy ? 3 : 10);
      });
    });
  }
});
