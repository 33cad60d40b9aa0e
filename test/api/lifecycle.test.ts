import { describe, expect, test } from "bun:test";
import { priceOf } from "../../src/services/billing.ts";
import { CALLEE, dispatchWorld } from "../helpers/dispatch.ts";

async function dial(w: Awaited<ReturnType<typeof dispatchWorld>>, to = CALLEE) {
  const call = (await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to } })).body;
  return { id: call.id as string, sid: call.provider_call_sid as string };
}

describe("status callbacks", () => {
  test("an answered call moves through every status, stamps each time once and settles its connected time", async () => {
    await using w = await dispatchWorld();
    w.fake.script(CALLEE, { kind: "answer", durationSeconds: 95 });
    const { id, sid } = await dial(w);
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await w.step(sid)).toBe(204);
      seen.push((await w.gw.request("GET", `/v1/calls/${id}`)).body.status);
    }
    expect(seen).toEqual(["initiated", "ringing", "in_progress", "completed"]);
    const call = (await w.gw.request("GET", `/v1/calls/${id}`)).body;
    expect(call.ringing_at && call.answered_at && call.ended_at).toBeTruthy();
    expect({ d: call.duration_seconds, b: call.billable_seconds, c: call.cost_milli_cents, r: call.reservation_status, h: call.hangup_reason }).toEqual({
      d: 95,
      b: 95,
      c: priceOf(95, 10_000),
      r: "settled",
      h: "caller_hangup",
    });
    const balance = (await w.gw.request("GET", "/v1/billing/balance")).body;
    expect(balance.balance_milli_cents).toBe(10_000_000 - priceOf(95, 10_000));
    expect(w.gw.billing.ledgerSum(w.gw.accountA)).toBe(balance.balance_milli_cents);
    const kinds = (await w.gw.request("GET", "/v1/billing/ledger")).body.data.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(["credit", "reservation", "settlement"]);
  });

  test("busy, no-answer and failed release the whole reservation", async () => {
    await using w = await dispatchWorld();
    const cases = [
      ["+447386172301", { kind: "busy" }, "busy", "busy"],
      ["+447386172302", { kind: "no-answer" }, "no_answer", "no_answer"],
      ["+447386172303", { kind: "fail" }, "failed", "failed"],
    ] as const;
    for (const [to, outcome, status, reason] of cases) {
      w.fake.script(to, outcome);
      const { id, sid } = await dial(w, to);
      while (w.fake.calls.get(sid)!.pending.length) await w.step(sid);
      const call = (await w.gw.request("GET", `/v1/calls/${id}`)).body;
      expect({ status: call.status, reason: call.hangup_reason, res: call.reservation_status, cost: call.cost_milli_cents, billable: call.billable_seconds, answered: call.answered_at }).toEqual({
        status,
        reason,
        res: "released",
        cost: 0,
        billable: 0,
        answered: null,
      });
    }
    expect((await w.gw.request("GET", "/v1/billing/balance")).body).toMatchObject({ balance_milli_cents: 10_000_000, reserved_milli_cents: 0 });
  });

  test("duplicates and out-of-order callbacks are dropped; a terminal status never changes", async () => {
    await using w = await dispatchWorld();
    w.fake.script(CALLEE, { kind: "answer", durationSeconds: 30 });
    const { id, sid } = await dial(w);
    const initiated = await w.fake.advance(sid, { send: false });
    const ringing = await w.fake.advance(sid, { send: false });
    const answered = await w.fake.advance(sid, { send: false });
    const completed = await w.fake.advance(sid, { send: false });
    await w.deliver(answered);
    const afterAnswer = (await w.gw.request("GET", `/v1/calls/${id}`)).body;
    await w.deliver(ringing); // older sequence number: dropped
    await w.deliver(initiated);
    expect((await w.gw.request("GET", `/v1/calls/${id}`)).body).toEqual(afterAnswer);
    await w.deliver(completed);
    await w.deliver(completed); // duplicate
    const done = (await w.gw.request("GET", `/v1/calls/${id}`)).body;
    expect(done.status).toBe("completed");
    expect(done.ringing_at).toBeNull(); // never seen in order: not invented
    expect(w.gw.billing.ledgerSum(w.gw.accountA)).toBe(10_000_000 - priceOf(30, 10_000));
  });

  test("a forged or missing signature is 403 and changes nothing", async () => {
    await using w = await dispatchWorld();
    const { id, sid } = await dial(w);
    const cb = await w.fake.advance(sid, { send: false });
    expect(await w.deliver(cb, "forged")).toBe(403);
    expect(await w.deliver({ ...cb!, params: { ...cb!.params, CallStatus: "completed" } })).toBe(403);
    expect((await w.gw.request("GET", `/v1/calls/${id}`)).body.status).toBe("queued");
    expect(await w.deliver(cb)).toBe(204);
    expect((await w.gw.request("GET", `/v1/calls/${id}`)).body.status).toBe("initiated");
  });

  test("a call reaching its time limit ends with hangup_reason max_duration", async () => {
    await using w = await dispatchWorld();
    w.fake.script(CALLEE, { kind: "answer", durationSeconds: 300 });
    const { id, sid } = await dial(w);
    for (let i = 0; i < 4; i++) await w.step(sid);
    expect((await w.gw.request("GET", `/v1/calls/${id}`)).body.hangup_reason).toBe("max_duration");
  });
});

