import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts.ts";
import { calls } from "./calls.ts";

/** Lifecycle of one outbox message towards one destination. */
export const WEBHOOK_STATES = ["pending", "delivered", "failed", "disabled"] as const;
export type WebhookState = (typeof WEBHOOK_STATES)[number];

/**
 * Account-wide webhook endpoints. Secrets are `whsec_…` strings sealed with the SecretBox; during a
 * rotation the previous secret keeps signing until `previousSecretExpiresAtMs`.
 */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    description: text("description"),
    /** Subscribed event types; `["*"]` = all. */
    enabledEvents: text("enabled_events", { mode: "json" }).$type<string[]>().notNull(),
    secretSealed: text("secret_sealed").notNull(),
    previousSecretSealed: text("previous_secret_sealed"),
    previousSecretExpiresAtMs: integer("previous_secret_expires_at_ms"),
    /** `disabled` after the receiver answered 410 Gone. */
    status: text("status", { enum: ["enabled", "disabled"] }).notNull().default("enabled"),
    disabledReason: text("disabled_reason"),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
    /** Soft delete, so the delivery history of past events stays readable. */
    deletedAtMs: integer("deleted_at_ms"),
  },
  (t) => [index("webhook_endpoints_account_idx").on(t.accountId, t.id)],
);

/**
 * The account's signing secret for per-call and agent `webhook_url` destinations (which have no
 * endpoint row of their own). Same rotation rule as endpoints.
 */
export const webhookSigningSecrets = sqliteTable("webhook_signing_secrets", {
  accountId: text("account_id").primaryKey().references(() => accounts.id, { onDelete: "cascade" }),
  secretSealed: text("secret_sealed").notNull(),
  previousSecretSealed: text("previous_secret_sealed"),
  previousSecretExpiresAtMs: integer("previous_secret_expires_at_ms"),
  createdAtMs: integer("created_at_ms").notNull(),
  updatedAtMs: integer("updated_at_ms").notNull(),
});

/**
 * The outbox: one row per event per destination, written in the transaction of the state change
 * that caused it. `id` is the `webhook-id` header, the same on every attempt and redelivery.
 * `payload` is the exact body sent; it is null while the row is held (`ready = false`) waiting
 * for the call's post-call step (extraction), which builds it and releases the row.
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    callId: text("call_id").references(() => calls.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    payload: text("payload"),
    ready: integer("ready", { mode: "boolean" }).notNull(),
    destinationKind: text("destination_kind", { enum: ["call", "endpoint"] }).notNull(),
    endpointId: text("endpoint_id").references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    url: text("url").notNull(),
    state: text("state", { enum: WEBHOOK_STATES }).notNull(),
    /** Attempts ever made (numbering of webhook_attempts). */
    attempts: integer("attempts").notNull().default(0),
    /** Attempts since the last (re)delivery request: the index into the retry schedule. */
    roundAttempts: integer("round_attempts").notNull().default(0),
    nextAttemptAtMs: integer("next_attempt_at_ms").notNull(),
    /** Deliverer instance that claimed the row, and until when the claim holds. */
    leaseOwner: text("lease_owner"),
    leaseUntilMs: integer("lease_until_ms"),
    lastError: text("last_error"),
    lastStatusCode: integer("last_status_code"),
    deliveredAtMs: integer("delivered_at_ms"),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [
    index("webhook_events_due_idx").on(t.state, t.ready, t.nextAttemptAtMs),
    index("webhook_events_call_idx").on(t.callId, t.id),
    index("webhook_events_endpoint_idx").on(t.endpointId, t.state),
  ],
);

/** Every delivery attempt, as it happened. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    eventId: text("event_id").notNull().references(() => webhookEvents.id, { onDelete: "cascade" }),
    attempt: integer("attempt").notNull(),
    startedAtMs: integer("started_at_ms").notNull(),
    latencyMs: integer("latency_ms").notNull(),
    /** HTTP status, null when no response arrived (timeout, refused destination, network). */
    statusCode: integer("status_code"),
    error: text("error"),
    /** The first bytes of the response body (bounded). */
    responseBody: text("response_body"),
    /** The event's state after this attempt. */
    state: text("state", { enum: WEBHOOK_STATES }).notNull(),
    /** When the next attempt is due (null when none follows). */
    nextAttemptAtMs: integer("next_attempt_at_ms"),
  },
  (t) => [index("webhook_attempts_event_idx").on(t.eventId, t.attempt)],
);

/**
 * Calls whose post-call step (extraction, or nothing to extract) has finished. An end-of-call
 * event of a connected call is held until its call appears here.
 */
export const webhookReleases = sqliteTable("webhook_releases", {
  callId: text("call_id").primaryKey().references(() => calls.id, { onDelete: "cascade" }),
  releasedAtMs: integer("released_at_ms").notNull(),
});
