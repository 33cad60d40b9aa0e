import { describe, expect, test } from "bun:test";
import type { SttEvent } from "../../src/engine/types.ts";
import { ScriptedStt, scriptWords } from "../../src/replay/scripted-stt.ts";

const labels = {
  speech: [[1000, 1400], [1600, 2000]],
  utterances: [{ startMs: 1000, endMs: 2000, text: "Hello there, Bob.", complete: true }],
};

const brief = (e: SttEvent) =>
  e.type === "transcript" ? `${e.isFinal ? (e.fromFinalize ? "finalize" : "final") : "interim"}:${e.text}@${e.endMs}` : `${e.type}`;

describe("scripted STT", () => {
  test("words are spread over the labelled speech by characters, never across a pause", () => {
    expect(scriptWords(labels)).toEqual([
      { word: "Hello", startMs: 1000, endMs: 1267 },
      { word: "there,", startMs: 1267, endMs: 1400 },
      { word: "Bob.", startMs: 1778, endMs: 2000 },
    ]);
  });

  test("interim per word, a final after the endpointing silence, then UtteranceEnd", () => {
    const s = new ScriptedStt(labels);
    const got: string[] = [];
    for (let ms = 20; ms <= 3200; ms += 20) got.push(...s.advance(ms).map(brief));
    expect(got).toEqual([
      "interim:Hello@1267",
      "interim:Hello there,@1400",
      "final:Hello there,@1400",
      "interim:Bob@2000",
      "final:Bob.@2000",
      "utteranceEnd",
    ]);
  });

  test("Finalize flushes the words heard so far as a final", () => {
    const s = new ScriptedStt(labels);
    s.advance(1300);
    expect(s.finalize(1420).map(brief)).toEqual(["interim:Hello there,@1400", "finalize:Hello there,@1400"]);
  });

  test("without utterances, each speech range is one placeholder word", () => {
    expect(scriptWords({ speech: [[100, 300]] })).toEqual([{ word: "speech", startMs: 100, endMs: 300 }]);
  });
});
