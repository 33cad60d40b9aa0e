import { t, type Static } from "elysia";
import { CALL_STATUSES } from "../../db/schema/calls.ts";

const JsonObject = t.Record(t.String(), t.Unknown());
const Nullable = <S extends Parameters<typeof t.Union>[0][number]>(s: S) => t.Union([s, t.Null()]);

/** Body of POST /v1/calls. Presence and format are checked in order by the dispatch service. */
export const CallCreate = t.Object(
  {
    agent_id: t.Optional(t.String({ description: "the outbound agent to run" })),
    to: t.Optional(t.String({ description: "destination, E.164 (+447386172392)" })),
    from_number: t.Optional(Nullable(t.String({ description: "caller id: an outbound-enabled number attached to the agent" }))),
    instructions: t.Optional(Nullable(t.String({ maxLength: 50_000, description: "replaces the agent's default instructions for this call" }))),
    context: t.Optional(Nullable(JsonObject)),
    variables: t.Optional(Nullable(t.Record(t.String(), t.String(), { description: "interpolated as {name} or {{name}}" }))),
    webhook_url: t.Optional(Nullable(t.String({ pattern: "^https?://\\S+$" }))),
    metadata: t.Optional(Nullable(JsonObject)),
    max_duration_seconds: t.Optional(Nullable(t.Integer({ minimum: 10, maximum: 14_400, description: "capped at the agent's" }))),
    campaign_id: t.Optional(Nullable(t.String())),
  },
  { additionalProperties: false },
);
export type CallCreate = Static<typeof CallCreate>;

export const CallStatus = t.UnionEnum(CALL_STATUSES);

export const CallListQuery = t.Object({
  status: t.Optional(t.UnionEnum(CALL_STATUSES, { "x-field": "status" })),
  agent_id: t.Optional(t.String({ "x-field": "agent_id" })),
  to: t.Optional(t.String({ "x-field": "to" })),
  campaign_id: t.Optional(t.String({ "x-field": "campaign_id" })),
  created_after: t.Optional(t.String({ format: "date-time", "x-field": "created_after" })),
  created_before: t.Optional(t.String({ format: "date-time", "x-field": "created_before" })),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20, "x-field": "limit" })),
  starting_after: t.Optional(t.String({ minLength: 1, "x-field": "starting_after" })),
});

const S = t.String();
const NS = Nullable(t.String());
const NI = Nullable(t.Integer());
export const Call = t.Object({
  id: S,
  object: t.Literal("call"),
  agent_id: NS,
  direction: t.Union([t.Literal("outbound"), t.Literal("inbound")]),
  to: S,
  from: S,
  status: CallStatus,
  persona: S,
  instructions: S,
  system_prompt: S,
  initial_greeting: S,
  context: JsonObject,
  variables: t.Record(t.String(), t.String()),
  returns: Nullable(JsonObject),
  voice: S,
  language: S,
  max_duration_seconds: t.Integer(),
  result: t.Unknown(),
  summary: NS,
  extraction_status: Nullable(t.Union([t.Literal("pending"), t.Literal("completed"), t.Literal("failed")])),
  extraction_error: NS,
  answered_by: Nullable(t.Union([t.Literal("human"), t.Literal("machine"), t.Literal("unknown")])),
  hangup_reason: NS,
  webhook_url: NS,
  webhook_status: Nullable(t.Union([t.Literal("pending"), t.Literal("delivered"), t.Literal("failed")])),
  webhook_error: NS,
  created_at: S,
  ringing_at: NS,
  answered_at: NS,
  ended_at: NS,
  duration_seconds: NI,
  billable_seconds: NI,
  cost_milli_cents: NI,
  reservation_status: t.Union([t.Literal("reserved"), t.Literal("settled"), t.Literal("released")]),
  provider_call_sid: NS,
  provider_error_code: NS,
  error_message: NS,
  metadata: JsonObject,
  campaign_id: NS,
  phone_number_id: NS,
  latency: Nullable(t.Record(t.String(), t.Object({ p50: t.Number(), p90: t.Number(), p99: t.Number(), n: t.Integer() }), { description: "per-stage latency percentiles over the call's turns, ms" })),
  has_recording: t.Boolean(),
  updated_at: S,
});
