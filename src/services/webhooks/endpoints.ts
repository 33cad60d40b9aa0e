/**
 * Account webhook endpoints: register, list, delete, rotate the secret. A secret is returned only
 * by the call that creates it. No HTTP types here.
 */
import { and, eq, isNull } from "drizzle-orm";
import { accountPage, type PageQuery } from "../../db/account-scope.ts";
import type { Db } from "../../db/client.ts";
import { webhookEndpoints, webhookEvents } from "../../db/schema/index.ts";
import { ApiError, invalidField, notFound } from "../../lib/errors.ts";
import { newId } from "../../lib/ids.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { refreshCallWebhookStatus } from "./call-status.ts";
import { urlProblem } from "./destination.ts";
import { ALL_EVENTS, WEBHOOK_EVENT_TYPES } from "./event-types.ts";
import { generateSigningSecret, rotated } from "./signing.ts";
import { rotateAccountSecret } from "./signing-secrets.ts";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;

export interface EndpointsOptions {
  /** How long a replaced secret keeps signing after a rotation, ms. */
  rotationOverlapMs: number;
  /** Accept private, loopback and link-local URLs. */
  allowPrivate: boolean;
}

/** Defaults: a 24 h overlap; private destinations refused. */
export const DEFAULT_ENDPOINTS_OPTIONS: EndpointsOptions = Object.freeze({ rotationOverlapMs: 86_400_000, allowPrivate: false });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The public WebhookEndpoint object (never the secret). */
export function endpointJson(e: EndpointRow) {
  return {
    id: e.id,
    object: "webhook_endpoint" as const,
    url: e.url,
    description: e.description,
    enabled_events: e.enabledEvents,
    status: e.status,
    disabled_reason: e.disabledReason,
    previous_secret_expires_at: e.previousSecretExpiresAtMs !== null && e.previousSecretSealed ? iso(e.previousSecretExpiresAtMs) : null,
    created_at: iso(e.createdAtMs)!,
    updated_at: iso(e.updatedAtMs)!,
  };
}

export class WebhookEndpointsService {
  readonly options: EndpointsOptions;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly now: () => number = Date.now,
    overrides: Partial<EndpointsOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_ENDPOINTS_OPTIONS, ...overrides });
  }

  create(accountId: string, input: { url: string; enabled_events: string[]; description?: string | null }): { endpoint: EndpointRow; secret: string } {
    this.checkUrl(input.url);
    const events = this.checkEvents(input.enabled_events);
    const secret = generateSigningSecret();
    const nowMs = this.now();
    const endpoint = this.db
      .insert(webhookEndpoints)
      .values({ id: newId("whe"), accountId, url: input.url, description: input.description ?? null, enabledEvents: events, secretSealed: this.box.seal(secret), createdAtMs: nowMs, updatedAtMs: nowMs })
      .returning()
      .get();
    return { endpoint, secret };
  }

  list(accountId: string, q: PageQuery) {
    // A cursor that is not a live endpoint of the account is a 404 here, as for a single read.
    if (q.starting_after) this.get(accountId, q.starting_after);
    return accountPage(this.db, webhookEndpoints, accountId, q, { noun: "webhook_endpoint", where: [isNull(webhookEndpoints.deletedAtMs)] });
  }

  get(accountId: string, id: string): EndpointRow {
    const row = this.db
      .select()
      .from(webhookEndpoints)
      .where(and(eq(webhookEndpoints.accountId, accountId), eq(webhookEndpoints.id, id), isNull(webhookEndpoints.deletedAtMs)))
      .get();
    if (!row) throw notFound("webhook_endpoint", id);
    return row;
  }

  /** Deletes the endpoint: nothing more is routed to it and its pending deliveries stop. */
  delete(accountId: string, id: string): void {
    this.get(accountId, id);
    const nowMs = this.now();
    this.db.transaction((tx) => {
      tx.update(webhookEndpoints).set({ deletedAtMs: nowMs, updatedAtMs: nowMs }).where(eq(webhookEndpoints.id, id)).run();
      const stopped = tx
        .update(webhookEvents)
        .set({ state: "disabled", lastError: "endpoint deleted", leaseOwner: null, leaseUntilMs: null, updatedAtMs: nowMs })
        .where(and(eq(webhookEvents.endpointId, id), eq(webhookEvents.state, "pending")))
        .returning({ callId: webhookEvents.callId })
        .all();
      for (const callId of new Set(stopped.map((r) => r.callId))) if (callId) refreshCallWebhookStatus(tx, callId);
    });
  }

  /** A new secret, shown once; the previous one keeps signing for `overlapMs` (default option). */
  rotateSecret(accountId: string, id: string, overlapMs = this.options.rotationOverlapMs): { endpoint: EndpointRow; secret: string } {
    return this.db.transaction((tx) => {
      const ep = this.get(accountId, id);
      const secret = generateSigningSecret();
      const nowMs = this.now();
      const endpoint = tx.update(webhookEndpoints).set({ ...rotated(this.box, ep, secret, nowMs, overlapMs), updatedAtMs: nowMs }).where(eq(webhookEndpoints.id, id)).returning().get();
      return { endpoint, secret };
    });
  }

  /** Creates or rotates the account's secret for call and agent `webhook_url`s; shown once. */
  rotateSigningSecret(accountId: string, overlapMs = this.options.rotationOverlapMs): { secret: string; previousExpiresAtMs: number | null } {
    return this.db.transaction((tx) => rotateAccountSecret(tx, this.box, accountId, this.now(), overlapMs));
  }

  private checkUrl(url: string): void {
    const problem = urlProblem(url, this.options.allowPrivate);
    if (problem) throw new ApiError("invalid_webhook_url", 400, `url: ${problem}`, { field: "url" });
  }

  private checkEvents(events: string[]): string[] {
    if (events.length === 0) throw invalidField("enabled_events", "subscribe to at least one event type (or *)");
    for (const e of events) {
      if (e !== ALL_EVENTS && !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(e)) throw invalidField("enabled_events", `unknown event type ${e}`);
    }
    return [...new Set(events)];
  }
}
