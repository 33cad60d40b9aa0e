import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { calls } from "./calls.ts";

/** Per-turn latency marks, audio ms since stream start (null when the stage did not happen). */
export interface TurnLatency {
  speechEndMs: number | null;
  endOfTurnMs: number | null;
  /** When the reply was started (speculatively: before the end of turn was confirmed). */
  replyStartMs?: number | null;
  /** When the first phrase of the reply was complete and sent to speech synthesis. */
  firstPhraseMs?: number | null;
  finalTranscriptMs: number | null;
  firstLlmTokenMs: number | null;
  firstTtsByteMs: number | null;
  firstMediaMs: number | null;
}

/** One turn of the conversation: what was said, and for the agent, what the caller heard. */
export const callTurns = sqliteTable(
  "call_turns",
  {
    id: text("id").primaryKey(),
    callId: text("call_id").notNull().references(() => calls.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    role: text("role", { enum: ["user", "agent", "tool", "dtmf"] }).notNull(),
    text: text("text").notNull(),
    /** For agent turns: the part the caller actually heard (all of it unless interrupted). */
    heardText: text("heard_text"),
    interrupted: integer("interrupted", { mode: "boolean" }).notNull().default(false),
    startMs: integer("start_ms"),
    endMs: integer("end_ms"),
    latency: text("latency", { mode: "json" }).$type<TurnLatency | null>(),
    createdAtMs: integer("created_at_ms").notNull(),
  },
  (t) => [uniqueIndex("call_turns_call_seq_uq").on(t.callId, t.seq), index("call_turns_call_idx").on(t.callId)],
);
