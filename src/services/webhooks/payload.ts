/**
 * Webhook bodies. The envelope follows the Standard Webhooks recommendation
 * (`{type, timestamp, data}`); Agntix session events also carry `sessionId` (= the call id) and
 * `session_variables` echoed verbatim from the call's metadata.
 */
import { asc, eq } from "drizzle-orm";
import { callTurns } from "../../db/schema/index.ts";
import type { Tx } from "../billing.ts";
import type { CallRow } from "../call-events.ts";
import { callJson } from "../calls.ts";
import { isEndEvent } from "./event-types.ts";

/** One turn of the transcript as webhooks carry it (times in audio ms since stream start). */
export interface TranscriptTurnJson {
  role: "user" | "agent" | "tool" | "dtmf";
  text: string;
  heard_text: string | null;
  interrupted: boolean;
  start_ms: number | null;
  end_ms: number | null;
}

/** The call's transcript in order. */
export function transcriptOf(tx: Tx, callId: string): TranscriptTurnJson[] {
  return tx
    .select()
    .from(callTurns)
    .where(eq(callTurns.callId, callId))
    .orderBy(asc(callTurns.seq))
    .all()
    .map((t) => ({ role: t.role, text: t.text, heard_text: t.heardText, interrupted: t.interrupted, start_ms: t.startMs, end_ms: t.endMs }));
}

/**
 * The exact JSON body of an event. `atMs` is when the event happened (epoch ms); `call` is the
 * call as it is when the body is built. End events carry the transcript.
 */
export function buildPayload(type: string, call: CallRow, atMs: number, transcript: TranscriptTurnJson[] | null): string {
  const data: Record<string, unknown> = { ...callJson(call) };
  if (isEndEvent(type)) data.transcript = transcript ?? [];
  const body: Record<string, unknown> = { type, timestamp: new Date(atMs).toISOString() };
  if (type.startsWith("session.")) {
    body.sessionId = call.id;
    body.session_variables = call.metadata.session_variables ?? null;
  }
  body.data = data;
  return JSON.stringify(body);
}
