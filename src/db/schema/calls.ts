import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts.ts";
import type { AgentTool } from "./agents.ts";

export const CALL_STATUSES = ["queued", "initiated", "ringing", "in_progress", "completed", "no_answer", "busy", "canceled", "failed"] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

/** A call and the snapshot of everything it runs with (later agent edits never change it). */
export const calls = sqliteTable(
  "calls",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    agentId: text("agent_id"),
    direction: text("direction", { enum: ["outbound", "inbound"] }).notNull(),
    toNumber: text("to_number").notNull(),
    fromNumber: text("from_number").notNull(),
    phoneNumberId: text("phone_number_id"),
    status: text("status", { enum: CALL_STATUSES }).notNull(),
    // snapshots
    persona: text("persona").notNull(),
    instructions: text("instructions").notNull(),
    systemPrompt: text("system_prompt").notNull(),
    initialGreeting: text("initial_greeting").notNull(),
    context: text("context", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    variables: text("variables", { mode: "json" }).$type<Record<string, string>>().notNull(),
    returns: text("returns", { mode: "json" }).$type<Record<string, unknown> | null>(),
    tools: text("tools", { mode: "json" }).$type<AgentTool[]>().notNull(),
    voice: text("voice").notNull(),
    language: text("language").notNull(),
    llmModel: text("llm_model").notNull(),
    llmTemperature: real("llm_temperature").notNull(),
    voicemailAction: text("voicemail_action", { enum: ["hangup", "leave_message"] }).notNull(),
    voicemailMessage: text("voicemail_message").notNull(),
    maxDurationSeconds: integer("max_duration_seconds").notNull(),
    greetingMode: text("greeting_mode", { enum: ["after_verdict", "immediate"] }).notNull().default("after_verdict"),
    recordCall: integer("record_call", { mode: "boolean" }).notNull().default(false),
    // outcome
    result: text("result", { mode: "json" }).$type<unknown>(),
    summary: text("summary"),
    extractionStatus: text("extraction_status", { enum: ["pending", "completed", "failed"] }),
    extractionError: text("extraction_error"),
    answeredBy: text("answered_by", { enum: ["human", "machine", "unknown"] }),
    hangupReason: text("hangup_reason"),
    webhookUrl: text("webhook_url"),
    webhookStatus: text("webhook_status", { enum: ["pending", "delivered", "failed"] }),
    webhookError: text("webhook_error"),
    createdAtMs: integer("created_at_ms").notNull(),
    ringingAtMs: integer("ringing_at_ms"),
    answeredAtMs: integer("answered_at_ms"),
    endedAtMs: integer("ended_at_ms"),
    durationSeconds: integer("duration_seconds"),
    billableSeconds: integer("billable_seconds"),
    costMilliCents: integer("cost_milli_cents"),
    pricePerMinuteMilliCents: integer("price_per_minute_milli_cents").notNull(),
    reservedMilliCents: integer("reserved_milli_cents").notNull(),
    reservationStatus: text("reservation_status", { enum: ["reserved", "settled", "released"] }).notNull(),
    providerCallSid: text("provider_call_sid"),
    providerErrorCode: text("provider_error_code"),
    errorMessage: text("error_message"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    campaignId: text("campaign_id"),
    /** SHA-256 of the per-call media-stream token (the token itself travels only in TwiML). */
    streamTokenHash: text("stream_token_hash").notNull(),
    /** Set when the media stream started; a token opens one stream, once. */
    streamStartedAtMs: integer("stream_started_at_ms"),
    /** Highest Twilio status-callback SequenceNumber applied. */
    lastStatusSequence: integer("last_status_sequence").notNull().default(-1),
    /** Latency percentiles of the call's turns (ms), computed when it ends. */
    latency: text("latency", { mode: "json" }).$type<Record<string, { p50: number; p90: number; p99: number; n: number }> | null>(),
    /** Path of the two-channel WAV under the data directory, when recorded. */
    recordingPath: text("recording_path"),
    /** Path of the replayable fixture (.ndjson) of the call, when recorded. */
    fixturePath: text("fixture_path"),
    /** Which API dialect created the call: null (canonical), nixflex, agentphone, agntix. */
    dialect: text("dialect"),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [
    index("calls_account_idx").on(t.accountId, t.id),
    index("calls_status_idx").on(t.status),
    index("calls_sid_idx").on(t.providerCallSid),
    index("calls_phone_idx").on(t.phoneNumberId),
  ],
);

/** Idempotency-Key records: the first response to a key is replayed for 24 h. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    route: text("route").notNull(),
    requestHash: text("request_hash").notNull(),
    state: text("state", { enum: ["in_flight", "done"] }).notNull(),
    responseStatus: integer("response_status"),
    responseBody: text("response_body"),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.route, t.key] })],
);
