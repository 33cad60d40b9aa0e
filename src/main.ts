/** Composition root: configuration, database, services, server. Nothing else. */
import { ConfigError, loadConfig, type Config } from "./config.ts";
import { buildGateway } from "./gateway.ts";
import { serve } from "./server.ts";
import { startSimCarrier } from "./sim/carrier.ts";

let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

// Numbers with provider `sim` dial a simulated carrier that plays recorded callers (no keys).
const sim = config.SIM_CARRIER ? startSimCarrier() : undefined;
const gateway = buildGateway(config, { sim });
const first = gateway.accounts.bootstrap(config.GATEWAY_BOOTSTRAP_KEY);
if (first?.generatedKey) {
  // Printed once, on a line of its own, so an operator can copy it; it is never logged.
  process.stdout.write(`API key for the default account (shown once): ${first.generatedKey}\n`);
} else if (first) {
  gateway.log.info({ account_id: first.accountId }, "default account created with GATEWAY_BOOTSTRAP_KEY");
}

// Calls left in flight by a previous process are settled with the carrier's view of them.
void gateway.calls
  .reconcile(gateway.telephonyForCall)
  .then((r) => r.checked > 0 && gateway.log.info(r, "reconciled calls left in flight"))
  .catch((e: unknown) => gateway.log.error({ err: String(e) }, "reconciliation failed"));

// Status callbacks can be lost (our outage, theirs): calls quiet for long are asked about again.
const SWEEP_EVERY_MS = 60_000;
const sweep = setInterval(() => {
  void gateway.calls
    .reconcile(gateway.telephonyForCall, { quietForMs: 5 * 60_000, isLive: (id) => gateway.registry.has(id) })
    .catch((e: unknown) => gateway.log.error({ err: String(e) }, "reconciliation sweep failed"));
}, SWEEP_EVERY_MS);
sweep.unref();

// Webhooks: deliveries left in flight by a previous process resume; held call.completed events
// whose extraction never ran are processed by the post-call sweep.
gateway.webhooks.start();

const server = serve(gateway, { port: config.PORT, hostname: config.HOST });
gateway.log.info({ port: server.port, public_url: config.PUBLIC_URL, database: config.DATABASE_PATH }, "gateway listening");

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  gateway.log.info({ signal }, "shutting down");
  void Promise.allSettled([server.stop(), sim?.stop()]).finally(() => {
    gateway.close();
    process.exit(0);
  });
};
process.on("SIGINT", () => shutdown("SIGINT"));
process.on("SIGTERM", () => shutdown("SIGTERM"));