describe("ending a call", () => {
  test("while ringing it is canceled; when live it is hung up; once over it is 409", async () => {
    await using w = await dispatchWorld();
    const ringing = await dial(w, "+447386172310");
    await w.step(ringing.sid);
    await w.step(ringing.sid);
    await w.gw.request("POST", `/v1/calls/${ringing.id}/end`);
    const updates = w.fake.requests.filter((r) => r.method === "POST" && r.path.endsWith(`${ringing.sid}.json`));
    expect(updates.map((r) => r.form.Status?.[0])).toEqual(["canceled"]);
    await w.step(ringing.sid);
    const canceled = (await w.gw.request("GET", `/v1/calls/${ringing.id}`)).body;
    expect({ s: canceled.status, h: canceled.hangup_reason, r: canceled.reservation_status }).toEqual({ s: "canceled", h: "api_ended", r: "released" });

    const live = await dial(w, "+447386172311");
    for (let i = 0; i < 3; i++) await w.step(live.sid);
    await w.gw.request("POST", `/v1/calls/${live.id}/end`);
    const liveUpdates = w.fake.requests.filter((r) => r.method === "POST" && r.path.endsWith(`${live.sid}.json`));
    expect(liveUpdates.map((r) => r.form.Status?.[0])).toEqual(["completed"]);
    await w.step(live.sid);
    const ended = (await w.gw.request("GET", `/v1/calls/${live.id}`)).body;
    expect({ s: ended.status, h: ended.hangup_reason, r: ended.reservation_status }).toEqual({ s: "completed", h: "api_ended", r: "settled" });
    const again = await w.gw.request("POST", `/v1/calls/${live.id}/end`);
    expect({ status: again.status, code: again.body.error.code }).toEqual({ status: 409, code: "call_already_ended" });
  });
});

describe("idempotency", () => {
  test("the same key and body returns the first response and dials once; another body is a conflict", async () => {
    await using w = await dispatchWorld();
    const body = { agent_id: w.agentId, to: CALLEE, metadata: { a: 1, b: 2 } };
    const headers = { "idempotency-key": "retry-1" };
    const first = await w.gw.request("POST", "/v1/calls", { body, headers });
    const second = await w.gw.request("POST", "/v1/calls", { body: { metadata: { b: 2, a: 1 }, to: CALLEE, agent_id: w.agentId }, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(w.fake.calls.size).toBe(1);
    const other = await w.gw.request("POST", "/v1/calls", { body: { ...body, to: "+447386172399" }, headers });
    expect({ status: other.status, code: other.body.error.code }).toEqual({ status: 409, code: "idempotency_conflict" });
    // keys are per account
    const b = await w.gw.request("POST", "/v1/calls", { key: w.gw.keyB, body, headers });
    expect(b.body.error.code).toBe("agent_not_found");
  });

  test("two concurrent requests with one key: one call, the other 409", async () => {
    await using w = await dispatchWorld();
    const body = { agent_id: w.agentId, to: CALLEE };
    const headers = { "idempotency-key": "race" };
    const results = await Promise.all([w.gw.request("POST", "/v1/calls", { body, headers }), w.gw.request("POST", "/v1/calls", { body, headers })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe("idempotency_in_flight");
    expect(w.fake.calls.size).toBe(1);
  });

  test("a validation error is not saved: the corrected request succeeds under the same key; a 502 is saved", async () => {
    await using w = await dispatchWorld();
    const headers = { "idempotency-key": "fix-me" };
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "0738" }, headers })).status).toBe(400);
    // another body under the key would normally conflict; after a 4xx nothing was kept
    expect((await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: CALLEE }, headers })).status).toBe(201);
    w.fake.script("+447386172398", { kind: "refuse", code: 21211 });
    const h2 = { "idempotency-key": "refused" };
    const a = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386172398" }, headers: h2 });
    const b = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to: "+447386172398" }, headers: h2 });
    expect([a.status, b.status]).toEqual([502, 502]);
    expect(b.body).toEqual(a.body);
    // one dial for the corrected request, one for the refused one; the replay dialled nothing
    expect([...w.fake.requests].filter((r) => r.path.endsWith("/Calls.json")).length).toBe(2);
  });
});

describe("listing calls", () => {
  test("filters by status, agent, destination and creation time; newest first with a cursor", async () => {
    await using w = await dispatchWorld();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await dial(w, `+44738617240${i}`)).id);
    const first = await w.gw.request("GET", "/v1/calls?limit=2");
    expect(first.body.data.map((c: { id: string }) => c.id)).toEqual([ids[4], ids[3]]);
    expect(first.body.has_more).toBe(true);
    const next = await w.gw.request("GET", `/v1/calls?limit=10&starting_after=${ids[3]}`);
    expect(next.body.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect((await w.gw.request("GET", `/v1/calls?to=%2B447386172402`)).body.data.map((c: { id: string }) => c.id)).toEqual([ids[2]]);
    expect((await w.gw.request("GET", `/v1/calls?status=completed`)).body.data).toEqual([]);
    expect((await w.gw.request("GET", `/v1/calls?agent_id=${w.agentId}`)).body.data.length).toBe(5);
    expect((await w.gw.request("GET", `/v1/calls?created_after=2999-01-01T00:00:00Z`)).body.data).toEqual([]);
    expect((await w.gw.request("GET", `/v1/calls?status=bogus`)).body.error).toMatchObject({ code: "invalid_field", details: { field: "status" } });
    expect((await w.gw.request("GET", `/v1/phone-numbers/${w.numberId}/calls`)).body.data.length).toBe(5);
    expect((await w.gw.request("GET", `/v1/phone-numbers/${w.numberId}/calls`, { key: w.gw.keyB })).status).toBe(404);
    expect((await w.gw.request("GET", `/v1/calls/${ids[0]}`, { key: w.gw.keyB })).status).toBe(404);
    expect((await w.gw.request("POST", `/v1/calls/${ids[0]}/end`, { key: w.gw.keyB })).status).toBe(404);
    expect((await w.gw.request("GET", "/v1/calls", { key: w.gw.keyB })).body.data).toEqual([]);
  });
});
