/**
 * AgentPhone: `POST /v1/calls` with camelCase `agentId`, `toNumber`, `fromNumberId`,
 * `initialGreeting`, `voice`, `systemPrompt`, `variables` (`{{var}}`). Validation errors are 422
 * in the `{"detail":[{"loc","msg","type"}]}` shape; other errors `{"detail": message}`.
 */
import { Elysia } from "elysia";
import { ApiError } from "../../lib/errors.ts";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import type { CallRow } from "../../services/calls.ts";
import { asObject, isBlank } from "./shared.ts";

interface Issue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

class Unprocessable extends Error {
  constructor(readonly issues: Issue[]) {
    super("validation failed");
  }
}

function read(body: unknown) {
  const b = asObject(body);
  if (!b) throw new Unprocessable([{ loc: ["body"], msg: "Input should be a valid dictionary", type: "dict_type" }]);
  const issues: Issue[] = [];
  const out: Record<string, string | Record<string, string> | undefined> = {};
  for (const field of ["agentId", "toNumber"]) {
    if (isBlank(b[field])) issues.push({ loc: ["body", field], msg: "Field required", type: "missing" });
  }
  for (const field of ["agentId", "toNumber", "fromNumberId", "initialGreeting", "voice", "systemPrompt"]) {
    const v = b[field];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string") issues.push({ loc: ["body", field], msg: "Input should be a valid string", type: "string_type" });
    else out[field] = v;
  }
  const vars = b.variables;
  if (vars !== undefined && vars !== null) {
    if (typeof vars !== "object" || Array.isArray(vars)) issues.push({ loc: ["body", "variables"], msg: "Input should be a valid dictionary", type: "dict_type" });
    else {
      for (const [k, v] of Object.entries(vars)) {
        if (typeof v !== "string") issues.push({ loc: ["body", "variables", k], msg: "Input should be a valid string", type: "string_type" });
      }
      out.variables = vars as Record<string, string>;
    }
  }
  if (issues.length) throw new Unprocessable(issues);
  return out as { agentId: string; toNumber: string; fromNumberId?: string; initialGreeting?: string; voice?: string; systemPrompt?: string; variables?: Record<string, string> };
}

function callView(c: CallRow) {
  return {
    id: c.id,
    agentId: c.agentId,
    phoneNumberId: c.phoneNumberId,
    fromNumber: c.fromNumber,
    toNumber: c.toNumber,
    direction: c.direction,
    status: c.status,
    startedAt: new Date(c.createdAtMs).toISOString(),
    endedAt: c.endedAtMs === null ? null : new Date(c.endedAtMs).toISOString(),
  };
}

export function agentphoneRoutes(deps: ApiDeps) {
  return new Elysia({ prefix: "/compat/agentphone" })
    .use(auth(deps.accounts))
    .post("/v1/calls", async ({ accountId, body, headers, set }) => {
      try {
        const res = await deps.idempotency.run(accountId, "agentphone POST /v1/calls", headers["idempotency-key"], body, async () => {
          const b = read(body);
          const call = await deps.dispatch.dispatch(accountId, {
            agentId: b.agentId,
            to: b.toNumber,
            fromNumberId: b.fromNumberId,
            initialGreeting: b.initialGreeting,
            voice: b.voice,
            instructions: b.systemPrompt,
            variables: b.variables,
            dialect: "agentphone",
            names: { agentId: "agentId", to: "toNumber", fromNumber: "fromNumberId" },
          });
          return { status: 201, body: callView(call) };
        });
        set.status = res.status;
        return res.body;
      } catch (e) {
        if (e instanceof Unprocessable) {
          set.status = 422;
          return { detail: e.issues };
        }
        if (!(e instanceof ApiError)) throw e;
        if (e.code === "invalid_phone_format" || e.code === "missing_field" || e.code === "invalid_field") {
          set.status = 422;
          const field = String(e.details.field ?? "body");
          return { detail: [{ loc: ["body", field], msg: e.message, type: e.code === "missing_field" ? "missing" : "value_error" }] };
        }
        set.status = e.status;
        return { detail: e.message, code: e.code };
      }
    }, { detail: { tags: ["Compat: AgentPhone"], summary: "Create outbound call (AgentPhone dialect)" } });
}
