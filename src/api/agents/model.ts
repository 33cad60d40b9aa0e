/** TypeBox models of the agents feature: the one source of type and validation. */
import { t, type Static } from "elysia";

const JsonObject = t.Record(t.String(), t.Unknown());

export const AgentTool = t.Object(
  {
    name: t.String({ pattern: "^[a-zA-Z0-9_-]{1,64}$", description: "function name the model calls" }),
    description: t.String({ maxLength: 1024 }),
    parameters: JsonObject,
    url: t.String({ format: "uri", pattern: "^https?://", description: "the gateway POSTs the arguments here" }),
  },
  { additionalProperties: false },
);

const fields = {
  name: t.String({ minLength: 1, maxLength: 200 }),
  type: t.Union([t.Literal("outbound"), t.Literal("inbound")]),
  persona: t.String({ maxLength: 20_000 }),
  instructions: t.String({ maxLength: 50_000, description: "default instructions; a call's `instructions` replaces them" }),
  initial_greeting: t.String({ maxLength: 2_000 }),
  voice: t.String({ maxLength: 200, description: "text-to-speech voice id" }),
  language: t.String({ minLength: 2, maxLength: 35, description: "BCP-47 tag, e.g. en or en-US" }),
  llm_model: t.String({ minLength: 1, maxLength: 200 }),
  llm_temperature: t.Number({ minimum: 0, maximum: 2 }),
  returns: t.Union([JsonObject, t.Null()], { description: "JSON Schema of what post-call extraction returns" }),
  tools: t.Array(AgentTool, { maxItems: 64 }),
  voicemail_action: t.Union([t.Literal("hangup"), t.Literal("leave_message")]),
  voicemail_message: t.String({ maxLength: 2_000 }),
  webhook_url: t.Union([t.String({ pattern: "^https?://\\S+$" }), t.Null()]),
  max_duration_seconds: t.Integer({ minimum: 10, maximum: 14_400 }),
  greeting_mode: t.UnionEnum(["after_verdict", "immediate"], { description: "outbound: greet after the answering-machine verdict, or at once and yield to a machine" }),
  record_calls: t.Boolean({ description: "record calls as a replayable fixture and a two-channel WAV" }),
  primary_number_id: t.Union([t.String({ minLength: 1 }), t.Null()]),
  legacy_phone_number: t.Union([t.String({ maxLength: 32, description: "a single number of the agent's own, used only when it has no phone-number rows" }), t.Null()]),
  legacy_twilio_account_sid: t.String({ pattern: "^AC[0-9a-fA-F]{32}$", description: "write-only" }),
  legacy_twilio_auth_token: t.String({ minLength: 16, maxLength: 128, description: "write-only; encrypted at rest" }),
};

export const AgentCreate = t.Object(
  {
    name: fields.name,
    type: fields.type,
    persona: t.Optional(fields.persona),
    instructions: t.Optional(fields.instructions),
    initial_greeting: t.Optional(fields.initial_greeting),
    voice: t.Optional(fields.voice),
    language: t.Optional(fields.language),
    llm_model: t.Optional(fields.llm_model),
    llm_temperature: t.Optional(fields.llm_temperature),
    returns: t.Optional(fields.returns),
    tools: t.Optional(fields.tools),
    voicemail_action: t.Optional(fields.voicemail_action),
    voicemail_message: t.Optional(fields.voicemail_message),
    webhook_url: t.Optional(fields.webhook_url),
    max_duration_seconds: t.Optional(fields.max_duration_seconds),
    greeting_mode: t.Optional(fields.greeting_mode),
    record_calls: t.Optional(fields.record_calls),
    primary_number_id: t.Optional(fields.primary_number_id),
    legacy_phone_number: t.Optional(fields.legacy_phone_number),
    legacy_twilio_account_sid: t.Optional(fields.legacy_twilio_account_sid),
    legacy_twilio_auth_token: t.Optional(fields.legacy_twilio_auth_token),
  },
  { additionalProperties: false },
);
export type AgentCreate = Static<typeof AgentCreate>;

export const AgentUpdate = t.Partial(AgentCreate, { additionalProperties: false });
export type AgentUpdate = Static<typeof AgentUpdate>;

export const Agent = t.Object({
  id: t.String(),
  object: t.Literal("agent"),
  name: fields.name,
  type: fields.type,
  persona: fields.persona,
  instructions: fields.instructions,
  initial_greeting: fields.initial_greeting,
  voice: fields.voice,
  language: fields.language,
  llm_model: fields.llm_model,
  llm_temperature: fields.llm_temperature,
  returns: fields.returns,
  tools: fields.tools,
  voicemail_action: fields.voicemail_action,
  voicemail_message: fields.voicemail_message,
  webhook_url: fields.webhook_url,
  max_duration_seconds: fields.max_duration_seconds,
  greeting_mode: fields.greeting_mode,
  record_calls: fields.record_calls,
  primary_number_id: fields.primary_number_id,
  legacy_phone_number: fields.legacy_phone_number,
  legacy_has_twilio_credentials: t.Boolean(),
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
});
export type Agent = Static<typeof Agent>;
