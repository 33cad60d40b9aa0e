/**
 * Builds the gateway from a configuration: database, secrets, services and the HTTP app. Used by
 * main.ts and by tests, so both run the same wiring.
 */
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { createApp } from "./api/app.ts";
import type { ApiDeps } from "./api/context.ts";
import type { Config } from "./config.ts";
import { openDb } from "./db/client.ts";
import { agents, phoneNumbers } from "./db/schema/index.ts";
import { createLogger, type Logger } from "./lib/logger.ts";
import { createSecretBox, resolveSecretsKey } from "./lib/secret-box.ts";
import type { TelephonyCredentials, TelephonyPort } from "./providers/telephony/port.ts";
import { createTwilioTelephony } from "./providers/telephony/twilio.ts";
import { AccountsService } from "./services/accounts.ts";
import { BillingService } from "./services/billing.ts";
import { NO_EVENTS, type CallEventSink } from "./services/call-events.ts";
import { CallsService, type CallRow } from "./services/calls.ts";
import { DispatchService, type TelephonyResolver } from "./services/dispatch.ts";
import { IdempotencyService } from "./services/idempotency.ts";

export interface Gateway extends ApiDeps {
  app: ReturnType<typeof createApp>;
  close(): void;
}

export interface GatewayOptions {
  log?: Logger;
  now?: () => number;
  events?: CallEventSink;
  /** The simulated carrier, serving numbers whose provider is `sim`. */
  simTelephony?: TelephonyPort;
}

export function buildGateway(config: Config, opts: GatewayOptions = {}): Gateway {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const now = opts.now ?? Date.now;
  const db = openDb({ path: config.DATABASE_PATH });
  const secrets = createSecretBox(resolveSecretsKey(config.SECRETS_KEY, join(config.DATA_DIR, "secrets.key")));
  const accounts = new AccountsService(db, now);
  const events = opts.events ?? NO_EVENTS;
  const calls = new CallsService(db, events, log, now);
  const twilioFactory = createTwilioTelephony({ baseUrl: config.TWILIO_API_BASE_URL });
  const telephony: TelephonyResolver = (provider, creds) => {
    if (provider === "sim") return opts.simTelephony ?? null;
    return creds ? twilioFactory(creds) : null;
  };

  /** The dialing number's provider and credentials, for a call that already exists. */
  const carrierOf = (call: CallRow): { provider: "twilio" | "sim"; creds: TelephonyCredentials | null } => {
    if (call.phoneNumberId) {
      const n = db.select().from(phoneNumbers).where(eq(phoneNumbers.id, call.phoneNumberId)).get();
      if (n) {
        const creds = n.twilioAccountSidSealed && n.twilioAuthTokenSealed ? { accountSid: secrets.open(n.twilioAccountSidSealed), authToken: secrets.open(n.twilioAuthTokenSealed) } : null;
        return { provider: n.provider, creds };
      }
    }
    const agent = call.agentId ? db.select().from(agents).where(eq(agents.id, call.agentId)).get() : undefined;
    if (agent?.legacyTwilioAccountSidSealed && agent.legacyTwilioAuthTokenSealed) {
      return { provider: "twilio", creds: { accountSid: secrets.open(agent.legacyTwilioAccountSidSealed), authToken: secrets.open(agent.legacyTwilioAuthTokenSealed) } };
    }
    return { provider: "twilio", creds: null };
  };

  const deps: ApiDeps = {
    config,
    db,
    log,
    secrets,
    accounts,
    calls,
    dispatch: new DispatchService({ db, config, secrets, calls, events, telephony, now }),
    billing: new BillingService(db),
    idempotency: new IdempotencyService(db, now),
    telephonyForCall: (call) => {
      const c = carrierOf(call);
      return telephony(c.provider, c.creds);
    },
    authTokenForCall: (call) => carrierOf(call).creds?.authToken ?? null,
    now,
  };
  const app = createApp(deps);
  return { ...deps, app, close: () => db.$client.close() };
}
