import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/lib/logger.ts";
import { ExtractionService, type Extractor } from "../../src/services/extraction.ts";
import { validSignature, webhookWorld, type WebhookWorld } from "./world.ts";

/** The post-call step with a fake LLM. */
const extraction = (w: WebhookWorld, extract: Extractor) =>
  new ExtractionService({ db: w.gw.db, extract, release: (tx, id, t) => w.gw.webhooks.outbox.release(tx, id, t), log: createLogger("silent") });

const bodies = (w: WebhookWorld, path?: string) => w.rx.received.filter((r) => !path || r.path === path).map((r) => JSON.parse(r.body));

describe("webhooks across a call's lifecycle", () => {
  test("an answered call: every lifecycle event in order; call.completed waits for extraction and carries the transcript and the result", async () => {
    await using w = await webhookWorld();
    const secret = await w.signingSecret();
    w.fake.script("+447386172392", { kind: "answer", durationSeconds: 61 });
    const call = await w.dial({ webhook_url: w.rx.url("/call"), metadata: { crm_id: 7 }, variables: { patient: "Ann" } });
    await w.steps(call.sid, 4);
    const d = w.deliverer();
    await d.runDue();
    expect(bodies(w).map((b) => b.type)).toEqual(["call.initiated", "call.ringing", "call.answered"]);
    const held = (await w.gw.request("GET", `/v1/calls/${call.id}/webhooks`)).body.data.at(-1);
    expect([held.type, held.held, held.state]).toEqual(["call.completed", true, "pending"]);
    expect((await w.gw.request("GET", `/v1/calls/${call.id}`)).body.webhook_status).toBe("pending");

    w.say(call.id, [["agent", "Hi Ann, can you confirm Tuesday?"], ["user", "Yes, Tuesday works."]]);
    const seen: unknown[] = [];
    const outcome = await extraction(w, async (schema, messages) => {
      seen.push(schema, messages.map((m) => m.content));
      return { result: { confirmed: true }, summary: "Ann confirmed Tuesday." };
    }).extractCall(call.id);
    expect(outcome).toEqual({ status: "completed", error: null });
    expect(seen[0]).toEqual({
      name: "call_extraction",
      schema: {
        type: "object",
        properties: {
          result: { type: "object", properties: { confirmed: { anyOf: [{ type: "boolean" }, { type: "null" }] } }, required: ["confirmed"], additionalProperties: false },
          summary: { type: "string", description: "at most three sentences" },
        },
        required: ["result", "summary"],
        additionalProperties: false,
      },
    });
    expect((seen[1] as string[])[1]).toEndWith("Transcript:\nAgent: Hi Ann, can you confirm Tuesday?\nCaller: Yes, Tuesday works.");
    w.sync();
    await d.runDue();
    const completed = bodies(w).at(-1);
    expect(completed.type).toBe("call.completed");
    expect(completed.data).toMatchObject({
      id: call.id,
      status: "completed",
      answered_by: null,
      hangup_reason: "caller_hangup",
      duration_seconds: 61,
      billable_seconds: 61,
      cost_milli_cents: expect.any(Number),
      result: { confirmed: true },
      summary: "Ann confirmed Tuesday.",
      extraction_status: "completed",
      extraction_error: null,
      metadata: { crm_id: 7 },
      variables: { patient: "Ann" },
      webhook_url: w.rx.url("/call"),
    });
    expect(completed.data.transcript).toEqual([
      { role: "agent", text: "Hi Ann, can you confirm Tuesday?", heard_text: "Hi Ann, can you confirm Tuesday?", interrupted: false, start_ms: null, end_ms: null },
      { role: "user", text: "Yes, Tuesday works.", heard_text: null, interrupted: false, start_ms: null, end_ms: null },
    ]);
    expect(w.rx.received.every((r) => validSignature(secret, r))).toBe(true);
    expect((await w.gw.request("GET", `/v1/calls/${call.id}`)).body).toMatchObject({ webhook_status: "delivered", extraction_status: "completed", result: { confirmed: true } });
  });

  test("a call that never connects sends call.completed at once; a refused dial sends call.failed", async () => {
    await using w = await webhookWorld();
    w.fake.script("+447386172301", { kind: "busy" });
    w.fake.script("+447386172302", { kind: "refuse", code: 21215 });
    const busy = await w.dial({ webhook_url: w.rx.url("/busy") }, "+447386172301");
    await w.steps(busy.sid, 3);
    const refused = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386172302", webhook_url: w.rx.url("/refused") } });
    expect(refused.status).toBe(502);
    w.sync();
    await w.deliverer().runDue();
    expect(bodies(w, "/busy").map((b) => [b.type, b.data.status])).toEqual([
      ["call.initiated", "initiated"],
      ["call.ringing", "ringing"],
      ["call.completed", "busy"],
    ]);
    expect(bodies(w, "/busy").at(-1).data.transcript).toEqual([]);
    expect(bodies(w, "/refused").map((b) => [b.type, b.data.status, b.data.provider_error_code])).toEqual([["call.failed", "failed", "21215"]]);
  });

  test("an Agntix session: session.created first, session.ended after the end, both with sessionId and session_variables verbatim", async () => {
    await using w = await webhookWorld();
    await w.gw.request("PATCH", `/v1/agents/${w.agentId}`, { body: { webhook_url: w.rx.url("/agntix"), returns: null } });
    const vars = { customer: "Ann", slot: "Tuesday 10:00" };
    const res = await w.gw.request("POST", `/compat/agntix/api/v1/phone-numbers/${w.numberId}/calls/start`, {
      body: { to_phone_number: "+447386172392", agent_id: w.agentId, session_variables: vars },
    });
    const sessionId = res.body.sessionId as string;
    const sid = (await w.gw.request("GET", `/v1/calls/${sessionId}`)).body.provider_call_sid;
    await w.steps(sid, 4);
    await extraction(w, async () => ({})).extractCall(sessionId); // no returns schema: released at once
    w.sync();
    await w.deliverer().runDue();
    const got = bodies(w);
    expect(got.map((b) => b.type)).toEqual(["session.created", "call.initiated", "call.ringing", "call.answered", "call.completed", "session.ended"]);
    for (const b of [got[0], got[5]]) expect([b.sessionId, b.session_variables]).toEqual([sessionId, vars]);
    expect(got[5].data.status).toBe("completed");
    expect(new Set(w.rx.received.map((r) => r.id)).size).toBe(6);
  });
});

