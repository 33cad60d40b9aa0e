/**
 * The durable webhook outbox. `record` is a CallEventSink: it runs inside the transaction that
 * changes the call, so an event row exists if and only if the change committed. One row per
 * event per destination (the call's `webhook_url`, which dispatch already resolved from the
 * agent's, plus every enabled account endpoint subscribed to the type). The deliverer sends them.
 */
import { and, asc, eq, isNull } from "drizzle-orm";
import { calls, webhookEndpoints, webhookEvents, webhookReleases } from "../../db/schema/index.ts";
import { newId } from "../../lib/ids.ts";
import type { Tx } from "../billing.ts";
import type { CallEventSink, CallEventType, CallRow } from "../call-events.ts";
import { refreshCallWebhookStatus } from "./call-status.ts";
import { ALL_EVENTS, waitsForPostCall, webhookTypesFor, type WebhookEventType } from "./event-types.ts";
import { buildPayload, transcriptOf } from "./payload.ts";

/** One place an event goes. */
export interface Destination {
  kind: "call" | "endpoint";
  endpointId: string | null;
  url: string;
}

export class WebhookOutbox implements CallEventSink {
  /** @param notify called after the caller's transaction (on a microtask) when rows became due. */
  constructor(private readonly notify: () => void = () => {}) {}

  record(tx: Tx, call: CallRow, type: CallEventType, nowMs: number): void {
    let wrote = false;
    for (const t of webhookTypesFor(type, call.dialect)) wrote = this.enqueue(tx, call, t, nowMs) || wrote;
    if (wrote) this.wake();
  }

  /** Writes `type` for every destination of the call. Returns whether any row was written. */
  enqueue(tx: Tx, call: CallRow, type: WebhookEventType, nowMs: number): boolean {
    const dests = destinationsOf(tx, call, type);
    if (dests.length === 0) return false;
    const held = waitsForPostCall(type) && call.answeredAtMs !== null && !isReleased(tx, call.id);
    const payload = held ? null : buildPayload(type, call, nowMs, transcriptOf(tx, call.id));
    for (const d of dests) {
      // A session always opens with session.created, even when the carrier's `initiated` report
      // was lost or the destination was added mid-call.
      if (call.dialect === "agntix" && type !== "session.created" && !hasEvent(tx, call.id, "session.created", d)) {
        if (subscribed(tx, d, "session.created")) this.insertRow(tx, call, "session.created", d, buildPayload("session.created", call, nowMs, null), nowMs);
      }
      this.insertRow(tx, call, type, d, payload, nowMs);
    }
    refreshCallWebhookStatus(tx, call.id);
    return true;
  }

  private insertRow(tx: Tx, call: CallRow, type: string, d: Destination, payload: string | null, nowMs: number): void {
    tx.insert(webhookEvents)
      .values({
        id: newId("evt"),
        accountId: call.accountId,
        callId: call.id,
        type,
        payload,
        ready: payload !== null,
        destinationKind: d.kind,
        endpointId: d.endpointId,
        url: d.url,
        state: "pending",
        nextAttemptAtMs: nowMs,
        createdAtMs: nowMs,
        updatedAtMs: nowMs,
      })
      .run();
  }

  /**
   * The call's post-call step has finished: held end-of-call rows get their payload (built now,
   * with the result and the full transcript; `timestamp` stays the time the call ended) and become
   * due. Events recorded later go out at once. Idempotent. Call inside a transaction.
   */
  release(tx: Tx, callId: string, nowMs: number): number {
    tx.insert(webhookReleases).values({ callId, releasedAtMs: nowMs }).onConflictDoNothing().run();
    const held = tx.select().from(webhookEvents).where(and(eq(webhookEvents.callId, callId), eq(webhookEvents.ready, false))).all();
    if (held.length === 0) return 0;
    const call = tx.select().from(calls).where(eq(calls.id, callId)).get();
    if (!call) return 0;
    const transcript = transcriptOf(tx, callId);
    for (const row of held) {
      tx.update(webhookEvents)
        .set({ payload: buildPayload(row.type, call, row.createdAtMs, transcript), ready: true, nextAttemptAtMs: nowMs, updatedAtMs: nowMs })
        .where(eq(webhookEvents.id, row.id))
        .run();
    }
    refreshCallWebhookStatus(tx, callId);
    this.wake();
    return held.length;
  }

