/**
 * Idempotency-Key handling: the same key and body within 24 h returns the first response and
 * never runs the operation twice; the same key with another body is a conflict; a duplicate
 * arriving while the first is still running is refused. As with the hosted APIs users migrate
 * from, a request refused by validation (a 4xx) saves nothing, so it can be corrected and retried
 * under the same key; a created call (201) and a refused dial (502) are saved.
 */
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { idempotencyKeys } from "../db/schema/index.ts";
import { ApiError } from "../lib/errors.ts";

export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

export interface StoredResponse {
  status: number;
  body: unknown;
  replayed: boolean;
}

function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, stable((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(stable(body ?? null))).digest("hex");
}

export class IdempotencyService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async run(accountId: string, route: string, key: string | null | undefined, body: unknown, op: () => Promise<{ status: number; body: unknown }>): Promise<StoredResponse> {
    if (!key) return { ...(await op()), replayed: false };
    if (key.length > 255) throw new ApiError("invalid_field", 400, "Idempotency-Key is longer than 255 characters", { field: "Idempotency-Key" });
    const hash = requestHash(body);
    const where = and(eq(idempotencyKeys.accountId, accountId), eq(idempotencyKeys.route, route), eq(idempotencyKeys.key, key));
    const nowMs = this.now();
    const stored = this.db.transaction((tx) => {
      const row = tx.select().from(idempotencyKeys).where(where).get();
      if (row && row.createdAtMs + IDEMPOTENCY_TTL_MS > nowMs) {
        if (row.requestHash !== hash) {
          throw new ApiError("idempotency_conflict", 409, "This Idempotency-Key was used with a different request body", { idempotency_key: key });
        }
        if (row.state === "in_flight") {
          throw new ApiError("idempotency_in_flight", 409, "A request with this Idempotency-Key is still being processed", { idempotency_key: key });
        }
        return { status: row.responseStatus!, body: JSON.parse(row.responseBody!) as unknown, replayed: true };
      }
      if (row) tx.delete(idempotencyKeys).where(where).run();
      tx.insert(idempotencyKeys).values({ accountId, route, key, requestHash: hash, state: "in_flight", createdAtMs: nowMs }).run();
      return null;
    });
    if (stored) return stored;
    const save = (status: number, responseBody: unknown) =>
      this.db.update(idempotencyKeys).set({ state: "done", responseStatus: status, responseBody: JSON.stringify(responseBody) }).where(where).run();
    const forget = () => this.db.delete(idempotencyKeys).where(where).run();
    try {
      const res = await op();
      if (res.status >= 400 && res.status < 500) forget();
      else save(res.status, res.body);
      return { ...res, replayed: false };
    } catch (e) {
      if (e instanceof ApiError && e.status >= 500) save(e.status, e.toBody());
      else forget();
      throw e;
    }
  }
}
