import { describe, expect, test } from "bun:test";
import { TurnTaker, type TurnSink } from "../../src/engine/turns.ts";
import type { SttTranscript } from "../../src/engine/types.ts";
import { isBackchannel, tailKind, type TailKind } from "../../src/engine/utterance-cues.ts";

/** A sink that records what the turn-taker asked for, with the audio ms. */
function recorder() {
  const log: string[] = [];
  const sink: TurnSink = {
    finalize: () => log.push("finalize"),
    speculate: (t, end, now) => log.push(`speculate@${now}:${t}|end=${end}`),
    confirm: (t, end, now, why) => log.push(`confirm@${now}:${t}|end=${end}|${why}`),
    discard: (now) => log.push(`discard@${now}`),
    resumed: (now) => log.push(`resumed@${now}`),
    dropped: (now) => log.push(`dropped@${now}`),
  };
  return { log, sink };
}

const words = (text: string, endMs: number, isFinal = false): SttTranscript => ({
  type: "transcript",
  text,
  words: text.split(" ").map((w, i, all) => ({ word: w, startMs: endMs - (all.length - i) * 200, endMs: endMs - (all.length - i - 1) * 200 })),
  startMs: endMs - text.split(" ").length * 200,
  endMs,
  isFinal,
  speechFinal: false,
  fromFinalize: false,
});

/** Drive frames: speech on [fromMs, toMs) in 20 ms frames (frame end times), with STT at given times. */
function drive(tt: TurnTaker, untilMs: number, speech: [number, number][], stt: [number, SttTranscript][], firstEndMs = 20) {
  for (let end = firstEndMs; end <= untilMs; end += 20) {
    for (const [at, ev] of stt) if (at === end) tt.transcriptResult(ev, end);
    const on = speech.some(([a, b]) => end > a && end <= b);
    tt.frame(end, on, on);
  }
}

