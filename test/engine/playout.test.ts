import { describe, expect, test } from "bun:test";
import { heardText } from "../../src/engine/heard-text.ts";
import { Playout } from "../../src/engine/playout.ts";
import type { TwilioOutbound } from "../../src/engine/types.ts";

/** A playout; by default unpaced (everything sent at the next pump), like a deep Twilio buffer. */
function setup(leadMs = Infinity) {
  const sent: TwilioOutbound[] = [];
  const scheduled: number[] = [];
  const p = new Playout({ send: (m) => sent.push(m), scheduled: (f) => scheduled.push(f) }, () => "MZ1", { leadMs });
  const summary = () => sent.map((m) => (m.event === "media" ? `media:${m.payload.length}` : m.event === "mark" ? `mark:${m.name}` : m.event));
  return { p, sent, scheduled, summary };
}

describe("playout", () => {
  test("a phrase is framed into 20 ms media (tail padded with silence) and followed by its mark", () => {
    const { p, sent, summary } = setup();
    p.open("r1", false);
    p.add("r1", new Uint8Array(400).fill(7), "hello there", true, undefined);
    p.pump(0, 0);
    expect(summary()).toEqual(["media:160", "media:160", "media:160", "mark:r1.0"]);
    const last = sent[2]!;
    expect(last.event === "media" ? [last.payload[79], last.payload[80]] : []).toEqual([7, 0xff]);
  });

  test("chunks of one phrase are framed across chunk boundaries; the mark waits for the phrase end", () => {
    const { p, summary } = setup();
    p.open("r1", false);
    p.add("r1", new Uint8Array(100), "a b", false, undefined);
    p.pump(0, 0);
    p.add("r1", new Uint8Array(100), "a b", false, undefined);
    p.pump(0, 0);
    expect(summary()).toEqual(["media:160"]);
    p.finish("r1");
    p.pump(0, 0);
    expect(summary()).toEqual(["media:160", "media:160", "mark:r1.0"]);
  });

  test("a held reply sends nothing until released; a dropped one never", () => {
    const { p, summary } = setup();
    p.open("r1", true);
    p.open("r2", true);
    p.add("r1", new Uint8Array(160), "x", true, undefined);
    p.pump(0, 0);
    p.add("r2", new Uint8Array(160), "y", true, undefined);
    p.pump(0, 0);
    expect(summary()).toEqual([]);
    p.release("r1");
    p.pump(40, 40);
    p.drop("r2");
    p.release("r2");
    p.pump(40, 40);
    expect(summary()).toEqual(["media:160", "mark:r1.0"]);
  });

  test("marks say what was played; the last one completes the reply", () => {
    const { p } = setup();
    p.open("r1", false);
    p.add("r1", new Uint8Array(320), "one two", true, undefined);
    p.pump(0, 0);
    p.add("r1", new Uint8Array(320), "three four", true, undefined);
    p.pump(0, 0);
    p.finish("r1");
    p.pump(0, 0);
    expect([p.isPlaying(10), p.markEchoed("r1.0", 40), p.isPlaying(50), p.markEchoed("r1.1", 80), p.isPlaying(90)]).toEqual([
      true,
      null,
      true,
      "r1",
      false,
    ]);
  });

  test("a cut reports the heard words, clears, and ignores the flushed marks", () => {
    const { p, summary } = setup();
    p.open("r1", false);
    // Two phrases of 1 s each, sent at audio ms 1000: the second starts playing at 2000.
    p.add("r1", new Uint8Array(8000), "first phrase here", true, undefined);
    p.pump(1000, 1000);
    p.add("r1", new Uint8Array(8000), "alpha beta gamma delta", true, undefined);
    p.pump(1000, 1000);
    expect(p.markEchoed("r1.0", 2000)).toBe(null);
    const cut = p.cutAll(2500);
    expect(cut).toEqual([{ replyId: "r1", heardText: "first phrase here alpha beta" }]);
    expect(summary().slice(-1)).toEqual(["clear"]);
    expect([p.markEchoed("r1.1", 2500), p.isPlaying(2500), p.stats]).toEqual([null, false, { media: 100, marks: 2, clears: 1 }]);
  });

  test("nothing sent, nothing cleared", () => {
    const { p, summary } = setup();
    p.open("r1", false);
    expect([p.cutAll(100), summary()]).toEqual([[{ replyId: "r1", heardText: "" }], []]);
  });

  test("playback is estimated after the audio already queued, and re-anchored by late marks", () => {
    const { p, scheduled } = setup();
    p.open("r1", false);
    p.add("r1", new Uint8Array(320), "a", true, undefined);
    p.pump(0, 0);
    p.add("r1", new Uint8Array(320), "b", true, undefined);
    p.pump(10, 10);
    expect(scheduled).toEqual([0, 1, 2, 3]);
    // The first mark comes back 100 ms late: the second phrase is still playing at 150.
    p.markEchoed("r1.0", 140);
    expect([p.isPlaying(150), p.cutAll(160)]).toEqual([true, [{ replyId: "r1", heardText: "a" }]]);
  });
});

