/**
 * Sends the outbox: claims due rows under a lease, signs each attempt (Standard Webhooks),
 * re-checks the destination after DNS resolution, posts it, and records the outcome. Only 2xx is
 * success; a redirect is a failure; 410 disables the endpoint; failures retry on the schedule.
 */
import { randomUUID } from "node:crypto";
import { and, eq, isNull, lte, min, or } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { webhookEvents } from "../../db/schema/index.ts";
import type { Logger } from "../../lib/logger.ts";
import type { SecretBox } from "../../lib/secret-box.ts";
import { destinationProblem, systemLookup, type Lookup } from "./destination.ts";
import { DEFAULT_RETRY_DELAYS_MS } from "./schedule.ts";
import { signedHeaders } from "./signing.ts";
import { secretsFor } from "./signing-secrets.ts";
import { claimDue, recordAttempt, releaseForeignLeases, type AttemptResult, type Claimed } from "./store.ts";
import { postWebhook, type HttpOutcome } from "./transport.ts";

export interface DelivererOptions {
  /** Bound on one attempt (request, response and the bounded body read), ms. */
  timeoutMs: number;
  /** Delays after each failed attempt, ms; the attempt count is 1 + its length. */
  retryDelaysMs: readonly number[];
  /** ± fraction applied to each delay. */
  jitterRatio: number;
  /** Longest sleep between looks at the outbox when nothing woke the loop, ms. */
  pollIntervalMs: number;
  /** A claim lasts timeoutMs + this, ms (a dead process's claims also lapse after it). */
  leaseMarginMs: number;
  /** Most attempts in flight at once (rows claimed ahead of sending). */
  batchSize: number;
  /** Bytes of each response body kept. */
  maxResponseBytes: number;
  /** Deliver to private, loopback and link-local addresses. */
  allowPrivate: boolean;
  userAgent: string;
}

/** Defaults: 15 s timeout, the issue's schedule with ±20 % jitter, 1 s poll, 1 KiB of body. */
export const DEFAULT_DELIVERER_OPTIONS: DelivererOptions = Object.freeze({
  timeoutMs: 15_000,
  retryDelaysMs: DEFAULT_RETRY_DELAYS_MS,
  jitterRatio: 0.2,
  pollIntervalMs: 1_000,
  leaseMarginMs: 5_000,
  batchSize: 32,
  maxResponseBytes: 1_024,
  allowPrivate: false,
  userAgent: "voice-gateway-webhooks/1",
});

export interface DelivererDeps {
  db: Db;
  secrets: SecretBox;
  log: Logger;
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
  lookup?: Lookup;
}

/** Classifies an HTTP outcome (Standard Webhooks: any 2xx is success; we do not follow redirects). */
export function judge(out: HttpOutcome): AttemptResult {
  const { statusCode, latencyMs, responseBody } = out;
  if (statusCode === null) return { kind: "retry", statusCode: null, latencyMs, responseBody: null, error: out.error ?? "no response" };
  if (statusCode >= 200 && statusCode < 300) return { kind: "delivered", statusCode, latencyMs, responseBody };
  if (statusCode === 410) return { kind: "gone", statusCode, latencyMs, responseBody, error: "410 Gone: the receiver asked to stop" };
  if (statusCode >= 300 && statusCode < 400) {
    return { kind: "retry", statusCode, latencyMs, responseBody, error: `HTTP ${statusCode}: redirect${out.location ? ` to ${out.location}` : ""} not followed` };
  }
  return { kind: "retry", statusCode, latencyMs, responseBody, error: `HTTP ${statusCode}` };
}

