/**
 * Outbound call dispatch: the ordered checks, the snapshot, the credit reservation and the dial.
 * Every API dialect (canonical and compat) goes through `dispatch`; only field names and error
 * styles differ, and those are the routes' business.
 */
import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { Config } from "../config.ts";
import { findOwned } from "../db/account-scope.ts";
import type { Db } from "../db/client.ts";
import { accounts, agents, calls, phoneNumbers } from "../db/schema/index.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";
import { callingCode, isE164 } from "../lib/phone.ts";
import type { SecretBox } from "../lib/secret-box.ts";
import { ProviderError } from "../providers/errors.ts";
import type { TelephonyCredentials, TelephonyPort } from "../providers/telephony/port.ts";
import { buildStreamTwiml } from "../providers/telephony/twiml.ts";
import { priceOf, reserve } from "./billing.ts";
import type { CallEventSink, CallRow } from "./call-events.ts";
import type { CallsService } from "./calls.ts";
import { interpolate, renderSystemPrompt } from "./prompt.ts";

export type Dialect = "nixflex" | "agentphone" | "agntix";

/** A dispatch request, whatever dialect it arrived in. */
export interface DispatchInput {
  agentId?: string | null;
  to?: string | null;
  /** Caller id override: an E.164 number that must be an outbound-enabled number of the agent. */
  fromNumber?: string | null;
  /** Caller id override by phone-number id (must be attached to the agent). */
  fromNumberId?: string | null;
  /** Agntix: dial from this number of the account (path parameter). */
  accountNumberId?: string | null;
  /** Replaces the agent's default instructions for this call (never merged). */
  instructions?: string | null;
  context?: Record<string, unknown> | null;
  variables?: Record<string, string> | null;
  webhookUrl?: string | null;
  metadata?: Record<string, unknown> | null;
  maxDurationSeconds?: number | null;
  campaignId?: string | null;
  initialGreeting?: string | null;
  voice?: string | null;
  dialect?: Dialect | null;
  /** How this dialect spells the fields that errors name. */
  names?: { agentId: string; to: string; fromNumber: string };
}

/** Where a number's calls go: Twilio with the number's credentials, or the simulated carrier. */
export type TelephonyResolver = (provider: "twilio" | "sim", creds: TelephonyCredentials | null) => TelephonyPort | null;

/** Everything dispatch needs for one chosen dialing number. */
interface DialingNumber {
  id: string | null;
  number: string;
  provider: "twilio" | "sim";
  creds: TelephonyCredentials | null;
}

const DEFAULT_NAMES = { agentId: "agent_id", to: "to", fromNumber: "from_number" };

/** The media websocket URL Twilio opens for a call (the call id is in the path: Twilio strips query strings). */
export function mediaUrl(config: Pick<Config, "PUBLIC_URL">, callId: string): string {
  return `${config.PUBLIC_URL.replace(/^http/, "ws")}/twilio/media/${callId}`;
}

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** A call row with the snapshot of everything it will run with. */
export function snapshotRow(
  agent: typeof agents.$inferSelect,
  input: Pick<DispatchInput, "variables" | "instructions" | "initialGreeting" | "context" | "voice" | "webhookUrl" | "metadata" | "campaignId" | "dialect">,
  c: { accountId: string; direction: "outbound" | "inbound"; to: string; from: string; phoneNumberId: string | null; maxDurationSeconds: number; price: number; token: string; nowMs: number },
): typeof calls.$inferInsert & { id: string; reservedMilliCents: number } {
  const variables = input.variables ?? {};
  const instructions = interpolate(input.instructions ?? agent.instructions, variables);
  const persona = interpolate(agent.persona, variables);
  return {
    id: newId("call"),
    accountId: c.accountId,
    agentId: agent.id,
    direction: c.direction,
    toNumber: c.to,
    fromNumber: c.from,
    phoneNumberId: c.phoneNumberId,
    status: c.direction === "inbound" ? "in_progress" : "queued",
    answeredAtMs: c.direction === "inbound" ? c.nowMs : null,
    persona,
    instructions,
    systemPrompt: renderSystemPrompt(persona, instructions),
    initialGreeting: interpolate(input.initialGreeting ?? agent.initialGreeting, variables),
    context: input.context ?? {},
    variables,
    returns: agent.returns ?? null,
    tools: agent.tools,
    voice: input.voice ?? agent.voice,
    language: agent.language,
    llmModel: agent.llmModel,
    llmTemperature: agent.llmTemperature,
    voicemailAction: agent.voicemailAction,
    voicemailMessage: interpolate(agent.voicemailMessage, variables),
    maxDurationSeconds: c.maxDurationSeconds,
    greetingMode: agent.greetingMode,
    recordCall: agent.recordCalls,
    webhookUrl: input.webhookUrl === undefined || input.webhookUrl === null ? agent.webhookUrl : input.webhookUrl,
    metadata: input.metadata ?? {},
    campaignId: input.campaignId ?? null,
    pricePerMinuteMilliCents: c.price,
    reservedMilliCents: priceOf(c.maxDurationSeconds, c.price),
    reservationStatus: "reserved",
    streamTokenHash: hashToken(c.token),
    dialect: input.dialect ?? null,
    createdAtMs: c.nowMs,
    updatedAtMs: c.nowMs,
  };
}

