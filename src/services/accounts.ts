/**
 * Accounts, API keys and credits. No HTTP types here: the API and the admin CLI both call this.
 */
import { and, count, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { accounts, apiKeys, ledgerEntries } from "../db/schema/index.ts";
import { API_KEY_PATTERN, generateApiKey, hashApiKey, keyMode, keyPrefix, type KeyMode } from "../lib/api-keys.ts";
import { ApiError } from "../lib/errors.ts";
import { newId } from "../lib/ids.ts";

export interface AuthenticatedKey {
  accountId: string;
  keyId: string;
  mode: KeyMode;
}

export interface CreatedKey {
  id: string;
  accountId: string;
  key: string;
  prefix: string;
}

export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  createAccount(name: string): { id: string; name: string } {
    const id = newId("acct");
    this.db.insert(accounts).values({ id, name, createdAtMs: this.now() }).run();
    return { id, name };
  }

  getAccount(id: string) {
    return this.db.select().from(accounts).where(eq(accounts.id, id)).get() ?? null;
  }

  listAccounts() {
    return this.db.select().from(accounts).orderBy(accounts.id).all();
  }

  /** Creates a key; `exactKey` stores a given key (bootstrap) instead of a random one. */
  createKey(accountId: string, opts: { mode?: KeyMode; name?: string; exactKey?: string } = {}): CreatedKey {
    if (!this.getAccount(accountId)) throw new ApiError("account_not_found", 404, `No account with id ${accountId}`);
    const key = opts.exactKey ?? generateApiKey(opts.mode ?? "live");
    if (!API_KEY_PATTERN.test(key)) throw new ApiError("invalid_field", 400, "key must look like sk_live_… or sk_test_…", { field: "key" });
    const id = newId("key");
    this.db
      .insert(apiKeys)
      .values({ id, accountId, hash: hashApiKey(key), prefix: keyPrefix(key), mode: keyMode(key), name: opts.name ?? null, createdAtMs: this.now() })
      .run();
    return { id, accountId, key, prefix: keyPrefix(key) };
  }

  listKeys(accountId: string) {
    return this.db
      .select({ id: apiKeys.id, prefix: apiKeys.prefix, mode: apiKeys.mode, name: apiKeys.name, createdAtMs: apiKeys.createdAtMs, revokedAtMs: apiKeys.revokedAtMs })
      .from(apiKeys)
      .where(eq(apiKeys.accountId, accountId))
      .orderBy(apiKeys.id)
      .all();
  }

  /** Revokes a key by id or by its full value. Returns false when nothing active matched. */
  revokeKey(idOrKey: string): boolean {
    const where = idOrKey.startsWith("sk_") ? eq(apiKeys.hash, hashApiKey(idOrKey)) : eq(apiKeys.id, idOrKey);
    const revoked = this.db
      .update(apiKeys)
      .set({ revokedAtMs: this.now() })
      .where(and(where, isNull(apiKeys.revokedAtMs)))
      .returning({ id: apiKeys.id })
      .all();
    return revoked.length > 0;
  }

  /** The account behind an active key, or null. */
  authenticate(key: string): AuthenticatedKey | null {
    if (!API_KEY_PATTERN.test(key)) return null;
    const row = this.db.select().from(apiKeys).where(eq(apiKeys.hash, hashApiKey(key))).get();
    if (!row || row.revokedAtMs !== null) return null;
    return { accountId: row.accountId, keyId: row.id, mode: row.mode };
  }

  /** Adds credits as a ledger row and moves the balance in the same transaction. */
  addCredits(accountId: string, amountMilliCents: number, description = "credits added"): { balanceMilliCents: number } {
    if (!Number.isSafeInteger(amountMilliCents) || amountMilliCents <= 0) {
      throw new ApiError("invalid_field", 400, "amount must be a positive integer of milli-cents", { field: "amount_milli_cents" });
    }
    return this.db.transaction((tx) => {
      const acct = tx.select().from(accounts).where(eq(accounts.id, accountId)).get();
      if (!acct) throw new ApiError("account_not_found", 404, `No account with id ${accountId}`);
      tx.insert(ledgerEntries).values({ id: newId("led"), accountId, kind: "credit", amountMilliCents, description, createdAtMs: this.now() }).run();
      const balanceMilliCents = acct.balanceMilliCents + amountMilliCents;
      tx.update(accounts).set({ balanceMilliCents }).where(eq(accounts.id, accountId)).run();
      return { balanceMilliCents };
    });
  }

  /**
   * Per-account overrides of the gateway defaults (strings as typed by an operator; "default"
   * clears an override). Calling codes: comma-separated, or "*" for every destination.
   */
  setLimits(accountId: string, l: { maxConcurrentCalls?: string; pricePerMinuteMilliCents?: string; allowedCallingCodes?: string }) {
    if (!this.getAccount(accountId)) throw new ApiError("account_not_found", 404, `No account with id ${accountId}`);
    const set: Partial<typeof accounts.$inferInsert> = {};
    const int = (field: string, v: string, min: number) => {
      if (v === "default") return null;
      const n = Number(v);
      if (!Number.isSafeInteger(n) || n < min) throw new ApiError("invalid_field", 400, `${field} must be an integer ≥ ${min}`, { field });
      return n;
    };
    if (l.maxConcurrentCalls !== undefined) set.maxConcurrentCalls = int("max_concurrent_calls", l.maxConcurrentCalls, 1);
    if (l.pricePerMinuteMilliCents !== undefined) set.pricePerMinuteMilliCents = int("price_per_minute_milli_cents", l.pricePerMinuteMilliCents, 0);
    if (l.allowedCallingCodes !== undefined) {
      const v = l.allowedCallingCodes.trim();
      if (v === "default") set.allowedCallingCodes = null;
      else if (v === "*") set.allowedCallingCodes = ["*"];
      else {
        const codes = v.split(",").map((c) => c.trim().replace(/^\+/, ""));
        if (codes.some((c) => !/^[1-9][0-9]{0,2}$/.test(c))) throw new ApiError("invalid_field", 400, "calling codes are 1–3 digits, comma-separated", { field: "allowed_calling_codes" });
        set.allowedCallingCodes = codes;
      }
    }
    if (Object.keys(set).length) this.db.update(accounts).set(set).where(eq(accounts.id, accountId)).run();
    const a = this.getAccount(accountId)!;
    return { account_id: a.id, max_concurrent_calls: a.maxConcurrentCalls, price_per_minute_milli_cents: a.pricePerMinuteMilliCents, allowed_calling_codes: a.allowedCallingCodes };
  }

  accountCount(): number {
    return this.db.select({ n: count() }).from(accounts).get()?.n ?? 0;
  }

  /**
   * First start: when no account exists, create the default one. With a bootstrap key that exact
   * key is stored; otherwise a new key is generated and returned so the caller can print it once.
   */
  bootstrap(bootstrapKey: string): { accountId: string; generatedKey: string | null } | null {
    if (this.accountCount() > 0) return null;
    const { id } = this.createAccount("default");
    if (bootstrapKey) {
      this.createKey(id, { exactKey: bootstrapKey, name: "bootstrap" });
      return { accountId: id, generatedKey: null };
    }
    return { accountId: id, generatedKey: this.createKey(id, { name: "first start" }).key };
  }
}
