/**
 * Webhook endpoints (`/v1/webhook_endpoints`), the account's signing secret for call and agent
 * URLs, and per-call delivery history and redelivery. Account-scoped: another account's id is 404.
 */
import { asc, eq, inArray } from "drizzle-orm";
import { Elysia, t } from "elysia";
import { webhookAttempts, webhookEvents } from "../../db/schema/index.ts";
import { WebhookEndpointsService, endpointJson } from "../../services/webhooks/endpoints.ts";
import { WebhookOutbox } from "../../services/webhooks/outbox.ts";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { listOf, PageQuery } from "../pagination.ts";
import { Delivery, Endpoint, EndpointCreate, EndpointWithSecret, RotateBody, SigningSecret } from "./model.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface WebhookRouteServices {
  endpoints: WebhookEndpointsService;
  /** Without the gateway's notifier, redelivered rows are picked up at the deliverer's next poll. */
  outbox: WebhookOutbox;
}

export function webhooksRoutes(
  deps: ApiDeps,
  services: WebhookRouteServices = {
    endpoints: new WebhookEndpointsService(deps.db, deps.secrets, deps.now, { allowPrivate: deps.config.WEBHOOK_ALLOW_PRIVATE }),
    outbox: new WebhookOutbox(),
  },
) {
  const { endpoints, outbox } = services;
  const detail = { tags: ["Webhooks"] };
  const params = t.Object({ id: t.String() });

  /** The call's outbox rows with their attempts. */
  const deliveriesOf = (callId: string) => {
    const rows = deps.db.select().from(webhookEvents).where(eq(webhookEvents.callId, callId)).orderBy(asc(webhookEvents.id)).all();
    const attempts = rows.length
      ? deps.db.select().from(webhookAttempts).where(inArray(webhookAttempts.eventId, rows.map((r) => r.id))).orderBy(asc(webhookAttempts.id)).all()
      : [];
    return rows.map((r) => ({
      id: r.id,
      object: "webhook_event" as const,
      type: r.type,
      call_id: r.callId,
      destination: { kind: r.destinationKind, endpoint_id: r.endpointId, url: r.url },
      state: r.state,
      held: !r.ready,
      attempts: attempts
        .filter((a) => a.eventId === r.id)
        .map((a) => ({
          attempt: a.attempt,
          started_at: iso(a.startedAtMs)!,
          latency_ms: a.latencyMs,
          status_code: a.statusCode,
          error: a.error,
          response_body: a.responseBody,
          state: a.state,
          next_attempt_at: iso(a.nextAttemptAtMs),
        })),
      next_attempt_at: r.state === "pending" && r.ready ? iso(r.nextAttemptAtMs) : null,
      delivered_at: iso(r.deliveredAtMs),
      created_at: iso(r.createdAtMs)!,
    }));
  };

  return new Elysia()
    .use(auth(deps.accounts))
    .post("/v1/webhook_endpoints", ({ accountId, body, set }) => {
      const { endpoint, secret } = endpoints.create(accountId, body);
      set.status = 201;
      return { ...endpointJson(endpoint), secret };
    }, { body: EndpointCreate, parse: "json", response: { 201: EndpointWithSecret }, detail: { ...detail, summary: "Register a webhook endpoint (the secret is shown once)" } })
    .get("/v1/webhook_endpoints", ({ accountId, query }) => {
      const p = endpoints.list(accountId, query);
      return { ...p, data: p.data.map(endpointJson) };
    }, { query: PageQuery, response: listOf(Endpoint), detail: { ...detail, summary: "List webhook endpoints" } })
    .get("/v1/webhook_endpoints/:id", ({ accountId, params }) => endpointJson(endpoints.get(accountId, params.id)), {
      params,
      response: Endpoint,
      detail: { ...detail, summary: "Get a webhook endpoint" },
    })
    .delete("/v1/webhook_endpoints/:id", ({ accountId, params }) => {
      endpoints.delete(accountId, params.id);
      return { id: params.id, object: "webhook_endpoint" as const, deleted: true as const };
    }, { params, detail: { ...detail, summary: "Delete a webhook endpoint" } })
    .post("/v1/webhook_endpoints/:id/rotate_secret", ({ accountId, params, body }) => {
      const overlapMs = body?.overlap_seconds === undefined ? undefined : body.overlap_seconds * 1000;
      const { endpoint, secret } = endpoints.rotateSecret(accountId, params.id, overlapMs);
      return { ...endpointJson(endpoint), secret };
    }, { params, body: t.Optional(RotateBody), response: EndpointWithSecret, detail: { ...detail, summary: "Rotate the signing secret (the old one keeps signing for the overlap)" } })
    .post("/v1/webhook_signing_secret", ({ accountId, body }) => {
      const overlapMs = body?.overlap_seconds === undefined ? undefined : body.overlap_seconds * 1000;
      const r = endpoints.rotateSigningSecret(accountId, overlapMs);
      return { object: "webhook_signing_secret" as const, secret: r.secret, previous_secret_expires_at: iso(r.previousExpiresAtMs) };
    }, {
      body: t.Optional(RotateBody),
      response: SigningSecret,
      detail: { ...detail, summary: "Create or rotate the secret that signs deliveries to call and agent webhook_url (shown once)" },
    })
    .get("/v1/calls/:id/webhooks", ({ accountId, params }) => {
      deps.calls.get(accountId, params.id);
      return { object: "list" as const, data: deliveriesOf(params.id), has_more: false };
    }, { params, response: listOf(Delivery), detail: { ...detail, summary: "The call's webhook deliveries and every attempt" } })
    .post("/v1/calls/:id/webhooks/redeliver", ({ accountId, params }) => {
      deps.calls.get(accountId, params.id);
      const queued = deps.db.transaction((tx) => outbox.redeliver(tx, params.id, deps.now()));
      const data = deliveriesOf(params.id).filter((d) => queued.includes(d.id));
      return { object: "list" as const, data, has_more: false };
    }, { params, response: listOf(Delivery), detail: { ...detail, summary: "Send the call's events again (same webhook-id per event)" } });
}
