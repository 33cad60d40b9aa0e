import { describe, expect, test } from "bun:test";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { createSecretBox } from "../../src/lib/secret-box.ts";
import { activeSecrets, generateSigningSecret, rotated, signedHeaders } from "../../src/services/webhooks/signing.ts";

/** An independent verifier written from the specification with node:crypto. */
function verify(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${headers["webhook-id"]}.${headers["webhook-timestamp"]}.${body}`).digest();
  return headers["webhook-signature"]!.split(" ").some((s) => {
    const [version, sig] = s.split(",");
    const got = Buffer.from(sig ?? "", "base64");
    return version === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

describe("Standard Webhooks signatures", () => {
  test("the specification's published test vector", () => {
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const headers = signedHeaders([secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330_000, '{"test": 2432232314}');
    expect(headers).toEqual({
      "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
      "webhook-timestamp": "1614265330",
      "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    });
    expect(verify(secret, headers, '{"test": 2432232314}')).toBe(true);
    expect(verify(secret, headers, '{"test": 2432232315}')).toBe(false);
  });

  test("our signatures verify with node:crypto and with the library, and fail with another secret", () => {
    const secret = generateSigningSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const body = JSON.stringify({ type: "call.completed", data: { id: "call_1", text: "héllo" } });
    const nowMs = Date.now();
    const headers = signedHeaders([secret], "evt_1", nowMs, body);
    expect(headers["webhook-timestamp"]).toBe(String(Math.floor(nowMs / 1000)));
    expect(verify(secret, headers, body)).toBe(true);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(verify(generateSigningSecret(), headers, body)).toBe(false);
  });

  test("during a rotation both secrets sign, space separated; after the overlap only the new one", () => {
    const box = createSecretBox(randomBytes(32));
    const oldSecret = generateSigningSecret();
    const newSecret = generateSigningSecret();
    const before = { secretSealed: box.seal(oldSecret), previousSecretSealed: null, previousSecretExpiresAtMs: null };
    const after = rotated(box, before, newSecret, 1_000, 60_000);
    expect(activeSecrets(box, after, 30_000)).toEqual([newSecret, oldSecret]);
    expect(activeSecrets(box, after, 61_000)).toEqual([newSecret]);
    const headers = signedHeaders(activeSecrets(box, after, 30_000), "evt_2", Date.now(), "{}");
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    for (const s of [oldSecret, newSecret]) {
      expect(verify(s, headers, "{}")).toBe(true);
      expect(() => new Webhook(s).verify("{}", headers)).not.toThrow();
    }
    expect(rotated(box, before, newSecret, 1_000, 0).previousSecretSealed).toBeNull();
  });
});
