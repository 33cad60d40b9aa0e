/** A request id on every request (echoed as `x-request-id`) and one structured log line each. */
import { Elysia } from "elysia";
import type { Logger } from "../lib/logger.ts";

const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

export function requestLog(log: Logger, now: () => number = performance.now.bind(performance)) {
  return new Elysia({ name: "request-log" })
    .derive({ as: "global" }, ({ request, set }) => {
      const given = request.headers.get("x-request-id");
      const requestId = given && SAFE_ID.test(given) ? given : crypto.randomUUID();
      set.headers["x-request-id"] = requestId;
      return { requestId, startedAt: now() };
    })
    .onAfterResponse({ as: "global" }, (ctx) => {
      const { request, set } = ctx;
      const c = ctx as typeof ctx & { requestId?: string; startedAt?: number; accountId?: string };
      log.info(
        {
          request_id: c.requestId,
          method: request.method,
          path: new URL(request.url).pathname,
          status: set.status,
          duration_ms: c.startedAt === undefined ? undefined : Math.round((now() - c.startedAt) * 10) / 10,
          account_id: c.accountId,
        },
        "request",
      );
    });
}
