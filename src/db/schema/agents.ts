import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { accounts } from "./accounts.ts";

/** A function the agent may call mid-call; the gateway POSTs the arguments to `url`. */
export interface AgentTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  url: string;
}

export const agents = sqliteTable(
  "agents",
  {
    id: text("id").primaryKey(),
    accountId: text("account_id").notNull().references(() => accounts.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type", { enum: ["outbound", "inbound"] }).notNull(),
    persona: text("persona").notNull().default(""),
    instructions: text("instructions").notNull().default(""),
    initialGreeting: text("initial_greeting").notNull().default(""),
    voice: text("voice").notNull().default(""),
    language: text("language").notNull().default("en"),
    llmModel: text("llm_model").notNull().default("gpt-4o-mini"),
    llmTemperature: real("llm_temperature").notNull().default(0.7),
    returns: text("returns", { mode: "json" }).$type<Record<string, unknown> | null>(),
    tools: text("tools", { mode: "json" }).$type<AgentTool[]>().notNull().default([]),
    voicemailAction: text("voicemail_action", { enum: ["hangup", "leave_message"] }).notNull().default("hangup"),
    voicemailMessage: text("voicemail_message").notNull().default(""),
    webhookUrl: text("webhook_url"),
    maxDurationSeconds: integer("max_duration_seconds").notNull().default(600),
    /** Outbound: greet once the answering-machine verdict says human, or at once (yielding to a machine). */
    greetingMode: text("greeting_mode", { enum: ["after_verdict", "immediate"] }).notNull().default("after_verdict"),
    /** Record this agent's calls (fixture + two-channel WAV), whatever RECORD_CALLS says. */
    recordCalls: integer("record_calls", { mode: "boolean" }).notNull().default(false),
    primaryNumberId: text("primary_number_id"),
    /** Legacy: a single number of the agent's own instead of phone-number rows (E.164). */
    legacyPhoneNumber: text("legacy_phone_number"),
    legacyTwilioAccountSidSealed: text("legacy_twilio_account_sid_sealed"),
    legacyTwilioAuthTokenSealed: text("legacy_twilio_auth_token_sealed"),
    createdAtMs: integer("created_at_ms").notNull(),
    updatedAtMs: integer("updated_at_ms").notNull(),
  },
  (t) => [index("agents_account_idx").on(t.accountId, t.id)],
);