export class DispatchService {
  constructor(
    private readonly deps: {
      db: Db;
      config: Config;
      secrets: SecretBox;
      calls: CallsService;
      events: CallEventSink;
      telephony: TelephonyResolver;
      now: () => number;
    },
  ) {}

  /**
   * Validates in the documented order, stopping at the first failure, then snapshots, reserves
   * and dials. Answers the call as created (status `queued`), or throws an ApiError.
   */
  async dispatch(accountId: string, input: DispatchInput): Promise<CallRow> {
    const { db, config } = this.deps;
    const names = input.names ?? DEFAULT_NAMES;
    // 1. required fields
    const agentId = input.agentId?.trim();
    const to = input.to?.trim();
    if (!agentId) throw new ApiError("missing_field", 400, `${names.agentId} is required`, { field: names.agentId });
    if (!to) throw new ApiError("missing_field", 400, `${names.to} is required`, { field: names.to });
    // 2. E.164
    if (!isE164(to)) throw new ApiError("invalid_phone_format", 400, `${names.to} must be E.164, e.g. +447386172392`, { field: names.to });
    // 3. the agent, under this key, outbound
    const agent = findOwned(db, agents, accountId, agentId);
    if (!agent) throw new ApiError("agent_not_found", 404, `No agent with id ${agentId}`, { field: names.agentId });
    if (agent.type !== "outbound") throw new ApiError("agent_not_outbound", 400, "The agent is not an outbound agent", { field: names.agentId });
    // 4. the dialing number
    const dialing = this.chooseNumber(accountId, agent, input, names.fromNumber);
    // 5. credentials
    if (dialing.provider === "twilio" && !dialing.creds) {
      throw new ApiError("agent_missing_twilio_credentials", 400, `The number ${dialing.number} has no Twilio credentials`, { from_number: dialing.number });
    }
    const telephony = this.deps.telephony(dialing.provider, dialing.creds);
    if (!telephony) throw new ApiError("agent_missing_twilio_credentials", 400, `No carrier is configured for ${dialing.number}`, { from_number: dialing.number });
    // 6. destination allowlist, then concurrency
    const account = db.select().from(accounts).where(eq(accounts.id, accountId)).get()!;
    const allowed = account.allowedCallingCodes ?? config.ALLOWED_CALLING_CODES.split(",");
    const code = callingCode(to);
    if (!allowed.includes("*") && (!code || !allowed.includes(code))) {
      throw new ApiError("destination_not_allowed", 403, `Calls to +${code} are not allowed for this account`, { field: names.to, calling_code: code });
    }
    const price = account.pricePerMinuteMilliCents ?? config.PRICE_PER_MINUTE_MILLI_CENTS;
    const maxDurationSeconds = Math.min(agent.maxDurationSeconds, input.maxDurationSeconds ?? agent.maxDurationSeconds);
    const token = randomBytes(24).toString("base64url");
    const nowMs = this.deps.now();
    const row = snapshotRow(agent, input, {
      accountId,
      direction: "outbound",
      to,
      from: dialing.number,
      phoneNumberId: dialing.id,
      maxDurationSeconds,
      price,
      token,
      nowMs,
    });
    const reservation = row.reservedMilliCents;
    // 6 (concurrency) and 7 (credits) are checked in the transaction that reserves, so two
    // concurrent dispatches cannot both pass.
    const limit = account.maxConcurrentCalls ?? config.MAX_CONCURRENT_CALLS;
    const call = db.transaction((tx) => {
      const active = this.deps.calls.activeCount(tx, accountId);
      if (active >= limit) throw new ApiError("concurrency_limit", 429, `The account already has ${active} calls in progress (limit ${limit})`, { limit, active });
      reserve(tx, accountId, row.id!, reservation, nowMs);
      return tx.insert(calls).values(row).returning().get();
    });
    // 8. the dial
    try {
      const twiml = buildStreamTwiml({ streamUrl: mediaUrl(config, call.id), callId: call.id, token });
      const created = await telephony.createCall({
        to,
        from: dialing.number,
        twiml,
        statusCallback: `${config.PUBLIC_URL}/twilio/status/${call.id}`,
        statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
        timeoutSeconds: config.RING_TIMEOUT_SECONDS,
        timeLimitSeconds: maxDurationSeconds,
      });
      this.deps.calls.setProviderSid(call.id, created.sid);
      return this.deps.calls.byId(call.id)!;
    } catch (e) {
      const err = e instanceof ProviderError ? e : null;
      const twilioError = { code: err?.code ?? "unknown", message: err?.message ?? (e instanceof Error ? e.message : String(e)) };
      this.deps.calls.fail(call.id, { errorMessage: twilioError.message, providerErrorCode: String(twilioError.code) });
      throw new ApiError("outbound_failed", 502, `The carrier refused the call: ${twilioError.message}`, { twilio_error: twilioError, call_id: call.id });
    }
  }

