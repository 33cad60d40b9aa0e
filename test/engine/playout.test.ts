import { describe, expect, test } from "bun:test";
import { heardText } from "../../src/engine/heard-text.ts";
import { Playout } from "../../src/engine/playout.ts";
import type { TwilioOutbound } from "../../src/engine/types.ts";

/** A playout; by default unpaced (everything sent at the next pump), like a deep Twilio buffer. */
function setup(leadMs = Infinity) {
  const sent: TwilioOutbound[] = [];
  const scheduled: number[] = [];
  const p = new Playout({ send: (m) => sent.push(m), scheduled: (f) => scheduled.push(f), unscheduled: () => {} }, () => "MZ1", { leadMs });
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

  /** Ten frames whose bytes are their index, one phrase, paced 60 ms ahead. */
  function tenFrames(text = "alpha beta gamma delta epsilon") {
    const t = setup(60);
    t.p.open("r1", false);
    t.p.add("r1", Uint8Array.from({ length: 160 * 10 }, (_, i) => (i / 160) | 0), text, true, undefined);
    const firstBytes = () => t.sent.map((m) => (m.event === "media" ? m.payload[0]! : m.event === "mark" ? m.name : m.event));
    return { ...t, firstBytes };
  }

  test("a hold clears at once and rewinds to the last whole frame played; resume re-sends exactly the rest", () => {
    const { p, firstBytes } = tenFrames();
    p.pump(0, 0); // frames 0, 1, 2 play at 0, 20, 40
    // At 30 frame 0 has played and frame 1 is in flight: Twilio drops 1 and 2, both are re-sent.
    const cleared = p.hold(30);
    p.pump(100, 100);
    const held = [cleared, firstBytes(), p.nextSendHostMs, p.isPlaying(30)];
    p.resume();
    for (let host = 500; host <= 700; host += 20) p.pump(host, host);
    expect([held, firstBytes(), p.stats]).toEqual([
      [true, [0, 1, 2, "clear"], null, false],
      [0, 1, 2, "clear", 1, 2, 3, 4, 5, 6, 7, 8, 9, "r1.0"],
      { media: 12, marks: 1, clears: 1 },
    ]);
  });

  test("a hold with nothing sent since the last clear sends no clear", () => {
    const { p, firstBytes } = tenFrames();
    const before = p.hold(0);
    p.resume();
    p.pump(0, 0);
    const first = p.hold(30);
    p.resume();
    expect([before, first, p.hold(40), firstBytes()]).toEqual([false, true, false, [0, 1, 2, "clear"]]);
  });

  test("marks flushed by the hold's clear never count as played; they are re-sent under a new name", () => {
    const { p, summary } = setup();
    p.open("r1", false);
    p.add("r1", new Uint8Array(320), "a", true, undefined); // plays 0–40
    p.add("r1", new Uint8Array(320), "b", true, undefined); // plays 40–80
    p.finish("r1");
    p.pump(0, 0);
    // At 50 the first phrase has played (its mark is still pending) and the second has just begun.
    p.hold(50);
    const atHold = summary();
    // Twilio echoes both pending marks on the clear; then the re-sent first mark (nothing before it).
    const echoes = [p.markEchoed("r1.0", 50), p.markEchoed("r1.1", 50), p.isPlaying(55), p.markEchoed("r1.0~1", 60)];
    p.resume();
    p.pump(100, 100);
    const resent = summary().slice(atHold.length);
    expect([atHold, echoes, resent, p.markEchoed("r1.1", 100), p.isPlaying(130), p.markEchoed("r1.1~1", 140), p.isPlaying(150)]).toEqual([
      ["media:160", "media:160", "mark:r1.0", "media:160", "media:160", "mark:r1.1", "clear", "mark:r1.0~1"],
      [null, null, true, null],
      ["media:160", "media:160", "mark:r1.1~1"],
      null,
      true,
      "r1",
      false,
    ]);
  });

  test("a cut after a hold keeps what was heard when the clear went out and sends no second clear", () => {
    const { p, firstBytes } = tenFrames();
    p.pump(0, 0);
    p.hold(50); // frames 0 and 1 played (40 of 200 ms), frame 2 in flight
    // 40 of 200 ms of "alpha beta gamma delta epsilon" → "alpha".
    expect([p.cutAll(300), firstBytes(), p.stats.clears]).toEqual([[{ replyId: "r1", heardText: "alpha" }], [0, 1, 2, "clear"], 1]);
  });

  test("a cut after a resume clears again and counts the re-sent audio that played", () => {
    const { p, firstBytes } = tenFrames();
    p.pump(0, 0);
    p.hold(50);
    p.resume();
    p.pump(500, 500); // frames 2, 3, 4 play at 500, 520, 540
    // Played: 40 ms before the hold + 30 ms after the resume = 70 of 200 ms → "alpha beta".
    expect([p.cutAll(530), firstBytes(), p.stats.clears]).toEqual([
      [{ replyId: "r1", heardText: "alpha beta" }],
      [0, 1, 2, "clear", 2, 3, 4, "clear"],
      2,
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
