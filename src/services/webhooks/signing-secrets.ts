/**
 * Where each destination's signing secrets come from: an endpoint's own, or for per-call and agent
 * `webhook_url`s the account's signing secret (created on first need, so nothing is ever sent
 * unsigned; `POST /v1/webhook_signing_secret` rotates it and shows the new one once).
 */
import { eq } from "drizzle-orm";
import { webhookEndpoints, webhookSigningSecrets } from "../../db/schema/index.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import type { Tx } from "../billing.ts";
import { activeSecrets, generateSigningSecret, rotated, type SealedSecrets } from "./signing.ts";

/** The account's call-URL secrets, creating them when missing. */
export function accountSecrets(tx: Tx, box: SecretBox, accountId: string, nowMs: number): SealedSecrets {
  const row = tx.select().from(webhookSigningSecrets).where(eq(webhookSigningSecrets.accountId, accountId)).get();
  if (row) return row;
  const created = { accountId, secretSealed: box.seal(generateSigningSecret()), previousSecretSealed: null, previousSecretExpiresAtMs: null, createdAtMs: nowMs, updatedAtMs: nowMs };
  tx.insert(webhookSigningSecrets).values(created).onConflictDoNothing().run();
  return tx.select().from(webhookSigningSecrets).where(eq(webhookSigningSecrets.accountId, accountId)).get()!;
}

/** Replaces the account's call-URL secret; the previous one keeps signing for `overlapMs`. */
export function rotateAccountSecret(tx: Tx, box: SecretBox, accountId: string, nowMs: number, overlapMs: number): { secret: string; previousExpiresAtMs: number | null } {
  const existing = tx.select().from(webhookSigningSecrets).where(eq(webhookSigningSecrets.accountId, accountId)).get();
  const secret = generateSigningSecret();
  if (!existing) {
    tx.insert(webhookSigningSecrets).values({ accountId, secretSealed: box.seal(secret), createdAtMs: nowMs, updatedAtMs: nowMs }).run();
    return { secret, previousExpiresAtMs: null };
  }
  const next = rotated(box, existing, secret, nowMs, overlapMs);
  tx.update(webhookSigningSecrets).set({ ...next, updatedAtMs: nowMs }).where(eq(webhookSigningSecrets.accountId, accountId)).run();
  return { secret, previousExpiresAtMs: next.previousSecretExpiresAtMs };
}

/** The plaintext secrets that sign an attempt to this destination at `nowMs`. */
export function secretsFor(tx: Tx, box: SecretBox, dest: { accountId: string; endpointId: string | null }, nowMs: number): string[] {
  if (dest.endpointId) {
    const ep = tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, dest.endpointId)).get();
    if (ep) return activeSecrets(box, ep, nowMs);
  }
  return activeSecrets(box, accountSecrets(tx, box, dest.accountId, nowMs), nowMs);
}