  /** Calls whose end-of-call rows are still held, oldest first (for the post-call sweep). */
  heldCalls(tx: Tx, limit = 100): string[] {
    const rows = tx
      .selectDistinct({ callId: webhookEvents.callId })
      .from(webhookEvents)
      .where(and(eq(webhookEvents.ready, false), eq(webhookEvents.state, "pending")))
      .orderBy(asc(webhookEvents.callId))
      .limit(limit)
      .all();
    return rows.flatMap((r) => (r.callId ? [r.callId] : []));
  }

  /**
   * Sends the call's events again with their original `webhook-id`s and bodies: every released
   * row whose destination still accepts events becomes pending with a fresh retry round. Returns
   * the ids queued. Call inside a transaction.
   */
  redeliver(tx: Tx, callId: string, nowMs: number): string[] {
    const rows = tx.select().from(webhookEvents).where(and(eq(webhookEvents.callId, callId), eq(webhookEvents.ready, true))).orderBy(asc(webhookEvents.id)).all();
    const queued: string[] = [];
    for (const row of rows) {
      if (row.endpointId) {
        const ep = tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, row.endpointId)).get();
        if (!ep || ep.status !== "enabled" || ep.deletedAtMs !== null) continue;
      }
      // Clearing a lease that is in flight makes that attempt's outcome leave the row pending.
      tx.update(webhookEvents)
        .set({ state: "pending", roundAttempts: 0, nextAttemptAtMs: nowMs, leaseOwner: null, leaseUntilMs: null, updatedAtMs: nowMs })
        .where(eq(webhookEvents.id, row.id))
        .run();
      queued.push(row.id);
    }
    refreshCallWebhookStatus(tx, callId);
    if (queued.length > 0) this.wake();
    return queued;
  }

  private wake(): void {
    // After the caller's (synchronous) transaction has committed.
    queueMicrotask(this.notify);
  }
}

/** The call's own URL, then the account's enabled endpoints subscribed to `type`. */
export function destinationsOf(tx: Tx, call: CallRow, type: string): Destination[] {
  const out: Destination[] = [];
  if (call.webhookUrl) out.push({ kind: "call", endpointId: null, url: call.webhookUrl });
  const endpoints = tx
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.accountId, call.accountId), eq(webhookEndpoints.status, "enabled"), isNull(webhookEndpoints.deletedAtMs)))
    .orderBy(asc(webhookEndpoints.id))
    .all();
  for (const ep of endpoints) {
    if (ep.enabledEvents.includes(type) || ep.enabledEvents.includes(ALL_EVENTS)) out.push({ kind: "endpoint", endpointId: ep.id, url: ep.url });
  }
  return out;
}

function subscribed(tx: Tx, d: Destination, type: string): boolean {
  if (!d.endpointId) return true;
  const ep = tx.select({ events: webhookEndpoints.enabledEvents }).from(webhookEndpoints).where(eq(webhookEndpoints.id, d.endpointId)).get();
  return !!ep && (ep.events.includes(type) || ep.events.includes(ALL_EVENTS));
}

function hasEvent(tx: Tx, callId: string, type: string, d: Destination): boolean {
  const dest = d.endpointId ? eq(webhookEvents.endpointId, d.endpointId) : and(eq(webhookEvents.destinationKind, "call"), eq(webhookEvents.url, d.url));
  return !!tx.select({ id: webhookEvents.id }).from(webhookEvents).where(and(eq(webhookEvents.callId, callId), eq(webhookEvents.type, type), dest)).get();
}

function isReleased(tx: Tx, callId: string): boolean {
  return !!tx.select({ id: webhookReleases.callId }).from(webhookReleases).where(eq(webhookReleases.callId, callId)).get();
}
