import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts.ts";
import { agents } from "./agents.ts";

export const phoneNumbers = sqliteTable(
  "phone_numbers",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    number: text("number").notNull(),
    provider: text("provider", { enum: ["twilio", "sim"] }).notNull().default("twilio"),
    /** AES-GCM sealed Twilio account SID (see src/lib/secret-box.ts); null when none. */
    twilioAccountSidSealed: text("twilio_account_sid_sealed"),
    /** AES-GCM sealed Twilio auth token; null when none. */
    twilioAuthTokenSealed: text("twilio_auth_token_sealed"),
    /** Last 4 characters of each credential, for the masked display. */
    twilioAccountSidLast4: text("twilio_account_sid_last4"),
    twilioAuthTokenLast4: text("twilio_auth_token_last4"),
    inboundEnabled: integer("inbound_enabled", { mode: "boolean" }).notNull().default(true),
    outboundEnabled: integer("outbound_enabled", { mode: "boolean" }).notNull().default(true),
    agentId: text("agent_id").references(() => agents.id, { onDelete: "set null" }),
    label: text("label"),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [
    index("phone_numbers_account_idx").on(t.accountId, t.id),
    index("phone_numbers_agent_idx").on(t.agentId),
    uniqueIndex("phone_numbers_account_number_uq").on(t.accountId, t.number),
  ],
);