describe("end of turn", () => {
  test("a finished sentence: finalize, speculate, then confirm ~260 ms after the speech", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    drive(tt, 2000, [[200, 1000]], [[1100, words("I need a table.", 1000, true)]]);
    expect(log).toEqual([
      "finalize",
      "speculate@1100:I need a table.|end=1000",
      "confirm@1260:I need a table.|end=1000|complete",
    ]);
  });

  test("words that arrive after the flush (the recogniser was behind) are flushed again", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    // Speech ends at 1000; the flush goes at 1080; the last word's interim only comes at 1200, its
    // final (answering the second flush) at 1260.
    drive(tt, 1600, [[200, 1000]], [
      [1140, words("I need a", 980, true)],
      [1200, words("table", 1060)],
      [1260, words("table.", 1060, true)],
    ]);
    expect(log).toEqual([
      "finalize",
      "finalize",
      "speculate@1260:I need a table.|end=1000",
      "confirm@1260:I need a table.|end=1000|complete",
    ]);
  });

  const waits: [string, string, number][] = [
    ["trailing 'and'", "I want pizza and", 1300],
    ["trailing 'um'", "so it is um", 1300],
    ["a comma", "for next Tuesday,", 1300],
    ["digits", "my number is five five five", 1600],
    ["no punctuation", "I want pizza", 1000],
  ];
  for (const [name, text, waitMs] of waits) {
    test(`${name}: waits ${waitMs} ms`, () => {
      const { log, sink } = recorder();
      const tt = new TurnTaker(sink);
      drive(tt, 3000, [[200, 1000]], [[1040, words(text, 1000)]]);
      expect(log.filter((l) => l.startsWith("confirm"))).toEqual([`confirm@${1000 + waitMs}:${text}|end=1000|${tailKind(text)}`]);
    });
  }

  test("the caller goes on after a pause: the speculation is discarded, one turn in the end", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    drive(
      tt,
      3000,
      [[200, 1000], [1500, 2000]],
      [[1100, words("I want", 1000, true)], [2100, words("a pizza.", 2000, true)]],
    );
    expect(log).toEqual([
      "finalize",
      "speculate@1400:I want|end=1000",
      "discard@1560",
      "finalize",
      "speculate@2100:I want a pizza.|end=2000",
      "confirm@2260:I want a pizza.|end=2000|complete",
    ]);
  });

  test("words that do not reach the end of the speech hold the speculation back", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    drive(tt, 2000, [[200, 1400]], [[1200, words("hello", 700)], [1600, words("hello there.", 1400, true)]]);
    expect(log).toEqual(["finalize", "speculate@1600:hello there.|end=1400", "confirm@1660:hello there.|end=1400|complete"]);
  });

  test("noise without words is dropped, not answered", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    drive(tt, 3000, [[200, 600]], []);
    expect([log, tt.state]).toEqual([["finalize", "dropped@2100"], "listening"]);
  });

  test("speech before our reply is audible cancels it and continues the same turn", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    drive(tt, 1400, [[200, 1000]], [[1040, words("Yes.", 1000, true)]]);
    tt.transcriptResult(words("and also", 1700), 1700);
    for (let end = 1420; end <= 1800; end += 20) tt.frame(end, end > 1500 && end <= 1700, end > 1500 && end <= 1700);
    expect([log.slice(2), tt.transcript, tt.state]).toEqual([
      ["confirm@1260:Yes.|end=1000|complete", "resumed@1560", "finalize"],
      "Yes. and also",
      "userSpeaking",
    ]);
  });

  test("while disabled (AMD pending) no reply is started; enabling ends the waiting turn", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    tt.enabled = false;
    drive(tt, 2000, [[200, 1000]], [[1040, words("Hello?", 1000, true)]]);
    expect(log).toEqual(["finalize"]);
    tt.enabled = true;
    tt.frame(2020, false, false);
    expect(log).toEqual(["finalize", "speculate@2020:Hello?|end=1000", "confirm@2020:Hello?|end=1000|complete"]);
  });

  test("a barge-in decided from words that came after the caller stopped counts the silence from their last voiced frame", () => {
    const { log, sink } = recorder();
    const tt = new TurnTaker(sink);
    // The agent is talking; the caller says "Okay, thanks" from 3000 to 3500 and stops. The words
    // that make it a barge-in arrive at 3900; their final, with the full stop, at 4040.
    drive(tt, 1000, [[200, 600]], [[700, words("Hi.", 600, true)]]);
    tt.agentStarted();
    for (let end = 1020; end <= 3900; end += 20) tt.frame(end, end > 3000 && end <= 3500, end > 3000 && end <= 3500);
    tt.bargedIn(3000, 3900, "Okay, thanks", 3500);
    log.length = 0;
    drive(tt, 4400, [], [[4040, words("Okay, thanks.", 3500, true)]], 3920);
    // Confirmed as soon as the complete sentence is in (260 ms after 3500 have passed), ending at 3500.
    expect(log.filter((l) => l.startsWith("confirm"))).toEqual(["confirm@4040:Okay, thanks.|end=3500|complete"]);
  });
});

describe("utterance cues", () => {
  const tails: [string, TailKind][] = [
    ["I need a table.", "complete"],
    ["Can you help?", "complete"],
    ["I need a table", "open"],
    ["I was calling about,", "incomplete"],
    ["um", "incomplete"],
    ["I want to go to the.", "incomplete"],
    ["three eight four", "digits"],
    ["555 12", "digits"],
    // A whole phone number read out, closed by a full stop, is finished; part of one is not.
    ["eight two seven, nine zero four, zero three two two.", "complete"],
    ["My number is 1 827 904 0322.", "complete"],
    ["it's eight two seven, nine oh four, double three two two.", "complete"],
    ["eight two seven, nine zero four.", "digits"],
    ["eight two seven, nine zero four, zero three two two", "digits"],
    ["one two three four, five six seven eight, nine zero one two.", "digits"],
    ["four five, six hundred, one two three four five.", "digits"],
    ["", "empty"],
  ];
  for (const [text, kind] of tails) test(`"${text}" ends ${kind}`, () => expect(tailKind(text)).toBe(kind));
  const bc: [string, boolean][] = [
    ["mhm", true],
    ["Uh-huh.", true],
    ["yeah okay", true],
    ["right", true],
    ["wait", false],
    ["yeah but I need", false],
    ["", false],
  ];
  for (const [text, want] of bc) test(`backchannel("${text}") = ${want}`, () => expect(isBackchannel(text)).toBe(want));
});
