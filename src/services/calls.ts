/**
 * Calls: reading them, and moving them through their lifecycle. Every change of status happens in
 * one transaction with its billing movement and its lifecycle event (see call-events.ts).
 */
import { accountPage, findOwned, getOwned } from "../db/account-scope.ts";
import { and, asc, eq, gte, lte, notInArray, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { calls, type CallStatus } from "../db/schema/index.ts";
import { ApiError, invalidField } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";
import type { TelephonyPort } from "../providers/telephony/port.ts";
import { closeReservation, type Tx } from "./billing.ts";
import type { CallEventSink, CallEventType, CallRow } from "./call-events.ts";
import { canMove, defaultHangupReason, fromTwilioAnsweredBy, fromTwilioStatus, isTerminal, TERMINAL } from "./call-state.ts";

export type { CallRow };

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The public Call object. */
export function callJson(c: CallRow) {
  return {
    id: c.id,
    object: "call" as const,
    agent_id: c.agentId,
    direction: c.direction,
    to: c.toNumber,
    from: c.fromNumber,
    status: c.status,
    persona: c.persona,
    instructions: c.instructions,
    system_prompt: c.systemPrompt,
    initial_greeting: c.initialGreeting,
    context: c.context,
    variables: c.variables,
    returns: c.returns ?? null,
    voice: c.voice,
    language: c.language,
    max_duration_seconds: c.maxDurationSeconds,
    result: c.result ?? null,
    summary: c.summary,
    extraction_status: c.extractionStatus,
    extraction_error: c.extractionError,
    answered_by: c.answeredBy,
    hangup_reason: c.hangupReason,
    webhook_url: c.webhookUrl,
    webhook_status: c.webhookStatus,
    webhook_error: c.webhookError,
    created_at: iso(c.createdAtMs)!,
    ringing_at: iso(c.ringingAtMs),
    answered_at: iso(c.answeredAtMs),
    ended_at: iso(c.endedAtMs),
    duration_seconds: c.durationSeconds,
    billable_seconds: c.billableSeconds,
    cost_milli_cents: c.costMilliCents,
    reservation_status: c.reservationStatus,
    provider_call_sid: c.providerCallSid,
    provider_error_code: c.providerErrorCode,
    error_message: c.errorMessage,
    metadata: c.metadata,
    campaign_id: c.campaignId,
    phone_number_id: c.phoneNumberId,
    latency: c.latency ?? null,
    has_recording: c.recordingPath !== null,
    updated_at: iso(c.updatedAtMs)!,
  };
}
export type CallJson = ReturnType<typeof callJson>;

/** A carrier status report (a Twilio status callback, or a fetched call during reconciliation). */
export interface CarrierReport {
  /** Twilio's CallStatus spelling. */
  status: string;
  /** Twilio's SequenceNumber; null when the report is not a callback (reconciliation). */
  sequence: number | null;
  durationSeconds?: number;
  answeredBy?: string;
  sipResponseCode?: string;
  errorCode?: string;
}

export interface CallFilters {
  status?: CallStatus;
  agent_id?: string;
  to?: string;
  campaign_id?: string;
  phone_number_id?: string;
  created_after?: string;
  created_before?: string;
  limit?: number;
  starting_after?: string;
}

const EVENT_OF: Partial<Record<CallStatus, CallEventType>> = {
  initiated: "call.initiated",
  ringing: "call.ringing",
  in_progress: "call.answered",
  completed: "call.completed",
  no_answer: "call.completed",
  busy: "call.completed",
  canceled: "call.completed",
  failed: "call.failed",
};

export class CallsService {
  constructor(
    private readonly db: Db,
    private readonly events: CallEventSink,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  find(accountId: string, id: string): CallRow | null {
    return findOwned(this.db, calls, accountId, id);
  }

  get(accountId: string, id: string): CallRow {
    return getOwned(this.db, calls, accountId, id, "call");
  }

  byId(id: string): CallRow | null {
    return this.db.select().from(calls).where(eq(calls.id, id)).get() ?? null;
  }

  list(accountId: string, f: CallFilters) {
    const where: (SQL | undefined)[] = [];
    if (f.status) where.push(eq(calls.status, f.status));
    if (f.agent_id) where.push(eq(calls.agentId, f.agent_id));
    if (f.to) where.push(eq(calls.toNumber, f.to));
    if (f.campaign_id) where.push(eq(calls.campaignId, f.campaign_id));
    if (f.phone_number_id) where.push(eq(calls.phoneNumberId, f.phone_number_id));
    for (const [name, op] of [["created_after", gte], ["created_before", lte]] as const) {
      const v = f[name];
      if (v === undefined) continue;
      const ms = Date.parse(v);
      if (Number.isNaN(ms)) throw invalidField(name, "expected an ISO 8601 date-time");
      where.push(op(calls.createdAtMs, ms));
    }
    // Newest first: the next page holds older ids.
    return accountPage(this.db, calls, accountId, f, { noun: "call", newestFirst: true, where });
  }

  /** Calls of an account that are not over yet. */
  activeCount(tx: Tx, accountId: string): number {
    return tx
      .select({ id: calls.id })
      .from(calls)
      .where(and(eq(calls.accountId, accountId), notInArray(calls.status, [...TERMINAL])))
      .all().length;
  }

  /** Every call not in a terminal status (for start-up reconciliation). */
  unfinished(): CallRow[] {
    return this.db.select().from(calls).where(notInArray(calls.status, [...TERMINAL])).orderBy(asc(calls.id)).all();
  }

  /**
   * Applies a carrier report: drops duplicates and out-of-order callbacks by SequenceNumber, moves
   * only forward, stamps each timestamp once, and on a terminal status closes the reservation.
   * Returns the call as it is afterwards and whether anything changed.
   */
  applyCarrierReport(callId: string, report: CarrierReport): { call: CallRow | null; changed: boolean } {
    const status = fromTwilioStatus(report.status);
    const nowMs = this.now();
    return this.db.transaction((tx) => {
      const call = tx.select().from(calls).where(eq(calls.id, callId)).get();
      if (!call) return { call: null, changed: false };
      if (report.sequence !== null && report.sequence <= call.lastStatusSequence) return { call, changed: false };
      const set: Partial<CallRow> = { updatedAtMs: nowMs };
      if (report.sequence !== null) set.lastStatusSequence = report.sequence;
      const answeredBy = fromTwilioAnsweredBy(report.answeredBy);
      if (answeredBy && !call.answeredBy) set.answeredBy = answeredBy;
      if (!status || !canMove(call.status, status)) {
        tx.update(calls).set(set).where(eq(calls.id, callId)).run();
        return { call: { ...call, ...set }, changed: false };
      }
      set.status = status;
      if (status === "ringing" && call.ringingAtMs === null) set.ringingAtMs = nowMs;
      if (status === "in_progress" && call.answeredAtMs === null) set.answeredAtMs = nowMs;
      if (isTerminal(status)) this.terminalFields(call, status, report, nowMs, set);
      tx.update(calls).set(set).where(eq(calls.id, callId)).run();
      if (isTerminal(status)) closeReservation(tx, callId, set.billableSeconds ?? 0, nowMs);
      const after = tx.select().from(calls).where(eq(calls.id, callId)).get()!;
      this.events.record(tx, after, EVENT_OF[status]!, nowMs);
      return { call: after, changed: true };
    });
  }

  private terminalFields(call: CallRow, status: CallStatus, report: CarrierReport, nowMs: number, set: Partial<CallRow>): void {
    const answeredAt = set.answeredAtMs ?? call.answeredAtMs;
    set.endedAtMs = call.endedAtMs ?? nowMs;
    const measured = answeredAt === null ? 0 : Math.max(0, Math.round((set.endedAtMs - answeredAt) / 1000));
    const duration = report.durationSeconds ?? measured;
    set.durationSeconds = duration;
    // Billable time is connected time: a call that never reached in-progress costs nothing.
    set.billableSeconds = answeredAt === null && status !== "completed" ? 0 : duration;
    if (!call.hangupReason) {
      set.hangupReason = status === "completed" && duration >= call.maxDurationSeconds ? "max_duration" : defaultHangupReason(status);
    }
    if (report.errorCode) set.providerErrorCode = report.errorCode;
    else if (report.sipResponseCode && status !== "completed") set.providerErrorCode = `sip_${report.sipResponseCode}`;
  }

  /**
   * Records why a call is ending (before the carrier confirms it), e.g. `agent_ended`,
   * `voicemail`, `max_duration`, `api_ended`. The first reason wins.
   */
  setHangupReason(callId: string, reason: string, extra: Partial<Pick<CallRow, "answeredBy" | "errorMessage">> = {}): void {
    const call = this.byId(callId);
    if (!call) return;
    this.db
      .update(calls)
      .set({ hangupReason: call.hangupReason ?? reason, ...extra, updatedAtMs: this.now() })
      .where(eq(calls.id, callId))
      .run();
  }

  /** Marks a call failed (the dial was refused, or it was lost), releasing its reservation. */
  fail(callId: string, fields: { errorMessage: string; providerErrorCode?: string | null; hangupReason?: string }): CallRow | null {
    const nowMs = this.now();
    return this.db.transaction((tx) => {
      const call = tx.select().from(calls).where(eq(calls.id, callId)).get();
      if (!call || isTerminal(call.status)) return call ?? null;
      tx.update(calls)
        .set({
          status: "failed",
          errorMessage: fields.errorMessage,
          providerErrorCode: fields.providerErrorCode ?? null,
          hangupReason: call.hangupReason ?? fields.hangupReason ?? "failed",
          endedAtMs: nowMs,
          durationSeconds: 0,
          billableSeconds: 0,
          updatedAtMs: nowMs,
        })
        .where(eq(calls.id, callId))
        .run();
      closeReservation(tx, callId, 0, nowMs);
      const after = tx.select().from(calls).where(eq(calls.id, callId)).get()!;
      this.events.record(tx, after, "call.failed", nowMs);
      return after;
    });
  }

  /** Records the carrier's call id after a successful dial. */
  setProviderSid(callId: string, sid: string): void {
    this.db.update(calls).set({ providerCallSid: sid, updatedAtMs: this.now() }).where(eq(calls.id, callId)).run();
  }

  /**
   * Ends a call on request (`POST /v1/calls/{id}/end`): cancels it while it rings, hangs it up when
   * live. The carrier's status callback then completes it.
   */
  async end(accountId: string, id: string, telephony: (call: CallRow) => TelephonyPort | null, reason = "api_ended"): Promise<CallRow> {
    const call = this.get(accountId, id);
    if (isTerminal(call.status)) throw new ApiError("call_already_ended", 409, `The call is already ${call.status}`, { status: call.status });
    this.setHangupReason(call.id, reason);
    const port = telephony(call);
    if (!call.providerCallSid || !port) {
      return this.fail(call.id, { errorMessage: "ended before it was dialled", hangupReason: reason })!;
    }
    const ringing = call.status !== "in_progress";
    try {
      await port.hangup(call.providerCallSid, { cancel: ringing });
    } catch (e) {
      // A call that was answered between our read and the cancel cannot be canceled: hang it up.
      if (ringing) await port.hangup(call.providerCallSid, { cancel: false });
      else throw e;
    }
    return this.get(accountId, id);
  }

  /**
   * Reconciliation: asks the carrier about every call in flight that no live session owns (at
   * start-up: all of them, left by a previous process; periodically: those quiet for a while, in
   * case a status callback was lost) and applies the answer; calls that never reached the carrier
   * are failed. With it no call stays non-terminal forever.
   */
  async reconcile(
    telephony: (call: CallRow) => TelephonyPort | null,
    opts: { isLive?: (callId: string) => boolean; quietForMs?: number } = {},
  ): Promise<{ checked: number; finished: number }> {
    let finished = 0;
    const quietSince = this.now() - (opts.quietForMs ?? 0);
    const pending = this.unfinished().filter((c) => !opts.isLive?.(c.id) && c.updatedAtMs <= quietSince);
    for (const call of pending) {
      const port = telephony(call);
      if (!call.providerCallSid || !port) {
        this.fail(call.id, { errorMessage: "the gateway stopped before the call was dialled", hangupReason: "failed" });
        finished++;
        continue;
      }
      try {
        const state = await port.fetchCall(call.providerCallSid);
        const { call: after } = this.applyCarrierReport(call.id, { status: state.status, sequence: null, durationSeconds: state.durationSeconds, answeredBy: state.answeredBy });
        if (after && isTerminal(after.status)) finished++;
        else if (after && after.status === "in_progress") {
          // The media session died with the previous process: nobody is talking to the caller.
          this.setHangupReason(call.id, "failed", { errorMessage: "the gateway restarted during the call" });
          await port.hangup(call.providerCallSid).catch(() => undefined);
          const final = await port.fetchCall(call.providerCallSid);
          const res = this.applyCarrierReport(call.id, { status: final.status, sequence: null, durationSeconds: final.durationSeconds });
          if (res.call && isTerminal(res.call.status)) finished++;
        }
      } catch (e) {
        const code = (e as { code?: unknown }).code;
        if (code === 20404) {
          this.fail(call.id, { errorMessage: "the carrier does not know this call", providerErrorCode: "20404" });
          finished++;
        } else this.log.warn({ call_id: call.id, err: String(e) }, "reconciliation could not reach the carrier; will retry at next start");
      }
    }
    return { checked: pending.length, finished };
  }
}