  /**
   * An inbound call reached one of our numbers: snapshot its inbound agent, reserve credits for
   * the agent's maximum duration and answer. Returns the call and the stream token for the TwiML.
   */
  answerInbound(number: typeof phoneNumbers.$inferSelect, c: { from: string; callSid: string }): { call: CallRow; token: string } {
    const { db, config } = this.deps;
    if (!number.inboundEnabled || !number.agentId) throw new ApiError("inbound_disabled", 403, `${number.number} does not take inbound calls`);
    const agent = findOwned(db, agents, number.accountId, number.agentId);
    if (!agent || agent.type !== "inbound") throw new ApiError("agent_not_inbound", 403, `${number.number} has no inbound agent`);
    const account = db.select().from(accounts).where(eq(accounts.id, number.accountId)).get()!;
    const token = randomBytes(24).toString("base64url");
    const nowMs = this.deps.now();
    const row = snapshotRow(agent, {}, {
      accountId: number.accountId,
      direction: "inbound",
      to: number.number,
      from: c.from,
      phoneNumberId: number.id,
      maxDurationSeconds: agent.maxDurationSeconds,
      price: account.pricePerMinuteMilliCents ?? config.PRICE_PER_MINUTE_MILLI_CENTS,
      token,
      nowMs,
    });
    const limit = account.maxConcurrentCalls ?? config.MAX_CONCURRENT_CALLS;
    const call = db.transaction((tx) => {
      const active = this.deps.calls.activeCount(tx, number.accountId);
      if (active >= limit) throw new ApiError("concurrency_limit", 429, `The account already has ${active} calls in progress (limit ${limit})`, { limit, active });
      reserve(tx, number.accountId, row.id, row.reservedMilliCents, nowMs);
      const inserted = tx.insert(calls).values({ ...row, providerCallSid: c.callSid }).returning().get();
      this.deps.events.record(tx, inserted, "call.answered", nowMs);
      return inserted;
    });
    return { call, token };
  }

  /**
   * Step 4: a given from-number must be an outbound-enabled number attached to this agent;
   * otherwise the primary number if outbound-enabled, else the first outbound-enabled number,
   * else the agent's legacy number. Inbound-only numbers never count.
   */
  private chooseNumber(accountId: string, agent: typeof agents.$inferSelect, input: DispatchInput, fromField: string): DialingNumber {
    const { db } = this.deps;
    const own = db
      .select()
      .from(phoneNumbers)
      .where(and(eq(phoneNumbers.accountId, accountId), eq(phoneNumbers.agentId, agent.id)))
      .orderBy(asc(phoneNumbers.createdAtMs), asc(phoneNumbers.id))
      .all();
    const outbound = own.filter((n) => n.outboundEnabled);
    const asDialing = (n: (typeof own)[number]): DialingNumber => ({
      id: n.id,
      number: n.number,
      provider: n.provider,
      creds: n.twilioAccountSidSealed && n.twilioAuthTokenSealed ? { accountSid: this.deps.secrets.open(n.twilioAccountSidSealed), authToken: this.deps.secrets.open(n.twilioAuthTokenSealed) } : null,
    });
    if (input.accountNumberId) {
      const n = findOwned(db, phoneNumbers, accountId, input.accountNumberId);
      if (!n || !n.outboundEnabled) throw new ApiError("from_number_not_found", 400, "The phone number is not an outbound-enabled number of this account", { field: fromField });
      return asDialing(n);
    }
    const wanted = input.fromNumber?.trim() || null;
    const wantedId = input.fromNumberId?.trim() || null;
    if (wanted || wantedId) {
      const n = outbound.find((x) => (wanted ? x.number === wanted : x.id === wantedId));
      if (!n) throw new ApiError("from_number_not_found", 400, `${wanted ?? wantedId} is not an outbound-enabled number of this agent`, { field: fromField });
      return asDialing(n);
    }
    const primary = outbound.find((n) => n.id === agent.primaryNumberId);
    if (primary) return asDialing(primary);
    if (outbound[0]) return asDialing(outbound[0]);
    if (own.length === 0 && agent.legacyPhoneNumber) {
      const creds =
        agent.legacyTwilioAccountSidSealed && agent.legacyTwilioAuthTokenSealed
          ? { accountSid: this.deps.secrets.open(agent.legacyTwilioAccountSidSealed), authToken: this.deps.secrets.open(agent.legacyTwilioAuthTokenSealed) }
          : null;
      return { id: null, number: agent.legacyPhoneNumber, provider: "twilio", creds };
    }
    throw new ApiError("agent_missing_phone_number", 400, "The agent has no outbound-enabled phone number", { agent_id: agent.id });
  }
}

