/**
 * Builds the gateway from a configuration: database, secrets, services and the HTTP app. Used by
 * main.ts and by tests, so both run the same wiring.
 */
import { join } from "node:path";
import { createApp } from "./api/app.ts";
import type { ApiDeps } from "./api/context.ts";
import type { Config } from "./config.ts";
import { openDb } from "./db/client.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { createSecretBox, resolveSecretsKey } from "./lib/secret-box.ts";
import { AccountsService } from "./services/accounts.ts";

export interface Gateway extends ApiDeps {
  app: ReturnType<typeof createApp>;
  close(): void;
}

export function buildGateway(config: Config, opts: { log?: Logger; now?: () => number } = {}): Gateway {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const now = opts.now ?? Date.now;
  const db = openDb({ path: config.DATABASE_PATH });
  const secrets = createSecretBox(resolveSecretsKey(config.SECRETS_KEY, join(config.DATA_DIR, "secrets.key")));
  const accounts = new AccountsService(db, now);
  const deps: ApiDeps = { config, db, log, secrets, accounts, now };
  const app = createApp(deps);
  return { ...deps, app, close: () => db.$client.close() };
}
