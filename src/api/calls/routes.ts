import { Elysia, t } from "elysia";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { listOf, PageQuery } from "../pagination.ts";
import { notFound } from "../../lib/errors.ts";
import { callJson } from "../../services/calls.ts";
import { Call, CallCreate, CallListQuery } from "./model.ts";

export function callsRoutes(deps: ApiDeps) {
  const detail = { tags: ["Calls"] };
  const params = t.Object({ id: t.String() });
  return new Elysia()
    .use(auth(deps.accounts))
    .post("/v1/calls", async ({ accountId, body, headers, set }) => {
      const res = await deps.idempotency.run(accountId, "POST /v1/calls", headers["idempotency-key"], body, async () => {
        const call = await deps.dispatch.dispatch(accountId, {
          agentId: body.agent_id,
          to: body.to,
          fromNumber: body.from_number,
          instructions: body.instructions,
          context: body.context,
          variables: body.variables,
          webhookUrl: body.webhook_url,
          metadata: body.metadata,
          maxDurationSeconds: body.max_duration_seconds,
          campaignId: body.campaign_id,
        });
        return { status: 201, body: callJson(call) };
      });
      set.status = res.status;
      if (res.replayed) set.headers["idempotent-replayed"] = "true";
      return res.body as ReturnType<typeof callJson>;
    }, {
      body: CallCreate,
      parse: "json",
      detail: { ...detail, summary: "Dispatch an outbound call", description: "Answers 201 at once; ringing, the conversation and the end happen asynchronously. Send Idempotency-Key to make retries safe." },
    })
    .get("/v1/calls", ({ accountId, query }) => {
      const p = deps.calls.list(accountId, query);
      return { ...p, data: p.data.map(callJson) };
    }, { query: CallListQuery, response: listOf(Call), detail: { ...detail, summary: "List calls (newest first)" } })
    .get("/v1/calls/:id", ({ accountId, params }) => callJson(deps.calls.get(accountId, params.id)), {
      params,
      response: Call,
      detail: { ...detail, summary: "Get a call" },
    })
    .post("/v1/calls/:id/end", async ({ accountId, params }) => callJson(await deps.calls.end(accountId, params.id, deps.telephonyForCall)), {
      params,
      response: Call,
      detail: { ...detail, summary: "End a call: cancel it while ringing, hang up when live" },
    })
    .get("/v1/phone-numbers/:id/calls", ({ accountId, params, query }) => {
      const pn = deps.db.query.phoneNumbers.findFirst({ where: (n, { and, eq }) => and(eq(n.accountId, accountId), eq(n.id, params.id)) }).sync();
      if (!pn) throw notFound("phone_number", params.id);
      const p = deps.calls.list(accountId, { ...query, phone_number_id: params.id });
      return { ...p, data: p.data.map(callJson) };
    }, { params, query: PageQuery, response: listOf(Call), detail: { ...detail, summary: "List the calls of a phone number" } });
}
