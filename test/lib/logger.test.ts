import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { buildGateway } from "../../src/gateway.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { loadConfig } from "../../src/config.ts";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

describe("logs", () => {
  test("one JSON line per request with a request id, and no secret in any line", async () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, cb) { lines.push(...String(chunk).trim().split("\n")); cb(); } });
    const dir = mkdtempSync(join(tmpdir(), "gw-log-"));
    const gw = buildGateway(loadConfig({ DATABASE_PATH: ":memory:", DATA_DIR: dir }), { log: createLogger("info", sink) });
    const acct = gw.accounts.createAccount("x");
    const { key } = gw.accounts.createKey(acct.id);
    const token = "secrettoken0123456789abcdef";
    const res = await gw.app.handle(new Request("http://localhost/v1/phone-numbers", {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "x-request-id": "req-123" },
      body: JSON.stringify({ number: "+14155550100", twilio_auth_token: token }),
    }));
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toBe("req-123");
    await Bun.sleep(0);
    const parsed = lines.map((l) => JSON.parse(l));
    expect(parsed.some((l) => l.request_id === "req-123" && l.status === 201 && l.path === "/v1/phone-numbers")).toBe(true);
    // redaction works even if someone logs a secret-carrying object
    gw.log.info({ headers: { authorization: `Bearer ${key}` }, twilio_auth_token: token }, "oops");
    await Bun.sleep(0);
    const all = lines.join("\n");
    expect(all).toContain("oops");
    expect(all.includes(key)).toBe(false);
    expect(all.includes(token)).toBe(false);
    gw.close();
  });
});
