/**
 * A child process that runs only the webhook deliverer against the file database named by the
 * environment (DATABASE_PATH, SECRETS_KEY, WEBHOOK_*), the way the gateway runs it. Prints one
 * JSON line per attempt outcome on stdout; the restart test kills it with SIGKILL.
 */
import pino from "pino";
import { loadConfig } from "../../src/config.ts";
import { openDb } from "../../src/db/client.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { createSecretBox } from "../../src/lib/secret-box.ts";
import { createWebhooks } from "../../src/services/webhooks/index.ts";

const config = loadConfig();
const db = openDb({ path: config.DATABASE_PATH });
const webhooks = createWebhooks({
  db,
  config,
  secrets: createSecretBox(Buffer.from(config.SECRETS_KEY, "base64")),
  // synchronous writes: the parent reads each outcome as it happens
  log: createLogger("info", pino.destination({ dest: 1, sync: true })),
  extract: () => Promise.reject(new Error("no extractor in this process")),
  delivererOptions: { pollIntervalMs: 20, batchSize: 8 },
});
webhooks.start();
process.stdout.write(`${JSON.stringify({ msg: "deliverer ready" })}\n`);
process.on("SIGTERM", () => {
  webhooks.stop();
  db.$client.close();
  process.exit(0);
});
