import { describe, expect, test } from "bun:test";
import { CALLEE, dispatchWorld } from "../helpers/dispatch.ts";

describe("Nixflex dialect", () => {
  const path = "/compat/nixflex/v1/calls/outbound";

  test("happy path: prompt is the per-call task, dynamic_vars fill {var}", async () => {
    await using w = await dispatchWorld();
    const res = await w.gw.request("POST", path, {
      body: { agent_id: w.agentId, to_number: CALLEE, prompt: "Confirm {patient_name}'s visit on {day}.", dynamic_vars: { patient_name: "Sarah" } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ call_id: expect.stringMatching(/^call_/), status: "queued" });
    const call = (await w.gw.request("GET", `/v1/calls/${res.body.call_id}`)).body;
    expect(call.instructions).toBe("Confirm Sarah's visit on {day}.");
    expect(w.fake.callTo(CALLEE).from).toBe("+14155550100");
  });

  test("errors in Nixflex's order and style", async () => {
    await using w = await dispatchWorld();
    const bare = (await w.gw.request("POST", "/v1/agents", { body: { name: "bare", type: "outbound" } })).body.id;
    const noCreds = (await w.gw.request("POST", "/v1/agents", { body: { name: "nc", type: "outbound" } })).body.id;
    await w.gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550123", agent_id: noCreds } });
    const rows: [Record<string, unknown>, number, string, string?][] = [
      [{ to_number: "bad", prompt: "x" }, 400, "missing_field", "agent_id"],
      [{ agent_id: w.agentId, to_number: "bad" }, 400, "missing_field", "prompt"],
      [{ agent_id: w.agentId, to_number: CALLEE, prompt: "   " }, 400, "missing_field", "prompt"],
      [{ agent_id: w.agentId, to_number: "07386172392", prompt: "x" }, 400, "invalid_phone_format", "to_number"],
      [{ agent_id: w.agentId, to_number: CALLEE, prompt: "x", from_number: "+14155559999" }, 400, "from_number_not_found"],
      [{ agent_id: bare, to_number: CALLEE, prompt: "x" }, 400, "agent_missing_phone_number"],
      [{ agent_id: noCreds, to_number: CALLEE, prompt: "x" }, 400, "agent_missing_twilio_credentials"],
    ];
    for (const [body, status, code, field] of rows) {
      const res = await w.gw.request("POST", path, { body });
      expect({ status: res.status, code: res.body.error, field: res.body.details?.field }).toEqual({ status, code, field: field ?? res.body.details?.field });
      expect(typeof res.body.message).toBe("string");
    }
    w.fake.script(CALLEE, { kind: "refuse", code: 21215 });
    const refused = await w.gw.request("POST", path, { body: { agent_id: w.agentId, to_number: CALLEE, prompt: "x" } });
    expect({ status: refused.status, code: refused.body.error, twilio: refused.body.details.twilio_error.code }).toEqual({ status: 502, code: "outbound_failed", twilio: 21215 });
  });
});

describe("AgentPhone dialect", () => {
  const path = "/compat/agentphone/v1/calls";

  test("happy path with camelCase fields and {{var}} variables", async () => {
    await using w = await dispatchWorld();
    const res = await w.gw.request("POST", path, {
      body: { agentId: w.agentId, toNumber: CALLEE, fromNumberId: w.numberId, initialGreeting: "Hello {{name}}", voice: "v2", systemPrompt: "Sell to {{name}}", variables: { name: "Ada" } },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ agentId: w.agentId, toNumber: CALLEE, fromNumber: "+14155550100", phoneNumberId: w.numberId, direction: "outbound", status: "queued" });
    const call = (await w.gw.request("GET", `/v1/calls/${res.body.id}`)).body;
    expect({ g: call.initial_greeting, v: call.voice, i: call.instructions }).toEqual({ g: "Hello Ada", v: "v2", i: "Sell to Ada" });
  });

  test("validation errors are 422 with loc/msg/type; others carry detail", async () => {
    await using w = await dispatchWorld();
    const missing = await w.gw.request("POST", path, { body: { voice: 3 } });
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({
      detail: [
        { loc: ["body", "agentId"], msg: "Field required", type: "missing" },
        { loc: ["body", "toNumber"], msg: "Field required", type: "missing" },
        { loc: ["body", "voice"], msg: "Input should be a valid string", type: "string_type" },
      ],
    });
    const badNumber = await w.gw.request("POST", path, { body: { agentId: w.agentId, toNumber: "0738" } });
    expect(badNumber.status).toBe(422);
    expect(badNumber.body.detail[0].loc).toEqual(["body", "toNumber"]);
    const notFound = await w.gw.request("POST", path, { body: { agentId: "agent_x", toNumber: CALLEE } });
    expect({ status: notFound.status, code: notFound.body.code, detail: typeof notFound.body.detail }).toEqual({ status: 404, code: "agent_not_found", detail: "string" });
  });
});

describe("Agntix dialect", () => {
  test("starts a call from the path's number, with ttl and session_variables; answers sessionId", async () => {
    await using w = await dispatchWorld();
    const session_variables = { customerName: "Alex", crmContactId: "CRM-7728", attempt: 2 };
    const res = await w.gw.request("POST", `/compat/agntix/api/v1/phone-numbers/${w.numberId}/calls/start`, {
      key: null,
      headers: { "x-api-key": w.gw.keyA },
      body: { to_phone_number: CALLEE, agent_id: w.agentId, ttl: 180, session_variables },
    });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body)).toEqual(["sessionId"]);
    const call = (await w.gw.request("GET", `/v1/calls/${res.body.sessionId}`)).body;
    expect({ max: call.max_duration_seconds, meta: call.metadata, vars: call.variables }).toEqual({
      max: 180,
      meta: { session_variables },
      vars: { customerName: "Alex", crmContactId: "CRM-7728", attempt: "2" },
    });
    expect(w.fake.callTo(CALLEE).timeLimitSeconds).toBe(180);
  });

  test("ttl defaults to 100 seconds; an unknown number or bad ttl is refused", async () => {
    await using w = await dispatchWorld();
    const ok = await w.gw.request("POST", `/compat/agntix/api/v1/phone-numbers/${w.numberId}/calls/start`, { body: { to_phone_number: CALLEE, agent_id: w.agentId } });
    expect((await w.gw.request("GET", `/v1/calls/${ok.body.sessionId}`)).body.max_duration_seconds).toBe(100);
    const unknown = await w.gw.request("POST", `/compat/agntix/api/v1/phone-numbers/pn_nope/calls/start`, { body: { to_phone_number: "+447386172300", agent_id: w.agentId } });
    expect({ s: unknown.status, e: unknown.body.error }).toEqual({ s: 400, e: "from_number_not_found" });
    const badTtl = await w.gw.request("POST", `/compat/agntix/api/v1/phone-numbers/${w.numberId}/calls/start`, { body: { to_phone_number: CALLEE, agent_id: w.agentId, ttl: "long" } });
    expect({ s: badTtl.status, e: badTtl.body.error }).toEqual({ s: 400, e: "invalid_field" });
    const noKey = await w.gw.request("POST", `/compat/agntix/api/v1/phone-numbers/${w.numberId}/calls/start`, { key: null, body: {} });
    expect(noKey.status).toBe(401);
  });
});
