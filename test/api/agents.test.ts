import { describe, expect, test } from "bun:test";
import { testGateway } from "../helpers/gateway.ts";

const minimal = { name: "Sales", type: "outbound" };

describe("agents", () => {
  test("create fills defaults and get returns the same object", async () => {
    using gw = testGateway();
    const created = await gw.request("POST", "/v1/agents", { body: minimal });
    expect(created.status).toBe(201);
    const { id, created_at, updated_at, ...rest } = created.body;
    expect(id).toMatch(/^agent_[0-9a-f]{32}$/);
    expect(rest).toEqual({
      object: "agent",
      name: "Sales",
      type: "outbound",
      persona: "",
      instructions: "",
      initial_greeting: "",
      voice: "",
      language: "en",
      llm_model: "gpt-4o-mini",
      llm_temperature: 0.7,
      returns: null,
      tools: [],
      voicemail_action: "hangup",
      voicemail_message: "",
      webhook_url: null,
      max_duration_seconds: 600,
      greeting_mode: "after_verdict",
      record_calls: false,
      primary_number_id: null,
      legacy_phone_number: null,
      legacy_has_twilio_credentials: false,
    });
    expect((await gw.request("GET", `/v1/agents/${id}`)).body).toEqual(created.body);
  });

  test("every field round-trips; update changes only what is sent", async () => {
    using gw = testGateway();
    const full = {
      name: "Support",
      type: "inbound",
      persona: "Friendly",
      instructions: "Help {name}",
      initial_greeting: "Hi {{name}}",
      voice: "voice-1",
      language: "en-GB",
      llm_model: "gpt-4.1",
      llm_temperature: 0.2,
      returns: { type: "object", properties: { booked: { type: "boolean" } }, required: ["booked"] },
      tools: [{ name: "lookup", description: "Find an order", parameters: { type: "object", properties: { id: { type: "string" } } }, url: "https://example.com/tool" }],
      voicemail_action: "leave_message",
      voicemail_message: "Call us back",
      webhook_url: "https://example.com/hook",
      max_duration_seconds: 300,
    };
    const created = await gw.request("POST", "/v1/agents", { body: full });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject(full);
    const updated = await gw.request("PATCH", `/v1/agents/${created.body.id}`, { body: { name: "Renamed", webhook_url: null } });
    expect(updated.status).toBe(200);
    expect(updated.body).toEqual({ ...created.body, name: "Renamed", webhook_url: null, updated_at: updated.body.updated_at });
  });

  test("returns and tool parameters must be valid JSON Schemas", async () => {
    using gw = testGateway();
    const bad = await gw.request("POST", "/v1/agents", { body: { ...minimal, returns: { type: "nonsense" } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: "invalid_field", details: { field: "returns" } });
    const badTool = await gw.request("POST", "/v1/agents", {
      body: { ...minimal, tools: [{ name: "t", description: "d", parameters: { type: 12 }, url: "https://x.test/t" }] },
    });
    expect(badTool.body.error).toMatchObject({ code: "invalid_field", details: { field: "tools[0].parameters" } });
  });

  test("validation names the field: missing_field and invalid_field", async () => {
    using gw = testGateway();
    const rows: [unknown, string, string][] = [
      [{ type: "outbound" }, "missing_field", "name"],
      [{ name: "x" }, "missing_field", "type"],
      [{ name: "x", type: "sideways" }, "invalid_field", "type"],
      [{ name: "x", type: "outbound", llm_temperature: 5 }, "invalid_field", "llm_temperature"],
      [{ name: "x", type: "outbound", max_duration_seconds: "long" }, "invalid_field", "max_duration_seconds"],
      [{ name: "x", type: "outbound", tools: [{ name: "t", description: "d", parameters: {} }] }, "missing_field", "tools[0].url"],
      [{ name: "x", type: "outbound", surprise: 1 }, "invalid_field", "surprise"],
      [{ name: "x", type: "outbound", primary_number_id: "pn_missing" }, "invalid_field", "primary_number_id"],
    ];
    for (const [body, code, field] of rows) {
      const res = await gw.request("POST", "/v1/agents", { body });
      expect({ status: res.status, code: res.body.error?.code, field: res.body.error?.details?.field }).toEqual({ status: 400, code, field });
    }
  });

  test("malformed JSON is invalid_json and an oversized body is 413", async () => {
    using gw = testGateway({ MAX_BODY_BYTES: "2048" });
    const bad = await gw.request("POST", "/v1/agents", { body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("invalid_json");
    const big = await gw.request("POST", "/v1/agents", { body: { ...minimal, persona: "x".repeat(4096) } });
    expect(big.status).toBe(413);
    expect(big.body.error.code).toBe("payload_too_large");
  });

  test("delete removes it and detaches its numbers", async () => {
    using gw = testGateway();
    const agent = (await gw.request("POST", "/v1/agents", { body: minimal })).body;
    const pn = (await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550100", agent_id: agent.id } })).body;
    expect((await gw.request("DELETE", `/v1/agents/${agent.id}`)).body).toEqual({ id: agent.id, object: "agent", deleted: true });
    expect((await gw.request("GET", `/v1/agents/${agent.id}`)).status).toBe(404);
    expect((await gw.request("GET", `/v1/phone-numbers/${pn.id}`)).body.agent_id).toBeNull();
  });
});