describe("paced playout", () => {
  test("sends at most leadMs ahead of playback and asks to be woken for the next frame", () => {
    const { p, summary } = setup(60);
    p.open("r1", false);
    p.add("r1", new Uint8Array(160 * 6), "one two three", true, undefined);
    const steps: [number, string[], number | null][] = [];
    for (const host of [1000, 1010, 1020, 1045]) {
      p.pump(host, host - 50);
      steps.push([host, summary(), p.nextSendHostMs]);
    }
    expect(steps).toEqual([
      [1000, ["media:160", "media:160", "media:160"], 1020],
      [1010, ["media:160", "media:160", "media:160"], 1020],
      [1020, ["media:160", "media:160", "media:160", "media:160"], 1040],
      [1045, ["media:160", "media:160", "media:160", "media:160", "media:160"], 1060],
    ]);
  });

  test("a hold stops sending; resume goes on from the same byte, and the cut counts only what played", () => {
    const { p, sent, summary } = setup(40);
    p.open("r1", false);
    const bytes = Uint8Array.from({ length: 160 * 10 }, (_, i) => (i / 160) | 0);
    p.add("r1", bytes, "alpha beta gamma delta epsilon", true, undefined);
    p.pump(0, 0); // frames 0, 1
    p.hold();
    p.pump(100, 100);
    const held = [summary().length, p.nextSendHostMs, p.isPlaying(30), p.isPlaying(60)];
    p.resume();
    p.pump(500, 500); // frames 2, 3 after a 460 ms gap
    const firstBytes = sent.map((m) => (m.event === "media" ? m.payload[0] : -1));
    // 2 frames before the hold + 1 frame after it have played at 520: 60 of 200 ms → "alpha".
    expect([held, firstBytes, p.cutAll(520)]).toEqual([
      [2, null, true, false],
      [0, 1, 2, 3],
      [{ replyId: "r1", heardText: "alpha" }],
    ]);
  });
});

describe("heard text", () => {
  const rows: [string, number, number, string][] = [
    ["hello there my friend", 0, 1000, ""],
    ["hello there my friend", 1000, 1000, "hello there my friend"],
    ["hello there my friend", 530, 1000, "hello there"],
    ["hello there my friend", 520, 1000, "hello"],
    ["hello there my friend", 240, 1000, "hello"],
    ["hello there my friend", 230, 1000, ""],
  ];
  for (const [text, played, dur, want] of rows) {
    test(`${played}/${dur} ms of "${text}" → "${want}"`, () => expect(heardText(text, played, dur)).toBe(want));
  }
  test("word timing, when given, decides", () => {
    const words = [
      { word: "hello", startMs: 0, endMs: 300 },
      { word: "there", startMs: 350, endMs: 700 },
      { word: "friend", startMs: 750, endMs: 1000 },
    ];
    expect([heardText("hello there friend", 650, 1000, words), heardText("hello there friend", 720, 1000, words)]).toEqual([
      "hello",
      "hello there",
    ]);
  });
});
