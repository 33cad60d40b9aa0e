/**
 * The deliverer's database steps, each one synchronous transaction (PROTOCOLS.md: a bun:sqlite
 * transaction must not await): claim due rows under a lease, and record an attempt's outcome.
 * A crash between the two leaves the lease behind; the next process releases it and the event is
 * sent again with the same webhook-id (at least once).
 */
import { and, eq, inArray, isNull, lte, ne, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { webhookAttempts, webhookEndpoints, webhookEvents, type WebhookState } from "../../db/schema/index.ts";
import type { Tx } from "../billing.ts";
import { refreshCallWebhookStatus } from "./call-status.ts";
import { nextDelayMs } from "./schedule.ts";

export type EventRow = typeof webhookEvents.$inferSelect;

/** A row claimed for one attempt. */
export interface Claimed extends EventRow {
  payload: string;
}

/** Claims up to `limit` due rows for `owner` until `nowMs + leaseMs`. */
export function claimDue(db: Db, owner: string, nowMs: number, leaseMs: number, limit: number): Claimed[] {
  return db.transaction((tx) => {
    const due = tx
      .select()
      .from(webhookEvents)
      .where(
        and(
          eq(webhookEvents.state, "pending"),
          eq(webhookEvents.ready, true),
          lte(webhookEvents.nextAttemptAtMs, nowMs),
          or(isNull(webhookEvents.leaseUntilMs), lte(webhookEvents.leaseUntilMs, nowMs)),
        ),
      )
      .orderBy(webhookEvents.nextAttemptAtMs, webhookEvents.id)
      .limit(limit)
      .all();
    if (due.length === 0) return [];
    tx.update(webhookEvents)
      .set({ leaseOwner: owner, leaseUntilMs: nowMs + leaseMs })
      .where(inArray(webhookEvents.id, due.map((r) => r.id)))
      .run();
    return due.filter((r): r is Claimed => r.payload !== null).map((r) => ({ ...r, leaseOwner: owner, leaseUntilMs: nowMs + leaseMs }));
  });
}

/**
 * Releases leases taken by other deliverer instances: at start-up they belong to a process that
 * died (one gateway process serves a database). Returns how many were released.
 */
export function releaseForeignLeases(db: Db, owner: string): number {
  return db
    .update(webhookEvents)
    .set({ leaseOwner: null, leaseUntilMs: null })
    .where(and(eq(webhookEvents.state, "pending"), ne(webhookEvents.leaseOwner, owner)))
    .returning({ id: webhookEvents.id })
    .all().length;
}

/** How an attempt ended, as the deliverer judged it. */
export type AttemptResult =
  | { kind: "delivered"; statusCode: number; latencyMs: number; responseBody: string | null }
  /** Retry per the schedule (non-2xx, redirect, timeout, network error). */
  | { kind: "retry"; statusCode: number | null; latencyMs: number; responseBody: string | null; error: string }
  /** 410 Gone: the destination asked us to stop. */
  | { kind: "gone"; statusCode: 410; latencyMs: number; responseBody: string | null; error: string }
  /** Never retried (the destination is refused). */
  | { kind: "refused"; latencyMs: number; error: string };

export interface RecordOptions {
  retryDelaysMs: readonly number[];
  jitterRatio: number;
  random: () => number;
}

/** Records one attempt and moves the row (and, on 410, its endpoint). Returns the new state. */
export function recordAttempt(db: Db, row: Claimed, startedAtMs: number, nowMs: number, result: AttemptResult, opts: RecordOptions): WebhookState {
  return db.transaction((tx) => {
    const current = tx.select().from(webhookEvents).where(eq(webhookEvents.id, row.id)).get();
    if (!current) return "failed";
    const attempt = current.attempts + 1;
    const round = current.roundAttempts + 1;
    let state: WebhookState = "pending";
    let next: number | null = null;
    const error = result.kind === "delivered" ? null : result.error;
    if (result.kind === "delivered") state = "delivered";
    else if (result.kind === "gone") state = "disabled";
    else if (result.kind === "refused") state = "failed";
    else {
      const delay = nextDelayMs(opts.retryDelaysMs, round, opts.jitterRatio, opts.random);
      if (delay === null) state = "failed";
      else next = nowMs + delay;
    }
    const statusCode = "statusCode" in result ? result.statusCode : null;
    const responseBody = "responseBody" in result ? result.responseBody : null;
    tx.insert(webhookAttempts).values({ eventId: row.id, attempt, startedAtMs, latencyMs: result.latencyMs, statusCode, error, responseBody, state, nextAttemptAtMs: next }).run();
    // A row that a redelivery re-queued while this attempt flew stays pending for another round.
    const requeued = current.leaseOwner !== row.leaseOwner;
    tx.update(webhookEvents)
      .set({
        attempts: attempt,
        roundAttempts: requeued ? current.roundAttempts : round,
        state: requeued ? current.state : state,
        nextAttemptAtMs: requeued ? current.nextAttemptAtMs : (next ?? current.nextAttemptAtMs),
        leaseOwner: requeued ? current.leaseOwner : null,
        leaseUntilMs: requeued ? current.leaseUntilMs : null,
        lastError: error,
        lastStatusCode: statusCode,
        deliveredAtMs: state === "delivered" ? nowMs : current.deliveredAtMs,
        updatedAtMs: nowMs,
      })
      .where(eq(webhookEvents.id, row.id))
      .run();
    if (result.kind === "gone" && row.endpointId) disableEndpoint(tx, row.endpointId, `the receiver answered 410 Gone at ${new Date(nowMs).toISOString()}`, nowMs);
    if (row.callId) refreshCallWebhookStatus(tx, row.callId);
    return state;
  });
}

/** 410 Gone disables an endpoint: its pending rows stop and no new events are routed to it. */
function disableEndpoint(tx: Tx, endpointId: string, reason: string, nowMs: number): void {
  tx.update(webhookEndpoints).set({ status: "disabled", disabledReason: reason, updatedAtMs: nowMs }).where(eq(webhookEndpoints.id, endpointId)).run();
  const stopped = tx
    .update(webhookEvents)
    .set({ state: "disabled", lastError: "endpoint disabled (410 Gone)", leaseOwner: null, leaseUntilMs: null, updatedAtMs: nowMs })
    .where(and(eq(webhookEvents.endpointId, endpointId), eq(webhookEvents.state, "pending")))
    .returning({ callId: webhookEvents.callId })
    .all();
  for (const callId of new Set(stopped.map((r) => r.callId))) if (callId) refreshCallWebhookStatus(tx, callId);
}
