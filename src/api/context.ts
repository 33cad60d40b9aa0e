/** What the API needs from the composition root. Services are built once and shared. */
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../lib/logger.ts";
import type { GatewayMetrics } from "../lib/metrics.ts";
import type { SecretBox } from "../lib/secret-box.ts";
import type { TelephonyPort } from "../providers/telephony/port.ts";
import type { AccountsService } from "../services/accounts.ts";
import type { BillingService } from "../services/billing.ts";
import type { CallsService, CallRow } from "../services/calls.ts";
import type { DispatchService } from "../services/dispatch.ts";
import type { IdempotencyService } from "../services/idempotency.ts";
import type { SqliteSessionStore } from "../session/store.ts";
import type { TranscriptHub } from "../session/transcript-hub.ts";

export interface ApiDeps {
  config: Config;
  db: Db;
  log: Logger;
  secrets: SecretBox;
  accounts: AccountsService;
  calls: CallsService;
  dispatch: DispatchService;
  billing: BillingService;
  idempotency: IdempotencyService;
  /** Transcripts and the other records of live calls. */
  store: SqliteSessionStore;
  /** Live transcript events of the calls running in this process. */
  transcripts: TranscriptHub;
  /** True while this process runs the call's media session. */
  isLive(callId: string): boolean;
  /** The carrier port that serves an existing call (by its number's provider and credentials). */
  telephonyForCall: (call: CallRow) => TelephonyPort | null;
  /** The auth token Twilio signs this call's callbacks with (null for simulated calls). */
  authTokenForCall: (call: CallRow) => string | null;
  metrics: GatewayMetrics;
  now: () => number;
}