export class WebhookDeliverer {
  readonly options: DelivererOptions;
  /** This instance's lease owner id. */
  readonly owner = `dlv_${randomUUID()}`;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly fetchFn: typeof fetch;
  private readonly lookup: Lookup;
  private running = false;
  private stopped = false;
  private inFlight = 0;
  private readonly lanes = new Map<string, Claimed[]>();
  private readonly active = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: DelivererDeps,
    overrides: Partial<DelivererOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_DELIVERER_OPTIONS, ...overrides });
    this.now = deps.now ?? Date.now;
    this.random = deps.random ?? Math.random;
    this.fetchFn = deps.fetch ?? fetch;
    this.lookup = deps.lookup ?? systemLookup;
  }

  /** Starts the loop. Claims left by a previous process are released first, so they resume. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.recover();
    this.kick();
  }

  /**
   * Releases the claims of other deliverer instances, which at start-up belong to a process that
   * died: those deliveries become due again (same webhook-id). Returns how many.
   */
  recover(): number {
    const released = releaseForeignLeases(this.deps.db, this.owner);
    if (released > 0) this.deps.log.info({ released }, "webhook deliveries in flight at the last stop resume");
    return released;
  }

  /**
   * Stops the loop and aborts attempts in flight without recording them (their claims lapse or are
   * released at the next start, and they are sent again). Synchronous: the database may be closed
   * right after.
   */
  stop(): void {
    this.running = false;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
  }

  /** Looks at the outbox now (new rows were written). */
  kick(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), 0);
  }

  /**
   * Claims due rows up to the free concurrency and starts them. Rows of one call to one
   * destination form a lane and go one after the other, in the order they were written (so a
   * receiver that is up sees a call's events in order); lanes run concurrently, and a slow
   * receiver holds up only its own lane. Returns how many rows were claimed.
   */
  pump(): number {
    if (this.stopped) return 0;
    const o = this.options;
    const free = o.batchSize - this.inFlight;
    if (free <= 0) return 0;
    const claimed = claimDue(this.deps.db, this.owner, this.now(), o.timeoutMs + o.leaseMarginMs, free);
    for (const row of [...claimed].sort((a, b) => (a.id < b.id ? -1 : 1))) {
      const key = `${row.callId ?? row.id} ${row.url}`;
      this.inFlight++;
      const lane = this.lanes.get(key);
      if (lane) lane.push(row);
      else {
        this.lanes.set(key, [row]);
        const done = this.drain(key).finally(() => this.active.delete(done));
        this.active.add(done);
      }
    }
    return claimed.length;
  }

  /** Claims what is due now and waits until every attempt in flight has been recorded. */
  async runDue(): Promise<number> {
    const n = this.pump();
    while (this.active.size > 0) await Promise.all([...this.active]);
    return n;
  }

  private async drain(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    for (let row = lane.shift(); row; row = lane.shift()) {
      try {
        await this.attempt(row);
      } catch (e) {
        if (!this.stopped) this.deps.log.error({ err: String(e), event_id: row.id }, "webhook attempt crashed");
      } finally {
        this.inFlight--;
      }
    }
    this.lanes.delete(key);
    this.kick();
  }

  /** Earliest time a ready, unclaimed pending row is due, or null. */
  nextDueAtMs(): number | null {
    const nowMs = this.now();
    const r = this.deps.db
      .select({ at: min(webhookEvents.nextAttemptAtMs) })
      .from(webhookEvents)
      .where(and(eq(webhookEvents.state, "pending"), eq(webhookEvents.ready, true), or(isNull(webhookEvents.leaseUntilMs), lte(webhookEvents.leaseUntilMs, nowMs))))
      .get();
    return r?.at ?? null;
  }

  private loop(): void {
    this.timer = null;
    if (!this.running) return;
    try {
      this.pump();
    } catch (e) {
      this.deps.log.error({ err: String(e) }, "webhook delivery pass failed");
    }
    if (!this.running || this.timer) return;
    const next = this.nextDueAtMs();
    const wait = next === null ? this.options.pollIntervalMs : Math.min(this.options.pollIntervalMs, Math.max(0, next - this.now()));
    // Nothing can start while every slot is busy: a finishing lane kicks the loop.
    this.timer = setTimeout(() => this.loop(), this.inFlight >= this.options.batchSize ? this.options.pollIntervalMs : wait);
  }

  private async attempt(row: Claimed): Promise<void> {
    const o = this.options;
    const startedAtMs = this.now();
    let result: AttemptResult;
    const problem = await destinationProblem(row.url, o.allowPrivate, this.lookup);
    if (this.stopped) return;
    if (problem) result = { kind: "refused", latencyMs: 0, error: `destination refused: ${problem}` };
    else {
      const sentAtMs = this.now();
      const secrets = secretsFor(this.deps.db, this.deps.secrets, row, sentAtMs);
      const headers = { "content-type": "application/json", "user-agent": o.userAgent, ...signedHeaders(secrets, row.id, sentAtMs, row.payload) };
      const out = await postWebhook(row.url, headers, row.payload, { timeoutMs: o.timeoutMs, maxResponseBytes: o.maxResponseBytes, fetch: this.fetchFn, signal: this.abort.signal });
      // A stopping process records nothing: the attempt is repeated after the restart.
      if (this.stopped) return;
      result = judge(out);
    }
    const state = recordAttempt(this.deps.db, row, startedAtMs, this.now(), result, { retryDelaysMs: o.retryDelaysMs, jitterRatio: o.jitterRatio, random: this.random });
    const line = { event_id: row.id, type: row.type, call_id: row.callId, attempt: row.attempts + 1, status: "statusCode" in result ? result.statusCode : null, state };
    if (result.kind === "delivered") this.deps.log.info(line, "webhook delivered");
    else this.deps.log.warn({ ...line, error: result.error }, "webhook attempt failed");
  }
}
