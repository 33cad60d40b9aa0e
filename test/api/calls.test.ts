import { describe, expect, test } from "bun:test";
import { priceOf } from "../../src/services/billing.ts";
import { CALLEE, dispatchWorld, PUBLIC_URL } from "../helpers/dispatch.ts";

describe("POST /v1/calls", () => {
  test("answers 201 with the call, dials Twilio with the stream TwiML, reserves the maximum", async () => {
    await using w = await dispatchWorld();
    const res = await w.gw.request("POST", "/v1/calls", {
      body: { agent_id: w.agentId, to: CALLEE, variables: { patient: "Sarah", agent_name: "Ana" }, context: { doctor: "Chen" }, metadata: { crm: "42" } },
    });
    expect(res.status).toBe(201);
    const call = res.body;
    expect(call).toMatchObject({
      object: "call",
      agent_id: w.agentId,
      direction: "outbound",
      to: CALLEE,
      from: "+14155550100",
      status: "queued",
      persona: "You are Ana from Acme.",
      instructions: "Remind Sarah of the appointment.",
      system_prompt: "You are Ana from Acme.\n\nRemind Sarah of the appointment.",
      initial_greeting: "Hi Sarah!",
      context: { doctor: "Chen" },
      variables: { patient: "Sarah", agent_name: "Ana" },
      returns: { type: "object", properties: { confirmed: { type: "boolean" } } },
      metadata: { crm: "42" },
      max_duration_seconds: 300,
      reservation_status: "reserved",
      phone_number_id: w.numberId,
      answered_by: null,
      ended_at: null,
    });
    const dialled = w.fake.callTo(CALLEE);
    expect(call.provider_call_sid).toBe(dialled.sid);
    expect(dialled.from).toBe("+14155550100");
    expect(dialled.statusCallback).toBe(`${PUBLIC_URL}/twilio/status/${call.id}`);
    expect([...dialled.statusCallbackEvents].sort()).toEqual(["answered", "completed", "initiated", "ringing"]);
    expect(dialled.timeLimitSeconds).toBe(300);
    expect(dialled.twiml).toContain(`<Stream url="wss://gw.test/twilio/media/${call.id}">`);
    expect(dialled.twiml).toContain(`<Parameter name="callId" value="${call.id}"/>`);
    expect(dialled.twiml).toMatch(/<Parameter name="token" value="[A-Za-z0-9_-]{32}"\/>/);
    const balance = (await w.gw.request("GET", "/v1/billing/balance")).body;
    expect(balance).toEqual({ object: "balance", balance_milli_cents: 10_000_000 - priceOf(300, 10_000), reserved_milli_cents: priceOf(300, 10_000), available_milli_cents: 10_000_000 - priceOf(300, 10_000) });
  });

  test("per-call instructions replace the agent's, never merge; missing variables stay as written", async () => {
    await using w = await dispatchWorld();
    const res = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE, instructions: "Ask {who} about {{thing}}.", variables: { who: "Bo" } } });
    expect(res.body.instructions).toBe("Ask Bo about {{thing}}.");
    expect(res.body.system_prompt).toBe("You are {agent_name} from Acme.\n\nAsk Bo about {{thing}}.");
  });

  test("the snapshot does not follow later edits of the agent", async () => {
    await using w = await dispatchWorld();
    const call = (await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE } })).body;
    await w.gw.request("PATCH", `/v1/agents/${w.agentId}`, { body: { persona: "Changed", instructions: "Changed", voice: "other", returns: null } });
    const again = (await w.gw.request("GET", `/v1/calls/${call.id}`)).body;
    expect({ p: again.persona, i: again.instructions, s: again.system_prompt, r: again.returns, v: again.voice }).toEqual({
      p: call.persona,
      i: call.instructions,
      s: call.system_prompt,
      r: call.returns,
      v: call.voice,
    });
  });

  test("max_duration_seconds per call is capped at the agent's", async () => {
    await using w = await dispatchWorld();
    const shorter = (await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE, max_duration_seconds: 60 } })).body;
    const longer = (await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386172393", max_duration_seconds: 3000 } })).body;
    expect([shorter.max_duration_seconds, longer.max_duration_seconds]).toEqual([60, 300]);
    expect(w.fake.callTo("+447386172393").timeLimitSeconds).toBe(300);
  });
});

