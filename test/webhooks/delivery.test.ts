import { describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { claimDue } from "../../src/services/webhooks/store.ts";
import { nextDelayMs } from "../../src/services/webhooks/schedule.ts";
import { validSignature, webhookWorld } from "./world.ts";

const attemptsOf = async (w: Awaited<ReturnType<typeof webhookWorld>>, callId: string) =>
  (await w.gw.request("GET", `/v1/calls/${callId}/webhooks`)).body.data as any[];

describe("webhook delivery", () => {
  test("one attempt, signed with the account secret, body exactly the stored payload; the attempt and the call status are recorded", async () => {
    await using w = await webhookWorld();
    const secret = await w.signingSecret();
    const call = await w.dial({ webhook_url: w.rx.url("/hook") });
    await w.steps(call.sid, 1);
    const d = w.deliverer();
    expect(await d.runDue()).toBe(1);
    expect(w.rx.received).toHaveLength(1);
    const got = w.rx.received[0]!;
    const row = w.gw.db.select().from(webhookEvents).where(eq(webhookEvents.id, got.id)).get()!;
    expect({ body: got.body, type: row.type, sig: validSignature(secret, got), ct: got.headers["content-type"], ts: got.timestamp }).toEqual({
      body: row.payload!,
      type: "call.initiated",
      sig: true,
      ct: "application/json",
      ts: String(Math.floor(w.clock.t / 1000)),
    });
    const [delivery] = await attemptsOf(w, call.id);
    expect(delivery.attempts).toEqual([
      { attempt: 1, started_at: new Date(w.clock.t).toISOString(), latency_ms: expect.any(Number), status_code: 200, error: null, response_body: "ok", state: "delivered", next_attempt_at: null },
    ]);
    const after = (await w.gw.request("GET", `/v1/calls/${call.id}`)).body;
    expect([after.webhook_status, after.webhook_error]).toEqual(["delivered", null]);
    expect(await d.runDue()).toBe(0);
  });

  test("5xx retries on the schedule with the same webhook-id, until a 2xx", async () => {
    await using w = await webhookWorld();
    w.rx.script("/flaky", [{ status: 500, body: "boom" }, { status: 503 }]);
    const call = await w.dial({ webhook_url: w.rx.url("/flaky") });
    await w.steps(call.sid, 1);
    const d = w.deliverer({ retryDelaysMs: [10, 20, 40] });
    await d.runDue();
    expect((await w.gw.request("GET", `/v1/calls/${call.id}`)).body).toMatchObject({ webhook_status: "pending", webhook_error: "HTTP 500" });
    w.clock.t += 9;
    expect(await d.runDue()).toBe(0); // not due yet
    w.clock.t += 1;
    expect(await d.runDue()).toBe(1);
    w.clock.t += 20;
    expect(await d.runDue()).toBe(1);
    expect(new Set(w.rx.received.map((r) => r.id)).size).toBe(1);
    const [delivery] = await attemptsOf(w, call.id);
    expect(delivery.attempts.map((a: any) => [a.attempt, a.status_code, a.error, a.state, a.response_body])).toEqual([
      [1, 500, "HTTP 500", "pending", "boom"],
      [2, 503, "HTTP 503", "pending", ""],
      [3, 200, null, "delivered", "ok"],
    ]);
    expect((await w.gw.request("GET", `/v1/calls/${call.id}`)).body).toMatchObject({ webhook_status: "delivered", webhook_error: null });
  });

  test("an exhausted schedule fails the delivery and the call's webhook_status", async () => {
    await using w = await webhookWorld();
    w.rx.script("/down", [], { status: 500 });
    const call = await w.dial({ webhook_url: w.rx.url("/down") });
    await w.steps(call.sid, 1);
    const d = w.deliverer({ retryDelaysMs: [10] });
    await d.runDue();
    w.clock.t += 10;
    await d.runDue();
    w.clock.t += 1_000_000;
    expect(await d.runDue()).toBe(0);
    expect(w.rx.received).toHaveLength(2);
    expect((await attemptsOf(w, call.id))[0].state).toBe("failed");
    expect((await w.gw.request("GET", `/v1/calls/${call.id}`)).body).toMatchObject({ webhook_status: "failed", webhook_error: "HTTP 500" });
  });

  test("410 disables the endpoint: its pending deliveries stop and later events are not routed to it", async () => {
    await using w = await webhookWorld();
    const ep = (await w.gw.request("POST", "/v1/webhook_endpoints", { body: { url: w.rx.url("/gone"), enabled_events: ["*"] } })).body;
    w.rx.script("/gone", [{ status: 410 }], { status: 200 });
    const a = await w.dial({}, "+447386172301");
    const b = await w.dial({}, "+447386172302");
    await w.steps(a.sid, 1);
    await w.steps(b.sid, 1);
    const d = w.deliverer({ batchSize: 1 });
    await d.runDue();
    expect(await d.runDue()).toBe(0);
    expect(w.rx.received).toHaveLength(1);
    expect((await w.gw.request("GET", `/v1/webhook_endpoints/${ep.id}`)).body).toMatchObject({ status: "disabled", disabled_reason: expect.stringContaining("410") });
    const states = [...(await attemptsOf(w, a.id)), ...(await attemptsOf(w, b.id))].map((x) => x.state);
    expect(states).toEqual(["disabled", "disabled"]);
    expect((await w.gw.request("GET", `/v1/calls/${b.id}`)).body.webhook_status).toBe("failed");
    await w.steps(a.sid, 1); // ringing: nothing routed to the disabled endpoint
    expect(await attemptsOf(w, a.id)).toHaveLength(1);
  });

  test("a redirect is a failure and is not followed", async () => {
    await using w = await webhookWorld();
    w.rx.script("/moved", [{ redirect: "/elsewhere" }]);
    const call = await w.dial({ webhook_url: w.rx.url("/moved") });
    await w.steps(call.sid, 1);
    await w.deliverer().runDue();
    expect(w.rx.received.map((r) => r.path)).toEqual(["/moved"]);
    const [delivery] = await attemptsOf(w, call.id);
    expect(delivery.attempts.map((a: any) => [a.status_code, a.error, a.state])).toEqual([[302, "HTTP 302: redirect to /elsewhere not followed", "pending"]]);
  });

  test("a receiver that hangs times out; only the first bytes of a response body are kept", async () => {
    await using w = await webhookWorld();
    w.rx.script("/slow", [{ hang: true }, { status: 500, body: "x".repeat(5000) }]);
    const call = await w.dial({ webhook_url: w.rx.url("/slow") });
    await w.steps(call.sid, 1);
    const d = w.deliverer({ timeoutMs: 30, maxResponseBytes: 100 });
    await d.runDue();
    w.clock.t += 10;
    await d.runDue();
    const [delivery] = await attemptsOf(w, call.id);
    expect(delivery.attempts.map((a: any) => [a.status_code, a.error, a.response_body])).toEqual([
      [null, "timed out after 30 ms", null],
      [500, "HTTP 500", "x".repeat(100)],
    ]);
  });

  test("private, loopback and link-local destinations are refused unless allowed, without a request", async () => {
    await using w = await webhookWorld();
    const call = await w.dial({ webhook_url: w.rx.url("/private") });
    await w.steps(call.sid, 1);
    await w.deliverer({ allowPrivate: false }).runDue();
    expect(w.rx.received).toEqual([]);
    const [delivery] = await attemptsOf(w, call.id);
    expect([delivery.state, delivery.attempts[0].error]).toEqual(["failed", "destination refused: 127.0.0.1 is not a public address"]);
    // registering one is refused too when private destinations are not allowed
    await using strict = await webhookWorld({ WEBHOOK_ALLOW_PRIVATE: "false" });
    const res = await strict.gw.request("POST", "/v1/webhook_endpoints", { body: { url: "http://10.0.0.5/hook", enabled_events: ["*"] } });
    expect([res.status, res.body.error.code]).toEqual([400, "invalid_webhook_url"]);
  });

  test("a claim left by a process that died is released at the next start and sent with the same webhook-id", async () => {
    await using w = await webhookWorld();
    const call = await w.dial({ webhook_url: w.rx.url("/hook") });
    await w.steps(call.sid, 1);
    const claimed = claimDue(w.gw.db, "dlv_dead", w.clock.t, 60_000, 10); // then the process died
    expect(claimed).toHaveLength(1);
    const next = w.deliverer();
    expect(await next.runDue()).toBe(0); // the lease still holds
    next.start();
    next.stop(); // start released the lease; drive the pass by hand
    const again = w.deliverer();
    expect(await again.runDue()).toBe(1);
    expect(w.rx.received.map((r) => r.id)).toEqual([claimed[0]!.id]);
  });

  test("the running loop delivers as soon as the outbox is written, and retries on a millisecond schedule", async () => {
    await using w = await webhookWorld({ WEBHOOK_RETRY_SCHEDULE_MS: "2,2" });
    w.rx.script("/live", [{ status: 500 }]);
    w.gw.webhooks.start();
    const call = await w.dial({ webhook_url: w.rx.url("/live") });
    await w.steps(call.sid, 1);
    await w.rx.waitForCount(2);
    w.gw.webhooks.stop();
    expect(w.rx.received.map((r) => r.id)).toEqual([w.rx.received[0]!.id, w.rx.received[0]!.id]);
  });

  test("the retry delay has ±20 % jitter and ends with the schedule", () => {
    const schedule = [5_000, 300_000];
    expect([0, 0.5, 0.999999].map((r) => nextDelayMs(schedule, 1, 0.2, () => r))).toEqual([4_000, 5_000, 6_000]);
    expect(nextDelayMs(schedule, 2, 0.2, () => 0.5)).toBe(300_000);
    expect(nextDelayMs(schedule, 3, 0.2, () => 0.5)).toBeNull();
  });
});
