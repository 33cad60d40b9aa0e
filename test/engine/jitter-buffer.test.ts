import { describe, expect, test } from "bun:test";
import { MULAW_DECODE_TABLE, MULAW_SILENCE, encodeMulawSample } from "../../src/engine/audio/mulaw.ts";
import { JitterBuffer, type JitterStats } from "../../src/engine/jitter-buffer.ts";

/** A 160-byte frame filled with one byte value (the frame's identity). */
const frame = (v: number, len = 160) => new Uint8Array(len).fill(v);

/** Arrival: [chunk, timestampMs, byteValue, atMs, length?]. */
type Arrival = [number, number, number, number, number?];

/** Push arrivals, popping after each; returns frames out as [index, first byte, filled]. */
function run(arrivals: Arrival[], endAtMs?: number) {
  const jb = new JitterBuffer();
  const out: [number, number, boolean][] = [];
  const drain = (at: number) => {
    while (jb.pop(at)) out.push([jb.frameIndex, jb.frame[0]!, jb.frameFilled]);
  };
  for (const [chunk, ts, v, at, len] of arrivals) {
    jb.push(chunk, ts, frame(v, len), at);
    drain(at);
  }
  if (endAtMs !== undefined) drain(endAtMs);
  return { out, stats: jb.stats, jb };
}

/** The byte of frame value `v` repeated `k + 1` times into a gap: −6 dB per repeat. */
const faded = (v: number, k: number) => encodeMulawSample(Math.round(MULAW_DECODE_TABLE[v]! / 2 ** (k + 1)));

const stats = (s: Partial<JitterStats>): JitterStats => ({
  received: 0,
  late: 0,
  duplicate: 0,
  filled: 0,
  reordered: 0,
  maxBurst: 1,
  maxStallMs: 20,
  ...s,
});

describe("jitter buffer", () => {
  const rows: { name: string; arrivals: Arrival[]; endAtMs?: number; out: [number, number, boolean][]; stats: JitterStats }[] = [
    {
      name: "in order, steady",
      arrivals: [[1, 0, 1, 0], [2, 20, 2, 20], [3, 40, 3, 40]],
      out: [[0, 1, false], [1, 2, false], [2, 3, false]],
      stats: stats({ received: 3 }),
    },
    {
      name: "a duplicate is dropped",
      arrivals: [[1, 0, 1, 0], [2, 20, 2, 20], [2, 20, 9, 40], [3, 40, 3, 60]],
      out: [[0, 1, false], [1, 2, false], [2, 3, false]],
      stats: stats({ received: 4, duplicate: 1 }),
    },
    {
      name: "swapped frames are put back in order",
      arrivals: [[1, 0, 1, 0], [3, 40, 3, 20], [2, 20, 2, 40], [4, 60, 4, 60]],
      out: [[0, 1, false], [1, 2, false], [2, 3, false], [3, 4, false]],
      stats: stats({ received: 4, reordered: 1 }),
    },
    {
      name: "a frame arriving after its gap was filled is late",
      arrivals: [[1, 0, 1, 0], [3, 40, 3, 20], [4, 60, 4, 40], [5, 80, 5, 60], [2, 20, 2, 80]],
      out: [[0, 1, false], [1, faded(1, 0), true], [2, 3, false], [3, 4, false], [4, 5, false]],
      stats: stats({ received: 5, late: 1, filled: 1, reordered: 1 }),
    },
    {
      name: "a stall then a burst keeps audio time (silence is not shortened)",
      arrivals: [[1, 0, 1, 0], [2, 20, 2, 500], [3, 40, 3, 500], [4, 60, 4, 501], [5, 80, 5, 520]],
      out: [[0, 1, false], [1, 2, false], [2, 3, false], [3, 4, false], [4, 5, false]],
      stats: stats({ received: 5, maxBurst: 3, maxStallMs: 500 }),
    },
    {
      name: "a long gap: two faded repeats, then silence",
      arrivals: [[1, 0, 1, 0], [6, 100, 6, 20], [7, 120, 7, 40], [8, 140, 8, 60]],
      out: [[0, 1, false], [1, faded(1, 0), true], [2, faded(faded(1, 0), 0), true], [3, MULAW_SILENCE, true], [4, MULAW_SILENCE, true], [5, 6, false], [6, 7, false], [7, 8, false]],
      stats: stats({ received: 4, filled: 4 }),
    },
    {
      name: "a gap is filled after maxWaitMs even without later frames piling up",
      arrivals: [[1, 0, 1, 0], [3, 40, 3, 20]],
      endAtMs: 100,
      out: [[0, 1, false], [1, faded(1, 0), true], [2, 3, false]],
      stats: stats({ received: 2, filled: 1 }),
    },
    {
      name: "odd payload sizes are re-framed to 160 bytes",
      arrivals: [[1, 0, 1, 0, 100], [2, 12.5, 2, 12, 100], [3, 25, 3, 25, 120]],
      out: [[0, 1, false], [1, 2, false]],
      stats: stats({ received: 3, maxStallMs: 13 }),
    },
  ];
  for (const r of rows) {
    test(r.name, () => {
      const got = run(r.arrivals, r.endAtMs);
      expect({ out: got.out, stats: got.stats }).toEqual({ out: r.out, stats: r.stats });
    });
  }

  test("re-framing keeps every byte in order", () => {
    const jb = new JitterBuffer();
    const bytes = Uint8Array.from({ length: 800 }, (_, i) => i % 251);
    const sizes = [7, 160, 33, 200, 1, 399];
    let pos = 0;
    const got: number[] = [];
    sizes.forEach((n, i) => {
      jb.push(i + 1, pos / 8, bytes.subarray(pos, pos + n), i * 10);
      pos += n;
      while (jb.pop(i * 10)) got.push(...jb.frame);
    });
    expect(got).toEqual([...bytes]);
  });

  test("the fill deadline is reported in host time", () => {
    const { jb } = run([[1, 0, 1, 0], [3, 40, 3, 30]]);
    expect(jb.deadlineMs()).toBe(90);
  });
});

describe("jitter buffer capacity", () => {
  test("one payload as long as the default capacity (1.28 s) comes out whole, in order", () => {
    const jb = new JitterBuffer();
    const frames = jb.options.capacityFrames;
    const payload = new Uint8Array(frames * 160).map((_, i) => Math.floor(i / 160) % 200);
    jb.push(1, 0, payload, 0);
    const got: number[] = [];
    while (jb.pop(0)) got.push(jb.frame[0]! === jb.frame[159]! && !jb.frameFilled ? jb.frame[0]! : -1);
    expect(got).toEqual(Array.from({ length: frames }, (_, i) => i % 200));
  });
});
