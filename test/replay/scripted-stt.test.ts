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
  test("words keep to the voiced parts, the pause falling at punctuation near where the characters put it", () => {
    expect(scriptWords(labels)).toEqual([
      { word: "Hello", startMs: 1000, endMs: 1185 },
      { word: "there,", startMs: 1185, endMs: 1400 },
      { word: "Bob.", startMs: 1600, endMs: 2000 },
    ]);
    // By characters "thanks." would start inside the first part; the comma is where the pause is.
    const okay = { speech: [[10180, 10780], [11020, 11600]], utterances: [{ startMs: 10180, endMs: 11600, text: "Okay, thanks." }] };
    expect(scriptWords(okay).map((w) => `${w.word}@${w.startMs}-${w.endMs}`)).toEqual(["Okay,@10180-10780", "thanks.@11020-11600"]);
    // Without punctuation, the nearest word boundary.
    const plain = { speech: [[0, 300], [500, 1000]], utterances: [{ startMs: 0, endMs: 1000, text: "one two three four five" }] };
    expect(scriptWords(plain).map((w) => w.word).join(" ")).toBe("one two three four five");
    expect(scriptWords(plain).filter((w) => w.startMs >= 500).map((w) => w.word)).toEqual(["three", "four", "five"]);
  });

  test("interim per word; a pause shorter than the endpointing gives no final; a final after the last word, then UtteranceEnd", () => {
    const s = new ScriptedStt(labels);
    const got: string[] = [];
    for (let ms = 20; ms <= 3200; ms += 20) got.push(...s.advance(ms).map(brief));
    expect(got).toEqual([
      "interim:Hello@1185",
      "interim:Hello there,@1400",
      "interim:Hello there, Bob@2000",
      "final:Hello there, Bob.@2000",
      "utteranceEnd",
    ]);
  });

  test("a pause longer than the endpointing gives a final before the next words", () => {
    const s = new ScriptedStt({ ...labels, speech: [[1000, 1400], [1800, 2200]], utterances: [{ startMs: 1000, endMs: 2200, text: "Hello there, Bob." }] });
    const got: string[] = [];
    for (let ms = 20; ms <= 3400; ms += 20) got.push(...s.advance(ms).map(brief));
    expect(got).toEqual(["interim:Hello@1185", "interim:Hello there,@1400", "final:Hello there,@1400", "interim:Bob@2200", "final:Bob.@2200", "utteranceEnd"]);
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
