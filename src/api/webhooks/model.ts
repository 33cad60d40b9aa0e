/** TypeBox models of the webhooks feature: the one source of type and validation. */
import { t } from "elysia";
import { WEBHOOK_EVENT_TYPES } from "../../services/webhooks/event-types.ts";

const EventType = t.Union([...WEBHOOK_EVENT_TYPES.map((e) => t.Literal(e)), t.Literal("*")], { description: "an event type, or * for all" });
const NS = t.Union([t.String(), t.Null()]);

export const EndpointCreate = t.Object(
  {
    url: t.String({ pattern: "^https?://\\S+$", maxLength: 2048, description: "where events are POSTed" }),
    enabled_events: t.Array(EventType, { minItems: 1, maxItems: 16 }),
    description: t.Optional(t.Union([t.String({ maxLength: 500 }), t.Null()])),
  },
  { additionalProperties: false },
);

export const RotateBody = t.Object(
  {
    overlap_seconds: t.Optional(t.Integer({ minimum: 0, maximum: 7 * 86_400, description: "how long the old secret keeps signing (default 24 h)" })),
  },
  { additionalProperties: false },
);

export const Endpoint = t.Object({
  id: t.String(),
  object: t.Literal("webhook_endpoint"),
  url: t.String(),
  description: NS,
  enabled_events: t.Array(t.String()),
  status: t.Union([t.Literal("enabled"), t.Literal("disabled")]),
  disabled_reason: NS,
  previous_secret_expires_at: NS,
  created_at: t.String(),
  updated_at: t.String(),
});

/** Returned once, by create and rotate: the only time the secret is shown. */
export const EndpointWithSecret = t.Composite([Endpoint, t.Object({ secret: t.String({ description: "whsec_…; shown once" }) })]);

export const SigningSecret = t.Object({
  object: t.Literal("webhook_signing_secret"),
  secret: t.String({ description: "signs deliveries to call and agent webhook_url; shown once" }),
  previous_secret_expires_at: NS,
});

export const Attempt = t.Object({
  attempt: t.Integer(),
  started_at: t.String(),
  latency_ms: t.Integer(),
  status_code: t.Union([t.Integer(), t.Null()]),
  error: NS,
  response_body: NS,
  state: t.String(),
  next_attempt_at: NS,
});

export const Delivery = t.Object({
  id: t.String({ description: "the webhook-id header" }),
  object: t.Literal("webhook_event"),
  type: t.String(),
  call_id: NS,
  destination: t.Object({ kind: t.Union([t.Literal("call"), t.Literal("endpoint")]), endpoint_id: NS, url: t.String() }),
  state: t.String(),
  held: t.Boolean({ description: "waiting for the call's post-call extraction" }),
  attempts: t.Array(Attempt),
  next_attempt_at: NS,
  delivered_at: NS,
  created_at: t.String(),
});
