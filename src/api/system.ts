/** Liveness and readiness. */
import { Elysia, t } from "elysia";
import { dbReachable } from "../db/client.ts";
import type { ApiDeps } from "./context.ts";

export function systemRoutes(deps: ApiDeps) {
  return new Elysia()
    .get("/healthz", () => ({ status: "ok" as const }), {
      response: t.Object({ status: t.Literal("ok") }),
      detail: { tags: ["System"], summary: "Alive" },
    })
    .get("/readyz", ({ set }) => {
      if (dbReachable(deps.db)) return { status: "ready" as const, database: "ok" as const };
      set.status = 503;
      return { status: "unavailable" as const, database: "unreachable" as const };
    }, { detail: { tags: ["System"], summary: "Ready: the database answers" } })
    .get("/metrics", async ({ set }) => {
      set.headers["content-type"] = deps.metrics.registry.contentType;
      return deps.metrics.registry.metrics();
    }, { detail: { tags: ["System"], summary: "Prometheus metrics: turn latency by stage, live calls, process" } });
}
