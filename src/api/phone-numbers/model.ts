import { t, type Static } from "elysia";

const fields = {
  number: t.String({ minLength: 1, maxLength: 32, description: "E.164, e.g. +14155550100" }),
  provider: t.Union([t.Literal("twilio"), t.Literal("sim")], { description: "`sim` needs no Twilio account (simulated carrier)" }),
  twilio_account_sid: t.String({ pattern: "^AC[0-9a-fA-F]{32}$", description: "write-only" }),
  twilio_auth_token: t.String({ minLength: 16, maxLength: 128, description: "write-only; encrypted at rest" }),
  inbound_enabled: t.Boolean(),
  outbound_enabled: t.Boolean(),
  agent_id: t.Union([t.String({ minLength: 1 }), t.Null()]),
  label: t.Union([t.String({ maxLength: 200 }), t.Null()]),
};

export const PhoneNumberCreate = t.Object(
  {
    number: fields.number,
    provider: t.Optional(fields.provider),
    twilio_account_sid: t.Optional(fields.twilio_account_sid),
    twilio_auth_token: t.Optional(fields.twilio_auth_token),
    inbound_enabled: t.Optional(fields.inbound_enabled),
    outbound_enabled: t.Optional(fields.outbound_enabled),
    agent_id: t.Optional(fields.agent_id),
    label: t.Optional(fields.label),
  },
  { additionalProperties: false },
);
export type PhoneNumberCreate = Static<typeof PhoneNumberCreate>;

export const PhoneNumberUpdate = t.Partial(t.Omit(PhoneNumberCreate, ["number"]), { additionalProperties: false });
export type PhoneNumberUpdate = Static<typeof PhoneNumberUpdate>;

export const PhoneNumber = t.Object({
  id: t.String(),
  object: t.Literal("phone_number"),
  number: t.String(),
  provider: fields.provider,
  twilio_account_sid_masked: t.Union([t.String(), t.Null()], { description: "last 4 characters only" }),
  twilio_auth_token_masked: t.Union([t.String(), t.Null()], { description: "last 4 characters only" }),
  has_twilio_credentials: t.Boolean(),
  inbound_enabled: t.Boolean(),
  outbound_enabled: t.Boolean(),
  agent_id: fields.agent_id,
  label: fields.label,
  created_at: t.String({ format: "date-time" }),
  updated_at: t.String({ format: "date-time" }),
});
export type PhoneNumber = Static<typeof PhoneNumber>;
