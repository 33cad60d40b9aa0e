/**
 * Where call lifecycle events go. The sink is called inside the transaction that changes the
 * call, so a durable outbox (webhooks) commits together with the state change that caused it.
 */
import type { calls } from "../db/schema/index.ts";
import type { Tx } from "./billing.ts";

export type CallRow = typeof calls.$inferSelect;

export type CallEventType = "call.initiated" | "call.ringing" | "call.answered" | "call.completed" | "call.failed";

export interface CallEventSink {
  /** Records that `type` happened to `call` (the row as it is after the change). */
  record(tx: Tx, call: CallRow, type: CallEventType, nowMs: number): void;
}