describe("dispatch checks, in order", () => {
  test("each check stops at the first failure with its code", async () => {
    await using w = await dispatchWorld({ ALLOWED_CALLING_CODES: "1,44" });
    const { gw } = w;
    const inboundAgent = (await gw.request("POST", "/v1/agents", { body: { name: "in", type: "inbound" } })).body.id;
    const bare = (await gw.request("POST", "/v1/agents", { body: { name: "bare", type: "outbound" } })).body.id;
    const inboundOnly = (await gw.request("POST", "/v1/agents", { body: { name: "inbound only", type: "outbound" } })).body.id;
    await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550111", outbound_enabled: false, agent_id: inboundOnly, twilio_account_sid: "AC0123456789abcdef0123456789abcdef", twilio_auth_token: "x".repeat(20) } });
    const noCreds = (await gw.request("POST", "/v1/agents", { body: { name: "no creds", type: "outbound" } })).body.id;
    await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550122", agent_id: noCreds } });
    const otherAccountAgent = (await gw.request("POST", "/v1/agents", { key: gw.keyB, body: { name: "B", type: "outbound" } })).body.id;
    const rows: [Record<string, unknown>, number, string][] = [
      [{ to: "07386172392" }, 400, "missing_field"], // agent_id missing comes before a bad number
      [{ agent_id: "  ", to: CALLEE }, 400, "missing_field"],
      [{ agent_id: w.agentId }, 400, "missing_field"],
      [{ agent_id: "agent_nope", to: "07386172392" }, 400, "invalid_phone_format"],
      [{ agent_id: "agent_nope", to: CALLEE }, 404, "agent_not_found"],
      [{ agent_id: otherAccountAgent, to: CALLEE }, 404, "agent_not_found"],
      [{ agent_id: inboundAgent, to: CALLEE }, 400, "agent_not_outbound"],
      [{ agent_id: w.agentId, to: CALLEE, from_number: "+14155550111" }, 400, "from_number_not_found"],
      [{ agent_id: bare, to: CALLEE }, 400, "agent_missing_phone_number"],
      [{ agent_id: inboundOnly, to: CALLEE }, 400, "agent_missing_phone_number"],
      [{ agent_id: noCreds, to: "+8613800138000" }, 400, "agent_missing_twilio_credentials"],
      [{ agent_id: w.agentId, to: "+8613800138000" }, 403, "destination_not_allowed"],
    ];
    for (const [body, status, code] of rows) {
      const res = await gw.request("POST", "/v1/calls", { body });
      expect({ body, status: res.status, code: res.body.error?.code }).toEqual({ body, status, code });
    }
    expect(w.fake.calls.size).toBe(0);
    expect((await gw.request("GET", "/v1/calls")).body.data).toEqual([]);
  });

  test("an account's own allowlist overrides the gateway's", async () => {
    await using w = await dispatchWorld({ ALLOWED_CALLING_CODES: "1" });
    const china = "+8613800138000";
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: china } })).body.error.code).toBe("destination_not_allowed");
    w.gw.accounts.setLimits(w.gw.accountA, { allowedCallingCodes: "86" });
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: china } })).status).toBe(201);
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+14155550123" } })).body.error.code).toBe("destination_not_allowed");
    w.gw.accounts.setLimits(w.gw.accountA, { allowedCallingCodes: "*" });
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+14155550123" } })).status).toBe(201);
  });

  test("the legacy number of an agent without number rows is used, with its credentials", async () => {
    await using w = await dispatchWorld();
    const legacy = await w.gw.request("POST", "/v1/agents", {
      body: { name: "legacy", type: "outbound", legacy_phone_number: "+14155550999", legacy_twilio_account_sid: w.fake.options.accountSid, legacy_twilio_auth_token: w.fake.options.authToken },
    });
    const res = await w.gw.request("POST", "/v1/calls", { body: { agent_id: legacy.body.id, to: CALLEE } });
    expect(res.status).toBe(201);
    expect(res.body.from).toBe("+14155550999");
    expect(w.fake.callTo(CALLEE).from).toBe("+14155550999");
  });

  test("primary number first, then the first outbound-enabled one; from_number must be the agent's", async () => {
    await using w = await dispatchWorld();
    const creds = { twilio_account_sid: w.fake.options.accountSid, twilio_auth_token: w.fake.options.authToken, agent_id: w.agentId };
    const second = (await w.gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550200", ...creds } })).body;
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386170001" } })).body.from).toBe("+14155550100");
    await w.gw.request("PATCH", `/v1/agents/${w.agentId}`, { body: { primary_number_id: second.id } });
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386170002" } })).body.from).toBe("+14155550200");
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386170003", from_number: "+14155550100" } })).body.from).toBe("+14155550100");
    const foreign = (await w.gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550300", ...creds, agent_id: null } })).body;
    const res = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE, from_number: foreign.number } });
    expect(res.body.error.code).toBe("from_number_not_found");
  });

  test("a concurrent-call limit (429) and credits (402)", async () => {
    await using w = await dispatchWorld({ MAX_CONCURRENT_CALLS: "1" });
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE } })).status).toBe(201);
    const second = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386172300" } });
    expect({ status: second.status, code: second.body.error.code }).toEqual({ status: 429, code: "concurrency_limit" });

    await using poor = await dispatchWorld({}, { credits: priceOf(300, 10_000) - 1 });
    const res = await poor.gw.request("POST", "/v1/calls", { body: { agent_id: poor.agentId, to: CALLEE } });
    expect({ status: res.status, code: res.body.error.code }).toEqual({ status: 402, code: "insufficient_credits" });
    expect(poor.fake.calls.size).toBe(0);
  });

  test("Twilio refusing the dial is 502 outbound_failed with its error; the call fails and the reservation is released", async () => {
    await using w = await dispatchWorld();
    w.fake.script(CALLEE, { kind: "refuse", code: 21215, status: 400 });
    const res = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE } });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("outbound_failed");
    expect(res.body.error.details.twilio_error.code).toBe(21215);
    const call = (await w.gw.request("GET", `/v1/calls/${res.body.error.details.call_id}`)).body;
    expect({ status: call.status, reservation: call.reservation_status, code: call.provider_error_code }).toEqual({ status: "failed", reservation: "released", code: "21215" });
    expect((await w.gw.request("GET", "/v1/billing/balance")).body.balance_milli_cents).toBe(10_000_000);
  });
});
