import { describe, expect, test } from "bun:test";
import { testGateway } from "../helpers/gateway.ts";

describe("API key authentication", () => {
  test("accepts Authorization: Bearer and x-api-key", async () => {
    using gw = testGateway();
    const bearer = await gw.request("GET", "/v1/agents", { key: null, headers: { authorization: `Bearer ${gw.keyA}` } });
    const header = await gw.request("GET", "/v1/agents", { key: null, headers: { "x-api-key": gw.keyA } });
    expect(bearer.status).toBe(200);
    expect(header.status).toBe(200);
    expect(bearer.body).toEqual({ object: "list", data: [], has_more: false });
  });

  test("no key is 401 missing_api_key, before any body validation", async () => {
    using gw = testGateway();
    const res = await gw.request("POST", "/v1/agents", { key: null, body: {} });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("missing_api_key");
  });

  test("an unknown or malformed key is 401 invalid_api_key", async () => {
    using gw = testGateway();
    for (const key of ["sk_live_doesnotexist0000000000", "nonsense"]) {
      const res = await gw.request("GET", "/v1/agents", { key });
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe("invalid_api_key");
    }
  });

  test("a revoked key stops working, by id or by value", async () => {
    using gw = testGateway();
    expect((await gw.request("GET", "/v1/agents")).status).toBe(200);
    expect(gw.accounts.revokeKey(gw.keyA)).toBe(true);
    const res = await gw.request("GET", "/v1/agents");
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe("invalid_api_key");
    const second = gw.accounts.createKey(gw.accountA);
    expect((await gw.request("GET", "/v1/agents", { key: second.key })).status).toBe(200);
    expect(gw.accounts.revokeKey(second.id)).toBe(true);
    expect((await gw.request("GET", "/v1/agents", { key: second.key })).status).toBe(401);
    expect(gw.accounts.revokeKey(second.id)).toBe(false);
  });

  test("a test-mode key authenticates as its account", async () => {
    using gw = testGateway();
    const k = gw.accounts.createKey(gw.accountB, { mode: "test" });
    expect(k.key.startsWith("sk_test_")).toBe(true);
    expect(gw.accounts.authenticate(k.key)).toEqual({ accountId: gw.accountB, keyId: k.id, mode: "test" });
  });
});
