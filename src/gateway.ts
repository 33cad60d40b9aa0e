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
import { GatewayMetrics } from "./lib/metrics.ts";
import { createSecretBox, resolveSecretsKey } from "./lib/secret-box.ts";
import type { TelephonyCredentials } from "./providers/telephony/port.ts";
import { createTwilioTelephony } from "./providers/telephony/twilio.ts";
import { AccountsService } from "./services/accounts.ts";
import { BillingService } from "./services/billing.ts";
import type { CallEventSink } from "./services/call-events.ts";
import { CallsService, type CallRow } from "./services/calls.ts";
import { DispatchService, type TelephonyResolver } from "./services/dispatch.ts";
import { IdempotencyService } from "./services/idempotency.ts";
import type { Extractor } from "./services/extraction.ts";
import { createWebhooks, type Webhooks, type WebhooksDeps } from "./services/webhooks/index.ts";
import { OpenAiLlm } from "./providers/llm/openai.ts";
import { providersFromConfig, type Providers } from "./providers/from-config.ts";
import type { CallSession, SessionOptions } from "./session/call-session.ts";
import { MEDIA_PATH, mediaWebsocket, upgradeMedia, type MediaDeps, type MediaSocketData } from "./session/media-socket.ts";
import { CallRecorder } from "./session/recorder.ts";
import { SessionRegistry } from "./session/registry.ts";
import { SqliteSessionStore } from "./session/store.ts";
import { TranscriptHub } from "./session/transcript-hub.ts";
import { turnJson } from "./api/calls/artifacts.ts";
import type { Server, WebSocketHandler } from "bun";
import type { SimCarrier } from "./sim/carrier.ts";

export interface Gateway extends ApiDeps {
  app: ReturnType<typeof createApp>;
  registry: SessionRegistry;
  store: SqliteSessionStore;
  media: MediaDeps;
  /** Routes a request: media websocket upgrades, everything else to the HTTP app. */
  fetch(req: Request, server: Server<MediaSocketData>): Response | Promise<Response> | undefined;
  websocket: WebSocketHandler<MediaSocketData>;
  /** Outbox, deliverer (started by main.ts), endpoints and post-call extraction. */
  webhooks: Webhooks;
  close(): void;
}

export interface GatewayOptions {
  log?: Logger;
  now?: () => number;
  events?: CallEventSink;
  /** The simulated carrier, serving numbers whose provider is `sim` (and their providers). */
  sim?: Pick<SimCarrier, "telephony" | "authToken" | "providers">;
  /** Provider adapters (default: from configuration). */
  providers?: Providers;
  /** Live session options (idle timeout, engine and reply tuning). */
  session?: Partial<SessionOptions>;
  /** Collect the default process metrics (off in tests that build many gateways). */
  processMetrics?: boolean;
  /** Post-call work once a live session ends. */
  onSessionEnd?: (session: CallSession, gateway: Gateway) => void;
  /** Post-call structured extraction (default: the OpenAI adapter when configured). */
  extract?: Extractor;
  /** Test seams and options of the webhook services. */
  webhooks?: Omit<WebhooksDeps, "db" | "config" | "secrets" | "log" | "now" | "extract">;
}

/** The configured LLM's structured output, or an extractor that fails with the reason. */
function defaultExtractor(config: Config): Extractor {
  if (!config.OPENAI_API_KEY && !config.OPENAI_BASE_URL) {
    return () => Promise.reject(new Error("no LLM is configured (OPENAI_API_KEY or OPENAI_BASE_URL)"));
  }
  const llm = new OpenAiLlm({ apiKey: config.OPENAI_API_KEY || "unused", baseUrl: config.OPENAI_BASE_URL });
  return (schema, messages, o) => llm.extract(schema, messages, o);
}

export function buildGateway(config: Config, opts: GatewayOptions = {}): Gateway {
  const log = opts.log ?? createLogger(config.LOG_LEVEL);
  const now = opts.now ?? Date.now;
  const db = openDb({ path: config.DATABASE_PATH });
  const secrets = createSecretBox(resolveSecretsKey(config.SECRETS_KEY, join(config.DATA_DIR, "secrets.key")));
  const accounts = new AccountsService(db, now);
  const webhooks = createWebhooks({ ...opts.webhooks, db, config, secrets, log, now, extract: opts.extract ?? defaultExtractor(config) });
  const events = opts.events ?? webhooks.outbox;
  const calls = new CallsService(db, events, log, now);
  const twilioFactory = createTwilioTelephony({ baseUrl: config.TWILIO_API_BASE_URL });
  const telephony: TelephonyResolver = (provider, creds) => {
    if (provider === "sim") return opts.sim?.telephony ?? null;
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

  const store = new SqliteSessionStore(db, now);
  const transcripts = new TranscriptHub();
  const registry = new SessionRegistry();
  store.onTurn = (callId, row) => transcripts.publish(callId, { kind: "turn", seq: row.seq, data: turnJson(row) });
  store.onEnded = (callId) => transcripts.publish(callId, { kind: "end" });
  const deps: ApiDeps = {
    transcripts,
    isLive: (callId) => registry.has(callId),
    metrics: new GatewayMetrics({ processMetrics: opts.processMetrics ?? true }),
    config,
    db,
    log,
    store,
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
    authTokenForCall: (call) => {
      const c = carrierOf(call);
      return c.provider === "sim" ? (opts.sim?.authToken ?? null) : (c.creds?.authToken ?? null);
    },
    now,
  };
  const app = createApp(deps);
  const providers = opts.providers ?? providersFromConfig(config);
  const metrics = deps.metrics;
  const media: MediaDeps = {
    config,
    db,
    log,
    calls,
    registry,
    store,
    authTokenForCall: deps.authTokenForCall,
    providersFor: (call) => {
      const sim = opts.sim && carrierOf(call).provider === "sim";
      return { ...(sim ? opts.sim!.providers : providers), telephony: deps.telephonyForCall(call) };
    },
    recorderFor: (call) =>
      config.RECORD_CALLS || call.recordCall
        ? new CallRecorder(join(config.DATA_DIR, "recordings", `${call.id}.ndjson`), join(config.DATA_DIR, "recordings", `${call.id}.wav`), `${call.direction} call ${call.id} to ${call.toNumber}`)
        : null,
    metrics,
    sessionOptions: opts.session,
    onTranscript: (callId, text, isFinal, atAudioMs) => transcripts.publish(callId, { kind: "interim", data: { role: "user", text, is_final: isFinal, at_ms: atAudioMs } }),
    onSessionEnd: (s) => {
      // Inbound calls have no status callback of ours: the end of the stream ends the call.
      const call = calls.byId(s.callId);
      if (call?.direction === "inbound") calls.applyCarrierReport(call.id, { status: "completed", sequence: null });
      // Post-call analysis from the transcript; it releases the held call.completed webhook.
      void webhooks.extraction.extractCall(s.callId).catch((e: unknown) => log.error({ call_id: s.callId, err: String(e) }, "post-call extraction failed"));
      opts.onSessionEnd?.(s, gateway);
    },
  };
  const websocket = mediaWebsocket(media);
  const gateway: Gateway = {
    ...deps,
    app,
    registry,
    media,
    websocket,
    webhooks,
    fetch(req, server) {
      const path = new URL(req.url).pathname;
      if (path.startsWith(`${MEDIA_PATH}/`)) return upgradeMedia(media, req, server);
      return app.handle(req);
    },
    close: () => {
      webhooks.stop();
      db.$client.close();
    },
  };
  return gateway;
}
