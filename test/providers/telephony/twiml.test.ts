import { describe, expect, test } from "bun:test";
import { TwimlError, buildStreamTwiml } from "../../../src/providers/telephony/twiml.ts";

describe("buildStreamTwiml", () => {
  test("Connect/Stream with callId and token parameters, XML-escaped", () => {
    expect(buildStreamTwiml({ streamUrl: "wss://gw.example.com/v1/media", callId: "call_7", token: "a&b<c\"" })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Connect><Stream url="wss://gw.example.com/v1/media">' +
        '<Parameter name="callId" value="call_7"/><Parameter name="token" value="a&amp;b&lt;c&quot;"/>' +
        "</Stream></Connect></Response>",
    );
  });

  test.each([
    ["wss://gw.example.com/media?callId=1", "invalid_stream_url"],
    ["https://gw.example.com/media", "invalid_stream_url"],
    ["/media", "invalid_stream_url"],
  ])("refuses %s", (streamUrl, code) => {
    let caught: unknown;
    try {
      buildStreamTwiml({ streamUrl, callId: "c", token: "t" });
    } catch (err) {
      caught = err;
    }
    expect(caught instanceof TwimlError ? caught.code : caught).toBe(code);
  });

  test("refuses TwiML over Twilio's 4000-character limit", () => {
    const ok = buildStreamTwiml({ streamUrl: "wss://h/m", callId: "c", token: "t".repeat(3800) });
    expect(ok.length).toBeLessThanOrEqual(4000);
    expect(() => buildStreamTwiml({ streamUrl: "wss://h/m", callId: "c", token: "t".repeat(4000) })).toThrow(TwimlError);
  });
});
