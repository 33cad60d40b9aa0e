/**
 * Keeps a call's `webhook_status`/`webhook_error` current from its outbox rows: `pending` while
 * any delivery is pending (or held), then `failed` if any ended failed or disabled, else
 * `delivered`. The error is the latest one seen. The call's `updated_at` is left alone: it drives
 * reconciliation of quiet calls, which webhook traffic must not postpone.
 */
import { desc, eq } from "drizzle-orm";
import { calls, webhookEvents } from "../../db/schema/index.ts";
import type { Tx } from "../billing.ts";

export function refreshCallWebhookStatus(tx: Tx, callId: string): void {
  const rows = tx
    .select({ state: webhookEvents.state, lastError: webhookEvents.lastError })
    .from(webhookEvents)
    .where(eq(webhookEvents.callId, callId))
    .orderBy(desc(webhookEvents.updatedAtMs), desc(webhookEvents.id))
    .all();
  if (rows.length === 0) return;
  const pending = rows.some((r) => r.state === "pending");
  const failed = rows.find((r) => r.state === "failed" || r.state === "disabled");
  const status = pending ? "pending" : failed ? "failed" : "delivered";
  const error = status === "delivered" ? null : status === "failed" ? failed!.lastError : (rows.find((r) => r.state === "pending" && r.lastError)?.lastError ?? null);
  tx.update(calls).set({ webhookStatus: status, webhookError: error }).where(eq(calls.id, callId)).run();
}
