/**
 * Billing invariants under random interleavings of dispatches, carrier callbacks (in order,
 * duplicated, out of order), API hang-ups and restarts with reconciliation:
 * - the balance always equals the sum of the ledger;
 * - every reservation is closed (settled or released) at most once, and exactly once when the
 *   call is terminal;
 * - after a final reconciliation every call is terminal.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { FakeCallback } from "../../src/sim/fakes/twilio-rest.ts";
import { dispatchWorld, type DispatchWorld } from "../helpers/dispatch.ts";

type Op =
  | { kind: "dial"; outcome: 0 | 1 | 2 | 3; duration: number }
  | { kind: "step"; call: number; hold: boolean }
  | { kind: "replay"; which: number }
  | { kind: "end"; call: number }
  | { kind: "restart" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant("dial" as const), outcome: fc.constantFrom(0 as const, 1 as const, 2 as const, 3 as const), duration: fc.integer({ min: 0, max: 400 }) }),
  fc.record({ kind: fc.constant("step" as const), call: fc.nat(7), hold: fc.boolean() }),
  fc.record({ kind: fc.constant("replay" as const), which: fc.nat(20) }),
  fc.record({ kind: fc.constant("end" as const), call: fc.nat(7) }),
  fc.constant({ kind: "restart" as const }),
);

function check(w: DispatchWorld) {
  const db = w.gw.db.$client;
  const balance = (db.query("select balance_milli_cents as b from accounts where id = ?").get(w.gw.accountA) as { b: number }).b;
  expect(w.gw.billing.ledgerSum(w.gw.accountA)).toBe(balance);
  const rows = db
    .query(
      `select c.id, c.status, c.reservation_status as rs,
        (select count(*) from ledger_entries l where l.call_id = c.id and l.kind = 'reservation') as reserved,
        (select count(*) from ledger_entries l where l.call_id = c.id and l.kind in ('settlement','release')) as closed
       from calls c`,
    )
    .all() as { id: string; status: string; rs: string; reserved: number; closed: number }[];
  for (const r of rows) {
    expect(r.reserved).toBe(1);
    expect(r.closed).toBe(r.rs === "reserved" ? 0 : 1);
    const terminal = ["completed", "no_answer", "busy", "canceled", "failed"].includes(r.status);
    if (terminal) expect(r.rs).not.toBe("reserved");
  }
  return rows;
}

describe("billing invariants (property-based)", () => {
  test("hold across random interleavings and restarts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        await using w = await dispatchWorld({ MAX_CONCURRENT_CALLS: "4" });
        const sids: string[] = [];
        const held: FakeCallback[] = [];
        const outcomes = [{ kind: "answer" }, { kind: "busy" }, { kind: "no-answer" }, { kind: "refuse", code: 21215 }] as const;
        let n = 0;
        for (const op of ops) {
          if (op.kind === "dial") {
            const to = `+4473861700${String(n++).padStart(2, "0")}`;
            const outcome = outcomes[op.outcome];
            w.fake.script(to, outcome.kind === "answer" ? { kind: "answer", durationSeconds: op.duration } : outcome);
            const res = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to } });
            expect([201, 429, 502]).toContain(res.status);
            if (res.status === 201) sids.push(res.body.provider_call_sid);
          } else if (op.kind === "step" && sids.length) {
            const sid = sids[op.call % sids.length]!;
            const cb = await w.fake.advance(sid, { send: false });
            if (cb) {
              held.push(cb);
              if (!op.hold) expect(await w.deliver(cb)).toBe(204);
            }
          } else if (op.kind === "replay" && held.length) {
            expect(await w.deliver(held[op.which % held.length]!)).toBe(204);
          } else if (op.kind === "end" && sids.length) {
            const sid = sids[op.call % sids.length]!;
            const call = w.gw.db.$client.query("select id from calls where provider_call_sid = ?").get(sid) as { id: string };
            const res = await w.gw.request("POST", `/v1/calls/${call.id}/end`);
            expect([200, 409]).toContain(res.status);
          } else if (op.kind === "restart") {
            await w.gw.calls.reconcile(w.gw.telephonyForCall);
          }
          check(w);
        }
        // The carrier finishes every call; callbacks may have been lost: reconciliation closes the books.
        for (const sid of sids) while (w.fake.calls.get(sid)!.pending.length) await w.fake.advance(sid, { send: false });
        await w.gw.calls.reconcile(w.gw.telephonyForCall);
        const rows = check(w);
        for (const r of rows) expect(["completed", "no_answer", "busy", "canceled", "failed"]).toContain(r.status);
      }),
      { numRuns: 30 },
    );
  }, 60_000);
});
