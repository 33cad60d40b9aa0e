/**
 * Nixflex: `POST /v1/calls/outbound` with `agent_id`, `to_number`, `prompt` (the per-call task,
 * required and non-blank), `dynamic_vars` (`{var}`), `from_number`, `campaign_id`. Checks in
 * Nixflex's order: missing_field, invalid_phone_format, the agent, from_number_not_found,
 * agent_missing_phone_number, agent_missing_twilio_credentials (400), outbound_failed (502).
 * Answers 201 `{call_id, status}`; errors as `{"error": code, "message", "details"}`.
 */
import { Elysia } from "elysia";
import { ApiError } from "../../lib/errors.ts";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { asObject, isBlank, str, stringMap } from "./shared.ts";

const fail = (e: ApiError) => ({ status: e.status, body: { error: e.code, message: e.message, details: e.details } });

export function nixflexRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/compat/nixflex" })
    .use(auth(deps.accounts))
    .post("/v1/calls/outbound", async ({ accountId, body, headers, set }) => {
      try {
        const res = await deps.idempotency.run(accountId, "nixflex POST /v1/calls/outbound", headers["idempotency-key"], body, async () => {
          const b = asObject(body) ?? {};
          for (const field of ["agent_id", "to_number", "prompt"]) {
            if (isBlank(b[field])) throw new ApiError("missing_field", 400, `${field} is required`, { field });
          }
          const call = await deps.dispatch.dispatch(accountId, {
            agentId: str(b, "agent_id"),
            to: str(b, "to_number"),
            instructions: str(b, "prompt"),
            variables: stringMap(b, "dynamic_vars", true),
            fromNumber: str(b, "from_number"),
            campaignId: str(b, "campaign_id"),
            dialect: "nixflex",
            names: { agentId: "agent_id", to: "to_number", fromNumber: "from_number" },
          });
          return { status: 201, body: { call_id: call.id, status: call.status } };
        });
        set.status = res.status;
        return res.body;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        const out = fail(e);
        set.status = out.status;
        return out.body;
      }
    }, { detail: { tags: ["Compat: Nixflex"], summary: "Create outbound call (Nixflex dialect)" } });
}
