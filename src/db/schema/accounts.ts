import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A tenant. Every resource belongs to exactly one account. */
export const accounts = sqliteTable("accounts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** Current balance; always equals the sum of the account's ledger rows. */
  balanceMilliCents: integer("balance_milli_cents").notNull().default(0),
  /** Per-minute price override; null = the gateway default. */
  pricePerMinuteMilliCents: integer("price_per_minute_milli_cents"),
  /** Concurrent-call limit override; null = the gateway default. */
  maxConcurrentCalls: integer("max_concurrent_calls"),
  /** JSON array of allowed country calling codes (e.g. ["1","44"]); null = the gateway default. */
  allowedCallingCodes: text("allowed_calling_codes", { mode: "json" }).$type<string[]>(),
  createdAtMs: integer("created_at_ms").notNull(),
});

/** API keys, stored only as a SHA-256 hash; `prefix` is the first characters, for display. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    hash: text("hash").notNull().unique(),
    prefix: text("prefix").notNull(),
    mode: text("mode", { enum: ["live", "test"] }).notNull(),
    name: text("name"),
    createdAtMs: integer("created_at_ms").notNull(),
    revokedAtMs: integer("revoked_at_ms"),
    lastUsedAtMs: integer("last_used_at_ms"),
  },
  (t) => [index("api_keys_account_idx").on(t.accountId)],
);

/** Immutable ledger of balance movements, in milli-cents (signed). */
export const ledgerEntries = sqliteTable(
  "ledger_entries",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["credit", "reservation", "settlement", "release", "adjustment"] }).notNull(),
    amountMilliCents: integer("amount_milli_cents").notNull(),
    callId: text("call_id"),
    description: text("description"),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [index("ledger_account_idx").on(t.accountId, t.id), index("ledger_call_idx").on(t.callId)],
);