describe("webhook endpoints API", () => {
  test("create shows the secret once; list and get never do; another account sees 404; delete stops routing", async () => {
    await using w = await webhookWorld();
    const created = await w.gw.request("POST", "/v1/webhook_endpoints", { body: { url: w.rx.url("/ep"), enabled_events: ["call.completed", "call.failed"] } });
    expect(created.status).toBe(201);
    const { secret, ...endpoint } = created.body;
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toEqual({
      id: expect.stringMatching(/^whe_/),
      object: "webhook_endpoint",
      url: w.rx.url("/ep"),
      description: null,
      enabled_events: ["call.completed", "call.failed"],
      status: "enabled",
      disabled_reason: null,
      previous_secret_expires_at: null,
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect((await w.gw.request("GET", `/v1/webhook_endpoints/${endpoint.id}`)).body).toEqual(endpoint);
    expect((await w.gw.request("GET", "/v1/webhook_endpoints")).body).toEqual({ object: "list", data: [endpoint], has_more: false });
    for (const [method, path] of [["GET", `/v1/webhook_endpoints/${endpoint.id}`], ["DELETE", `/v1/webhook_endpoints/${endpoint.id}`], ["POST", `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`]] as const) {
      const r = await w.gw.request(method, path, { key: w.gw.keyB, body: method === "POST" ? {} : undefined });
      expect([r.status, r.body.error.code]).toEqual([404, "webhook_endpoint_not_found"]);
    }
    expect((await w.gw.request("GET", "/v1/webhook_endpoints", { key: w.gw.keyB })).body.data).toEqual([]);
    const bad = await w.gw.request("POST", "/v1/webhook_endpoints", { body: { url: w.rx.url("/ep"), enabled_events: ["call.exploded"] } });
    expect([bad.status, bad.body.error.details.field]).toEqual([400, "enabled_events[0]"]);
    // only subscribed types are routed to it
    w.fake.script("+447386172301", { kind: "busy" });
    const busy = await w.dial({}, "+447386172301");
    await w.steps(busy.sid, 3);
    await w.deliverer().runDue();
    expect(w.rx.received.map((r) => JSON.parse(r.body).type)).toEqual(["call.completed"]);
    expect(validSignature(secret, w.rx.received[0]!)).toBe(true);
    // a pending delivery to it stops when it is deleted
    w.fake.script("+447386172303", { kind: "busy" });
    const pendingCall = await w.dial({}, "+447386172303");
    await w.steps(pendingCall.sid, 3);
    expect((await w.gw.request("DELETE", `/v1/webhook_endpoints/${endpoint.id}`)).body).toEqual({ id: endpoint.id, object: "webhook_endpoint", deleted: true });
    expect((await w.gw.request("GET", `/v1/calls/${pendingCall.id}/webhooks`)).body.data.map((d: any) => d.state)).toEqual(["disabled"]);
    expect((await w.gw.request("GET", `/v1/webhook_endpoints/${endpoint.id}`)).status).toBe(404);
    const other = await w.dial({}, "+447386172302");
    await w.steps(other.sid, 4);
    expect((await w.gw.request("GET", `/v1/calls/${other.id}/webhooks`)).body.data).toEqual([]);
  });

  test("rotation: the new secret is shown once and both sign during the overlap", async () => {
    await using w = await webhookWorld();
    const ep = (await w.gw.request("POST", "/v1/webhook_endpoints", { body: { url: w.rx.url("/rot"), enabled_events: ["*"] } })).body;
    const rotatedRes = await w.gw.request("POST", `/v1/webhook_endpoints/${ep.id}/rotate_secret`, { body: { overlap_seconds: 3600 } });
    expect(rotatedRes.body.secret).not.toBe(ep.secret);
    expect(Date.parse(rotatedRes.body.previous_secret_expires_at) - Date.now()).toBeGreaterThan(3_590_000);
    const call = await w.dial();
    await w.steps(call.sid, 1);
    await w.deliverer().runDue();
    const r = w.rx.received[0]!;
    expect(r.signature.split(" ")).toHaveLength(2);
    expect([validSignature(ep.secret, r), validSignature(rotatedRes.body.secret, r)]).toEqual([true, true]);
    // without an overlap the old one stops at once
    const now = await w.gw.request("POST", `/v1/webhook_endpoints/${ep.id}/rotate_secret`, { body: { overlap_seconds: 0 } });
    await w.steps(call.sid, 1);
    w.clock.t += 1;
    await w.deliverer().runDue();
    const last = w.rx.received.at(-1)!;
    expect([validSignature(rotatedRes.body.secret, last), validSignature(now.body.secret, last)]).toEqual([false, true]);
  });

  test("redeliver re-sends the call's events with their original webhook-ids and bodies", async () => {
    await using w = await webhookWorld();
    w.fake.script("+447386172301", { kind: "busy" });
    const call = await w.dial({ webhook_url: w.rx.url("/re") }, "+447386172301");
    await w.steps(call.sid, 3);
    const d = w.deliverer();
    await d.runDue();
    const first = w.rx.received.map((r) => [r.id, r.body]);
    expect(first).toHaveLength(3);
    const res = await w.gw.request("POST", `/v1/calls/${call.id}/webhooks/redeliver`);
    expect(res.body.data.map((x: any) => [x.id, x.state])).toEqual(first.map(([id]) => [id, "pending"]));
    expect((await w.gw.request("GET", `/v1/calls/${call.id}`)).body.webhook_status).toBe("pending");
    w.sync();
    await d.runDue();
    expect(w.rx.received.slice(3).map((r) => [r.id, r.body])).toEqual(first);
    const history = (await w.gw.request("GET", `/v1/calls/${call.id}/webhooks`)).body.data;
    expect(history.map((x: any) => x.attempts.map((a: any) => [a.attempt, a.status_code]))).toEqual([
      [[1, 200], [2, 200]],
      [[1, 200], [2, 200]],
      [[1, 200], [2, 200]],
    ]);
    expect((await w.gw.request("POST", `/v1/calls/${call.id}/webhooks/redeliver`, { key: w.gw.keyB })).status).toBe(404);
    expect((await w.gw.request("GET", `/v1/calls/${call.id}/webhooks`, { key: w.gw.keyB })).status).toBe(404);
  });
});
