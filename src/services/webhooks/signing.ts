/**
 * Standard Webhooks signing (https://www.standardwebhooks.com, "Signature scheme"): the
 * signature is `v1,<base64 HMAC-SHA256(secret, "<webhook-id>.<webhook-timestamp>.<body>")>` with
 * a `whsec_<base64>` secret; several signatures are space separated, which is how a receiver
 * keeps verifying through a secret rotation.
 */
import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import type { SecretBox } from "../../lib/secret-box.ts";

/** A new signing secret: `whsec_` + base64 of 24 random bytes (the spec allows 24–64). */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(24).toString("base64")}`;
}

/** The headers of one attempt. `timestampMs` is the attempt time; the header is whole seconds. */
export function signedHeaders(secrets: readonly string[], id: string, timestampMs: number, body: string): Record<string, string> {
  if (secrets.length === 0) throw new Error("no signing secret");
  const at = new Date(timestampMs);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(timestampMs / 1000)),
    "webhook-signature": secrets.map((s) => new Webhook(s).sign(id, at, body)).join(" "),
  };
}

/** A sealed secret and, during a rotation's overlap, the previous one. */
export interface SealedSecrets {
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAtMs: number | null;
}

/** The secrets that sign at `nowMs`: the current one, plus the previous one until it expires. */
export function activeSecrets(box: SecretBox, s: SealedSecrets, nowMs: number): string[] {
  const out = [box.open(s.secretSealed)];
  if (s.previousSecretSealed && s.previousSecretExpiresAtMs !== null && nowMs < s.previousSecretExpiresAtMs) out.push(box.open(s.previousSecretSealed));
  return out;
}

/** The columns after a rotation: the new secret signs now, the old one until `nowMs + overlapMs`. */
export function rotated(box: SecretBox, current: SealedSecrets, fresh: string, nowMs: number, overlapMs: number): SealedSecrets {
  return {
    secretSealed: box.seal(fresh),
    previousSecretSealed: overlapMs > 0 ? current.secretSealed : null,
    previousSecretExpiresAtMs: overlapMs > 0 ? nowMs + overlapMs : null,
  };
}
