import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testGateway } from "../helpers/gateway.ts";

const SID = "AC0123456789abcdef0123456789abcdef";
const TOKEN = "tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

describe("phone numbers", () => {
  test("credentials are write-only: masked, never returned", async () => {
    using gw = testGateway();
    const res = await gw.request("POST", "/v1/phone-numbers", {
      body: { number: "+14155550100", twilio_account_sid: SID, twilio_auth_token: TOKEN, label: "main", inbound_enabled: false },
    });
    expect(res.status).toBe(201);
    const { id, created_at, updated_at, ...rest } = res.body;
    expect(rest).toEqual({
      object: "phone_number",
      number: "+14155550100",
      provider: "twilio",
      twilio_account_sid_masked: "••••cdef",
      twilio_auth_token_masked: "••••b1a0",
      has_twilio_credentials: true,
      inbound_enabled: false,
      outbound_enabled: true,
      agent_id: null,
      label: "main",
    });
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
    expect(JSON.stringify((await gw.request("GET", "/v1/phone-numbers")).body)).not.toContain(TOKEN);
  });

  test("a number must be E.164", async () => {
    using gw = testGateway();
    for (const number of ["07386172392", "+1", "447386172392", "+44 7386 172392"]) {
      const res = await gw.request("POST", "/v1/phone-numbers", { body: { number } });
      expect({ status: res.status, code: res.body.error.code, field: res.body.error.details.field }).toEqual({ status: 400, code: "invalid_phone_format", field: "number" });
    }
    expect((await gw.request("POST", "/v1/phone-numbers", { body: { number: "+447386172392" } })).status).toBe(201);
  });

  test("the same number twice in one account is a conflict", async () => {
    using gw = testGateway();
    expect((await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550100" } })).status).toBe(201);
    const again = await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550100" } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("phone_number_exists");
  });

  test("a number belongs to at most one agent; an agent may have many", async () => {
    using gw = testGateway();
    const a1 = (await gw.request("POST", "/v1/agents", { body: { name: "a1", type: "outbound" } })).body;
    const a2 = (await gw.request("POST", "/v1/agents", { body: { name: "a2", type: "outbound" } })).body;
    const n1 = (await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550101", agent_id: a1.id } })).body;
    const n2 = (await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550102", agent_id: a1.id } })).body;
    expect([n1.agent_id, n2.agent_id]).toEqual([a1.id, a1.id]);
    // primary number must be free or the agent's own
    const clash = await gw.request("PATCH", `/v1/agents/${a2.id}`, { body: { primary_number_id: n1.id } });
    expect(clash.body.error).toMatchObject({ code: "invalid_field", details: { field: "primary_number_id" } });
    expect((await gw.request("PATCH", `/v1/agents/${a1.id}`, { body: { primary_number_id: n1.id } })).status).toBe(200);
    // moving the number to a2 detaches it from a1, including as primary
    const moved = await gw.request("PATCH", `/v1/phone-numbers/${n1.id}`, { body: { agent_id: a2.id } });
    expect(moved.body.agent_id).toBe(a2.id);
    expect((await gw.request("GET", `/v1/agents/${a1.id}`)).body.primary_number_id).toBeNull();
  });

  test("the database file holds no plaintext API key or Twilio credential", async () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-at-rest-"));
    const dbPath = join(dir, "gateway.db");
    {
      using gw = testGateway({ DATABASE_PATH: dbPath, DATA_DIR: dir });
      const res = await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550100", twilio_account_sid: SID, twilio_auth_token: TOKEN } });
      expect(res.status).toBe(201);
      // the service can still open them
      const row = gw.db.$client.query("select * from phone_numbers").get() as Record<string, string>;
      expect(row.twilio_auth_token_sealed).toStartWith("v1.");
      const db = new Database(dbPath);
      db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
      db.close();
      const files = readdirSync(dir).filter((f) => f.startsWith("gateway.db"));
      const blob = files.map((f) => readFileSync(join(dir, f)).toString("latin1")).join("");
      expect(blob.length).toBeGreaterThan(0);
      for (const secret of [TOKEN, SID, gw.keyA, gw.keyB]) expect(blob.includes(secret)).toBe(false);
      // and the hash of the key is there, so the check above looked at the right bytes
      expect(blob.includes("+14155550100")).toBe(true);
    }
  });
});
