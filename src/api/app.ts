/** The HTTP application: one Elysia instance per feature, composed here. */
import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
import { agentsRoutes } from "./agents/routes.ts";
import { billingRoutes } from "./billing/routes.ts";
import { callArtifactsRoutes } from "./calls/artifacts.ts";
import { callsRoutes } from "./calls/routes.ts";
import { compatRoutes } from "./compat/index.ts";
import { twilioStatusRoutes } from "./twilio/status.ts";
import { twilioVoiceRoutes } from "./twilio/voice.ts";
import { jsonBody } from "./body.ts";
import type { ApiDeps } from "./context.ts";
import { errorHandler } from "./errors.ts";
import { phoneNumbersRoutes } from "./phone-numbers/routes.ts";
import { requestLog } from "./request-log.ts";
import { systemRoutes } from "./system.ts";
import { webhooksRoutes } from "./webhooks/routes.ts";

export function createApp(deps: ApiDeps) {
  // normalize: false makes `additionalProperties: false` reject unknown fields instead of dropping them.
  return new Elysia({ normalize: false })
    .use(errorHandler(deps.log))
    .use(requestLog(deps.log))
    .use(jsonBody(deps.config.MAX_BODY_BYTES))
    .use(
      openapi({
        path: "/docs",
        documentation: {
          info: { title: "Voice gateway API", version: "1", description: "Self-hosted realtime voice gateway for Twilio calls driven by an AI agent." },
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", description: "sk_live_… or sk_test_…" },
              apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
            },
          },
          security: [{ bearer: [] }, { apiKey: [] }],
        },
      }),
    )
    .use(systemRoutes(deps))
    .use(agentsRoutes(deps))
    .use(phoneNumbersRoutes(deps))
    .use(callsRoutes(deps))
    .use(callArtifactsRoutes(deps, deps.store))
    .use(billingRoutes(deps))
    .use(twilioStatusRoutes(deps))
    .use(twilioVoiceRoutes(deps))
    .use(compatRoutes(deps))
    .use(webhooksRoutes(deps));
}

export type App = ReturnType<typeof createApp>;
