/**
 * Agntix: `POST /api/v1/phone-numbers/{phone_number_id}/calls/start` with `to_phone_number`,
 * `agent_id`, `ttl` (seconds, default 100; the call is force-ended when it elapses) and
 * `session_variables` (available as `{{key}}` and echoed verbatim in this call's webhooks).
 * Answers `{"sessionId"}`; authenticates with `x-api-key` (Bearer works too).
 */
import { Elysia, t } from "elysia";
import { ApiError } from "../../lib/errors.ts";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { asObject, isBlank, str, stringMap } from "./shared.ts";

export const AGNTIX_DEFAULT_TTL_SECONDS = 100;

export function agntixRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/compat/agntix" })
    .use(auth(deps.accounts))
    .post("/api/v1/phone-numbers/:phone_number_id/calls/start", async ({ accountId, body, params, headers, set }) => {
      try {
        const res = await deps.idempotency.run(accountId, `agntix start ${params.phone_number_id}`, headers["idempotency-key"], body, async () => {
          const b = asObject(body) ?? {};
          for (const field of ["to_phone_number", "agent_id"]) {
            if (isBlank(b[field])) throw new ApiError("missing_field", 400, `${field} is required`, { field });
          }
          const ttl = b.ttl ?? AGNTIX_DEFAULT_TTL_SECONDS;
          if (typeof ttl !== "number" || !Number.isInteger(ttl) || ttl < 10 || ttl > 14_400) {
            throw new ApiError("invalid_field", 400, "ttl must be an integer number of seconds between 10 and 14400", { field: "ttl" });
          }
          const sessionVariables = b.session_variables;
          const call = await deps.dispatch.dispatch(accountId, {
            agentId: str(b, "agent_id"),
            to: str(b, "to_phone_number"),
            accountNumberId: params.phone_number_id,
            maxDurationSeconds: ttl,
            variables: stringMap(b, "session_variables", true),
            metadata: sessionVariables === undefined ? {} : { session_variables: sessionVariables },
            dialect: "agntix",
            names: { agentId: "agent_id", to: "to_phone_number", fromNumber: "phone_number_id" },
          });
          return { status: 201, body: { sessionId: call.id } };
        });
        set.status = res.status;
        return res.body;
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        set.status = e.status;
        return { statusCode: e.status, error: e.code, message: e.message };
      }
    }, {
      params: t.Object({ phone_number_id: t.String() }),
      detail: { tags: ["Compat: Agntix"], summary: "Start a call (Agntix dialect)" },
    });
}
