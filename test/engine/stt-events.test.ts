import { describe, expect, test } from "bun:test";
import { encodeDeepgramMessage, parseDeepgramMessage } from "../../src/engine/stt-events.ts";
import type { SttEvent } from "../../src/engine/types.ts";

describe("Deepgram live messages → engine STT events", () => {
  test("a Results message as Deepgram sends it", () => {
    const msg = {
      type: "Results",
      channel_index: [0, 1],
      duration: 1.25,
      start: 0.5,
      is_final: true,
      speech_final: true,
      from_finalize: false,
      channel: {
        alternatives: [
          {
            transcript: "Hello there.",
            confidence: 0.98,
            words: [
              { word: "hello", start: 0.52, end: 0.9, confidence: 0.99, punctuated_word: "Hello" },
              { word: "there", start: 0.95, end: 1.4, confidence: 0.97, punctuated_word: "there." },
            ],
          },
        ],
      },
      metadata: { request_id: "x" },
    };
    expect(parseDeepgramMessage(JSON.stringify(msg))).toEqual({
      type: "transcript",
      text: "Hello there.",
      words: [
        { word: "Hello", startMs: 520, endMs: 900 },
        { word: "there.", startMs: 950, endMs: 1400 },
      ],
      startMs: 500,
      endMs: 1750,
      isFinal: true,
      speechFinal: true,
      fromFinalize: false,
    });
  });

  const rows: [string, unknown, SttEvent][] = [
    ["SpeechStarted", { type: "SpeechStarted", channel: [0], timestamp: 2.34 }, { type: "speechStarted", atAudioMs: 2340 }],
    ["UtteranceEnd", { type: "UtteranceEnd", channel: [0, 1], last_word_end: 3.1 }, { type: "utteranceEnd", lastWordEndMs: 3100 }],
    ["Metadata", { type: "Metadata", request_id: "abc", duration: 12.5 }, { type: "metadata", requestId: "abc", durationMs: 12500 }],
  ];
  for (const [name, raw, want] of rows) test(name, () => expect(parseDeepgramMessage(raw)).toEqual(want));

  test("every event round-trips through Deepgram's JSON", () => {
    const events: SttEvent[] = [
      {
        type: "transcript",
        text: "my number is",
        words: [
          { word: "my", startMs: 100, endMs: 200 },
          { word: "number", startMs: 220, endMs: 500 },
          { word: "is", startMs: 520, endMs: 600 },
        ],
        startMs: 100,
        endMs: 600,
        isFinal: false,
        speechFinal: false,
        fromFinalize: true,
      },
      ...rows.map((r) => r[2]),
    ];
    expect(events.map((e) => parseDeepgramMessage(encodeDeepgramMessage(e)))).toEqual(events);
  });

  const bad: [string, unknown, string][] = [
    ["not JSON", "{", "not_json"],
    ["unknown type", { type: "Weird" }, "unknown_type"],
    ["Results without start", { type: "Results", duration: 1, channel: { alternatives: [{}] } }, "missing_field"],
    ["Results without alternatives", { type: "Results", start: 0, duration: 1, channel: {} }, "missing_field"],
    ["bad word", { type: "Results", start: 0, duration: 1, channel: { alternatives: [{ words: [{ word: "a" }] }] } }, "bad_word"],
    ["SpeechStarted without timestamp", { type: "SpeechStarted" }, "missing_field"],
  ];
  for (const [name, raw, code] of bad) {
    test(`malformed: ${name} → ${code}`, () => {
      const r = parseDeepgramMessage(raw);
      expect("error" in r ? r.code : "parsed").toBe(code);
    });
  }
});
