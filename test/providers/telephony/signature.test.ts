import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { computeTwilioSignature, formToParams, isValidTwilioSignature } from "../../../src/providers/telephony/signature.ts";

/** Twilio's documented algorithm, written independently: url + sorted name+value, HMAC-SHA1, base64. */
function reference(token: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac("sha1", token).update(data, "utf8").digest("base64");
}

const TOKEN = "12345";
const URL_ = "https://mycompany.com/myapp.php?foo=1&bar=2";
const PARAMS = { CallSid: "CA1234567890ABCDE", Caller: "+12349013030", Digits: "1234", From: "+12349013030", To: "+18005551212" };

describe("twilio signatures", () => {
  test("computed signature equals an independent HMAC-SHA1", () => {
    expect(computeTwilioSignature(TOKEN, URL_, PARAMS)).toBe(reference(TOKEN, URL_, PARAMS));
  });

  test("validates good, rejects tampered params, url, token and missing header", () => {
    const sig = reference(TOKEN, URL_, PARAMS);
    expect([
      isValidTwilioSignature({ authToken: TOKEN, signature: sig, url: URL_, params: PARAMS }),
      isValidTwilioSignature({ authToken: TOKEN, signature: sig, url: URL_, params: { ...PARAMS, Digits: "1235" } }),
      isValidTwilioSignature({ authToken: TOKEN, signature: sig, url: `${URL_}&x=1`, params: PARAMS }),
      isValidTwilioSignature({ authToken: "other", signature: sig, url: URL_, params: PARAMS }),
      isValidTwilioSignature({ authToken: TOKEN, signature: null, url: URL_, params: PARAMS }),
    ]).toEqual([true, false, false, false, false]);
  });

  test("websocket upgrade: the exact wss:// URL with no params", () => {
    const url = "wss://gw.example.com/v1/media";
    const sig = reference(TOKEN, url, {});
    expect(isValidTwilioSignature({ authToken: TOKEN, signature: sig, url })).toBe(true);
    expect(isValidTwilioSignature({ authToken: TOKEN, signature: sig, url: "wss://evil.example.com/v1/media" })).toBe(false);
  });

  test("formToParams decodes a form body", () => {
    expect(formToParams("CallSid=CA1&CallStatus=in-progress&To=%2B4473")).toEqual({ CallSid: "CA1", CallStatus: "in-progress", To: "+4473" });
  });
});
