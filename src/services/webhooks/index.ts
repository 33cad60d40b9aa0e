/**
 * The webhook services, built together: the outbox (the CallEventSink the call lifecycle writes
 * to), the deliverer (woken by the outbox), endpoint management and the post-call extraction
 * step that releases `call.completed`.
 */
import type { Config } from "../../config.ts";
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../lib/logger.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { ExtractionService, type ExtractionOptions, type Extractor } from "../extraction.ts";
import { WebhookDeliverer, type DelivererDeps, type DelivererOptions } from "./deliverer.ts";
import { WebhookEndpointsService, type EndpointsOptions } from "./endpoints.ts";
import { WebhookOutbox } from "./outbox.ts";
import { parseRetryScheduleMs } from "./schedule.ts";

export { WebhookDeliverer } from "./deliverer.ts";
export { WebhookEndpointsService, endpointJson } from "./endpoints.ts";
export { WebhookOutbox } from "./outbox.ts";

export interface Webhooks {
  outbox: WebhookOutbox;
  deliverer: WebhookDeliverer;
  endpoints: WebhookEndpointsService;
  extraction: ExtractionService;
  /** Starts delivering and the periodic post-call sweep. */
  start(): void;
  /** Stops both (synchronous; the database may be closed right after). */
  stop(): void;
}

export interface WebhooksDeps {
  db: Db;
  config: Pick<Config, "WEBHOOK_ALLOW_PRIVATE" | "WEBHOOK_RETRY_SCHEDULE_MS">;
  secrets: SecretBox;
  log: Logger;
  now?: () => number;
  extract: Extractor;
  /** Test seams of the deliverer (clock, randomness, fetch, DNS). */
  delivery?: Omit<DelivererDeps, "db" | "secrets" | "log">;
  delivererOptions?: Partial<DelivererOptions>;
  endpointsOptions?: Partial<EndpointsOptions>;
  extractionOptions?: Partial<ExtractionOptions>;
  /** How often the post-call sweep runs, ms (default 30 s). */
  sweepEveryMs?: number;
}

export function createWebhooks(deps: WebhooksDeps): Webhooks {
  const now = deps.now ?? Date.now;
  const allowPrivate = deps.config.WEBHOOK_ALLOW_PRIVATE;
  const schedule = parseRetryScheduleMs(deps.config.WEBHOOK_RETRY_SCHEDULE_MS);
  const deliverer = new WebhookDeliverer(
    { now, ...deps.delivery, db: deps.db, secrets: deps.secrets, log: deps.log },
    { allowPrivate, ...(schedule ? { retryDelaysMs: schedule } : {}), ...deps.delivererOptions },
  );
  const outbox = new WebhookOutbox(() => deliverer.kick());
  const endpoints = new WebhookEndpointsService(deps.db, deps.secrets, now, { allowPrivate, ...deps.endpointsOptions });
  const extraction = new ExtractionService(
    { db: deps.db, extract: deps.extract, release: (tx, id, t) => outbox.release(tx, id, t), heldCalls: (tx) => outbox.heldCalls(tx), log: deps.log, now },
    deps.extractionOptions,
  );
  let sweep: ReturnType<typeof setInterval> | null = null;
  const runSweep = () => void extraction.resume().catch((e: unknown) => deps.log.error({ err: String(e) }, "post-call sweep failed"));
  return {
    outbox,
    deliverer,
    endpoints,
    extraction,
    start() {
      deliverer.start();
      if (sweep) return;
      runSweep();
      sweep = setInterval(runSweep, deps.sweepEveryMs ?? 30_000);
      sweep.unref();
    },
    stop() {
      if (sweep) clearInterval(sweep);
      sweep = null;
      deliverer.stop();
    },
  };
}
