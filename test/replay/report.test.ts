import { describe, expect, test } from "bun:test";
import { buildReport } from "../../src/replay/report.ts";
import type { EngineEvent } from "../../src/engine/types.ts";

const vad = (speaking: boolean, atAudioMs: number, settledAudioMs: number): EngineEvent => ({ type: "vad", speaking, atAudioMs, settledAudioMs });
const sent = { media: 0, marks: 0, clears: 0 };

describe("report: vad.speech", () => {
  test("ranges are the settled boundaries, not the live ones", () => {
    const r = buildReport("x", 5000, [vad(true, 1180, 1100), vad(false, 2520, 2480)], sent);
    expect(r.vad).toEqual({ frameMs: 20, speech: [[1100, 2480]] });
  });

  test("a segment settled to start at or before the previous one's end merges with it; a later one does not", () => {
    const events = [vad(true, 200, 120), vad(false, 900, 860), vad(true, 940, 860), vad(false, 1500, 1460), vad(true, 2000, 1920), vad(false, 2600, 2560)];
    expect(buildReport("x", 5000, events, sent).vad.speech).toEqual([
      [120, 1460],
      [1920, 2560],
    ]);
  });

  test("a segment still open when the recording ends closes at its end", () => {
    expect(buildReport("x", 3000, [vad(true, 2500, 2420)], sent).vad.speech).toEqual([[2420, 3000]]);
  });
});
