import { describe, expect, test } from "bun:test";
import { FixtureError, formatFixture, parseFixture } from "../../src/replay/fixture.ts";

const HEADER = '{"kind":"header","version":1,"encoding":"audio/x-mulaw","sampleRate":8000}';

describe("fixture reader", () => {
  const bad: [string, string, number, string][] = [
    ["empty file", "", 1, "no header"],
    ["no header first", '{"kind":"twilio","t":0,"msg":{}}', 1, "first line must be the header"],
    ["bad JSON", `${HEADER}\n{"kind":`, 2, "not valid JSON"],
    ["wrong encoding", HEADER.replace("x-mulaw", "x-alaw"), 1, "unsupported encoding"],
    ["t backwards", `${HEADER}\n{"kind":"twilio","t":5,"msg":{}}\n\n{"kind":"twilio","t":4,"msg":{}}`, 4, "t goes backwards"],
    ["no msg", `${HEADER}\n{"kind":"stt","t":1}`, 2, "needs a msg object"],
    ["negative t", `${HEADER}\n{"kind":"twilio","t":-1,"msg":{}}`, 2, "non-negative"],
    ["not an object", `${HEADER}\n[1,2]`, 2, "not a JSON object"],
  ];
  for (const [name, text, line, reason] of bad) {
    test(`${name}: error names line ${line}`, () => {
      let err: unknown;
      try {
        parseFixture(text);
      } catch (e) {
        err = e;
      }
      expect(err instanceof FixtureError ? [err.line, err.message.includes(reason)] : err).toEqual([line, true]);
    });
  }

  test("unknown kinds and fields are kept; blank lines are skipped with line numbers intact", () => {
    const f = parseFixture(`${HEADER}\n\n{"kind":"twilio","t":0,"msg":{"event":"connected"},"extra":1}\n{"kind":"future","t":3,"x":true}\n`);
    expect(f.lines).toEqual([
      { kind: "twilio", t: 0, line: 3, fields: { msg: { event: "connected" }, extra: 1 } },
      { kind: "future", t: 3, line: 4, fields: { x: true } },
    ]);
  });

  test("writer and reader round-trip", () => {
    const header = { kind: "header" as const, version: 1, encoding: "audio/x-mulaw", sampleRate: 8000, labels: { speech: [[1, 2]] } };
    const lines = [
      { kind: "twilio", t: 0, fields: { msg: { event: "connected" } } },
      { kind: "tts", t: 12.5, fields: { replyId: "r1", done: true } },
    ];
    const back = parseFixture(formatFixture(header, lines));
    expect(back).toEqual({ header, lines: lines.map((l, i) => ({ ...l, line: i + 2 })) });
  });
});
