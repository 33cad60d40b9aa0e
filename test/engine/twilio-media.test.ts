import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { base64Decode, base64Encode } from "../../src/engine/base64.ts";
import {
  encodeTwilioInbound,
  encodeTwilioOutbound,
  parseTwilioMessage,
  parseTwilioOutbound,
} from "../../src/engine/twilio-media.ts";
import type { TwilioInbound, TwilioOutbound } from "../../src/engine/types.ts";

const inbound: TwilioInbound[] = [
  { event: "connected", protocol: "Call", version: "1.0.0" },
  {
    event: "start",
    sequenceNumber: 1,
    streamSid: "MZ1",
    callSid: "CA1",
    accountSid: "AC1",
    tracks: ["inbound"],
    encoding: "audio/x-mulaw",
    sampleRateHz: 8000,
    channels: 1,
    customParameters: { callId: "c1", token: "t" },
  },
  {
    event: "media",
    sequenceNumber: 4,
    streamSid: "MZ1",
    track: "inbound",
    chunk: 2,
    timestampMs: 20,
    payload: new Uint8Array([0, 1, 2, 255, 127]),
  },
  { event: "dtmf", sequenceNumber: 5, streamSid: "MZ1", track: "inbound_track", digit: "7" },
  { event: "mark", sequenceNumber: 6, streamSid: "MZ1", name: "r1.0" },
  { event: "stop", sequenceNumber: 7, streamSid: "MZ1", callSid: "CA1" },
];

describe("Twilio inbound codec", () => {
  for (const msg of inbound) {
    test(`${msg.event} round-trips through the wire text`, () => {
      const wire = JSON.stringify(encodeTwilioInbound(msg));
      expect(parseTwilioMessage(wire)).toEqual(msg);
    });
  }

  test("counters are strings on the wire", () => {
    const wire = encodeTwilioInbound(inbound[2]!) as { sequenceNumber: unknown; media: Record<string, unknown> };
    expect([wire.sequenceNumber, wire.media.chunk, wire.media.timestamp]).toEqual(["4", "2", "20"]);
  });

  test("a media payload is decoded into a caller-supplied buffer", () => {
    const out = new Uint8Array(400);
    const parsed = parseTwilioMessage(encodeTwilioInbound(inbound[2]!), out);
    expect(!("error" in parsed) && parsed.event === "media" && parsed.payload.buffer === out.buffer).toBe(true);
  });

  const bad: [string, unknown, string][] = [
    ["not JSON", "{oops", "not_json"],
    ["an array", "[1]", "not_object"],
    ["no event", { sequenceNumber: "1" }, "missing_field"],
    ["unknown event", { event: "dance", sequenceNumber: "1" }, "unknown_event"],
    ["counter not digits", { event: "mark", sequenceNumber: "x1", streamSid: "MZ", mark: { name: "a" } }, "bad_number"],
    ["counter with a trailing letter", { event: "mark", sequenceNumber: "12a", streamSid: "MZ", mark: { name: "a" } }, "bad_number"],
    ["empty counter", { event: "mark", sequenceNumber: "", streamSid: "MZ", mark: { name: "a" } }, "bad_number"],
    ["counter of 16 digits", { event: "mark", sequenceNumber: "1234567890123456", streamSid: "MZ", mark: { name: "a" } }, "bad_number"],
    ["signed counter", { event: "mark", sequenceNumber: "+1", streamSid: "MZ", mark: { name: "a" } }, "bad_number"],
    ["negative counter", { event: "mark", sequenceNumber: -1, streamSid: "MZ", mark: { name: "a" } }, "missing_field"],
    [
      "bad base64",
      { event: "media", sequenceNumber: "2", streamSid: "MZ", media: { chunk: "1", timestamp: "0", payload: "@@@@" } },
      "bad_payload",
    ],
    ["media without timestamp", { event: "media", sequenceNumber: "2", streamSid: "MZ", media: { chunk: "1", payload: "" } }, "missing_field"],
    ["mark without name", { event: "mark", sequenceNumber: "2", streamSid: "MZ", mark: {} }, "missing_field"],
  ];
  for (const [name, raw, code] of bad) {
    test(`malformed: ${name} → ${code}, no throw`, () => {
      const r = parseTwilioMessage(typeof raw === "string" ? raw : JSON.stringify(raw));
      expect("error" in r ? r.code : "parsed").toBe(code);
    });
  }
});

describe("Twilio outbound codec", () => {
  const out: TwilioOutbound[] = [
    { event: "media", streamSid: "MZ1", payload: new Uint8Array([9, 8, 7, 6]) },
    { event: "mark", streamSid: "MZ1", name: "r2.3" },
    { event: "clear", streamSid: "MZ1" },
  ];
  for (const msg of out) {
    test(`${msg.event} round-trips`, () => {
      expect(parseTwilioOutbound(JSON.stringify(encodeTwilioOutbound(msg)))).toEqual(msg);
    });
  }
  test("exact wire shape of clear and mark", () => {
    expect([encodeTwilioOutbound(out[2]!), encodeTwilioOutbound(out[1]!)]).toEqual([
      { event: "clear", streamSid: "MZ1" },
      { event: "mark", streamSid: "MZ1", mark: { name: "r2.3" } },
    ]);
  });
});

describe("base64", () => {
  test("matches the platform's encoder and round-trips, any length", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (bytes) => {
        const text = base64Encode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString("base64"));
        expect(base64Decode(text)).toEqual(bytes);
      }),
    );
  });
  test("a payload larger than the reused output buffer encodes the same", () => {
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) & 0xff);
    expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString("base64"));
    // The reused buffer does not leak into the next, shorter result.
    expect(base64Encode(bytes.subarray(0, 4))).toBe(Buffer.from(bytes.subarray(0, 4)).toString("base64"));
  });
  test("rejects bad length, bad characters and inner padding", () => {
    expect([base64Decode("abc"), base64Decode("ab!d"), base64Decode("ab==abcd")]).toEqual([null, null, null]);
    expect([base64Decode("abcdab!="), base64Decode("abcd=bcd"), base64Decode("abc=abcd")]).toEqual([null, null, null]);
  });
  test("15-digit counters are read exactly", () => {
    const msg = { event: "mark", sequenceNumber: "999999999999999", streamSid: "MZ", mark: { name: "a" } };
    expect(parseTwilioMessage(msg)).toEqual({ event: "mark", sequenceNumber: 999999999999999, streamSid: "MZ", name: "a" });
  });
});
