/**
 * The billing ledger, in milli-cents. Every balance movement is an immutable ledger row written in
 * the same transaction as the balance change, so the balance always equals the sum of the ledger.
 * A call reserves the price of its maximum duration; its end either settles (connected time is
 * charged, the rest returned) or releases the whole reservation, exactly once.
 */
import { accountPage, type PageQuery } from "../db/account-scope.ts";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { accounts, calls, ledgerEntries } from "../db/schema/index.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";

/** A drizzle transaction or the database itself. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0] | Db;

/** Price of `seconds` at a per-minute price, rounded up to a whole milli-cent. */
export function priceOf(seconds: number, pricePerMinuteMilliCents: number): number {
  return Math.ceil((Math.max(0, seconds) * pricePerMinuteMilliCents) / 60);
}

function move(tx: Tx, accountId: string, kind: typeof ledgerEntries.$inferInsert.kind, amountMilliCents: number, callId: string | null, description: string, nowMs: number) {
  tx.insert(ledgerEntries).values({ id: newId("led"), accountId, kind, amountMilliCents, callId, description, createdAtMs: nowMs }).run();
  tx.update(accounts).set({ balanceMilliCents: sql`${accounts.balanceMilliCents} + ${amountMilliCents}` }).where(eq(accounts.id, accountId)).run();
}

/** Reserves `amount` for a call, or throws 402 insufficient_credits. Call inside a transaction. */
export function reserve(tx: Tx, accountId: string, callId: string, amountMilliCents: number, nowMs: number): void {
  const acct = tx.select({ balance: accounts.balanceMilliCents }).from(accounts).where(eq(accounts.id, accountId)).get();
  if (!acct || acct.balance < amountMilliCents) {
    throw new ApiError("insufficient_credits", 402, "The account's credits do not cover this call's maximum duration", {
      required_milli_cents: amountMilliCents,
      balance_milli_cents: acct?.balance ?? 0,
    });
  }
  move(tx, accountId, "reservation", -amountMilliCents, callId, "reserved for the call's maximum duration", nowMs);
}

/**
 * Ends a call's reservation exactly once: a call that connected settles (charges their price,
 * capped at the reservation, and returns the rest); without, it releases everything. Returns false
 * when the reservation was already closed.
 */
export function closeReservation(tx: Tx, callId: string, billableSeconds: number, nowMs: number): boolean {
  const call = tx.select().from(calls).where(eq(calls.id, callId)).get();
  if (!call || call.reservationStatus !== "reserved") return false;
  // Twilio reports `completed` only for calls that were answered (the others end busy, no-answer,
  // failed or canceled), so a completed call connected even if we never saw it in progress.
  const connected = call.answeredAtMs !== null || call.status === "completed" || billableSeconds > 0;
  const cost = connected ? Math.min(call.reservedMilliCents, priceOf(billableSeconds, call.pricePerMinuteMilliCents)) : 0;
  const closed = tx
    .update(calls)
    .set({ reservationStatus: connected ? "settled" : "released", costMilliCents: cost, billableSeconds: Math.max(0, billableSeconds), updatedAtMs: nowMs })
    .where(and(eq(calls.id, callId), eq(calls.reservationStatus, "reserved")))
    .returning({ id: calls.id })
    .all();
  if (closed.length === 0) return false;
  const refund = call.reservedMilliCents - cost;
  if (connected) move(tx, call.accountId, "settlement", refund, callId, `settled ${billableSeconds} s for ${cost} milli-cents`, nowMs);
  else move(tx, call.accountId, "release", refund, callId, "released: the call never connected", nowMs);
  return true;
}

export interface BalanceView {
  object: "balance";
  balance_milli_cents: number;
  reserved_milli_cents: number;
  available_milli_cents: number;
}

export class BillingService {
  constructor(private readonly db: Db) {}

  balance(accountId: string): BalanceView {
    const acct = this.db.select({ balance: accounts.balanceMilliCents }).from(accounts).where(eq(accounts.id, accountId)).get();
    const reserved = this.db
      .select({ total: sql<number>`coalesce(sum(${calls.reservedMilliCents}), 0)` })
      .from(calls)
      .where(and(eq(calls.accountId, accountId), eq(calls.reservationStatus, "reserved")))
      .get();
    const balance = acct?.balance ?? 0;
    const reservedTotal = reserved?.total ?? 0;
    // The balance already has active reservations taken out; what they hold is shown beside it.
    return { object: "balance", balance_milli_cents: balance, reserved_milli_cents: reservedTotal, available_milli_cents: balance };
  }

  ledger(accountId: string, q: PageQuery) {
    return accountPage(this.db, ledgerEntries, accountId, q, { noun: "ledger entry" });
  }

  /** The sum of the ledger; equals the balance at all times. */
  ledgerSum(accountId: string): number {
    return (
      this.db
        .select({ total: sql<number>`coalesce(sum(${ledgerEntries.amountMilliCents}), 0)` })
        .from(ledgerEntries)
        .where(eq(ledgerEntries.accountId, accountId))
        .get()?.total ?? 0
    );
  }
}
