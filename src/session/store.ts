/**
 * What a live call persists, behind a small interface so the session can be driven in tests
 * without a database. The SQLite implementation lives beside it.
 */
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { callTurns, calls, type TurnLatency } from "../db/schema/index.ts";
import { newId } from "../lib/ids.ts";
import type { Percentiles } from "./latency.ts";

export interface TurnRecord {
  role: "user" | "agent" | "tool" | "dtmf";
  text: string;
  heardText?: string | null;
  interrupted?: boolean;
  startMs?: number | null;
  endMs?: number | null;
  latency?: TurnLatency | null;
}

export interface SessionStore {
  /** Stores a turn; answers its sequence number within the call. */
  recordTurn(callId: string, turn: TurnRecord): number;
  setAnsweredBy(callId: string, verdict: "human" | "machine" | "unknown"): void;
  setHangupReason(callId: string, reason: string): void;
  setError(callId: string, message: string): void;
  /** The session is over: latency percentiles and the paths of what was recorded. */
  sessionEnded(callId: string, summary: { latency: Record<string, Percentiles>; recordingPath: string | null; fixturePath: string | null }): void;
}

export class SqliteSessionStore implements SessionStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Optional listener of every stored turn and ended session (live transcript streams). */
  onTurn?: (callId: string, row: typeof callTurns.$inferSelect) => void;
  onEnded?: (callId: string) => void;

  recordTurn(callId: string, t: TurnRecord): number {
    const next = this.db
      .select({ n: sql<number>`coalesce(max(${callTurns.seq}), -1) + 1` })
      .from(callTurns)
      .where(eq(callTurns.callId, callId))
      .get()!.n;
    const row = this.db
      .insert(callTurns)
      .values({
        id: newId("tr"),
        callId,
        seq: next,
        role: t.role,
        text: t.text,
        heardText: t.heardText ?? null,
        interrupted: t.interrupted ?? false,
        startMs: t.startMs ?? null,
        endMs: t.endMs ?? null,
        latency: t.latency ?? null,
        createdAtMs: this.now(),
      })
      .returning()
      .get();
    this.onTurn?.(callId, row);
    return next;
  }

  setAnsweredBy(callId: string, verdict: "human" | "machine" | "unknown"): void {
    this.db.update(calls).set({ answeredBy: verdict, updatedAtMs: this.now() }).where(eq(calls.id, callId)).run();
  }

  setHangupReason(callId: string, reason: string): void {
    this.db
      .update(calls)
      .set({ hangupReason: reason, updatedAtMs: this.now() })
      .where(and(eq(calls.id, callId), sql`${calls.hangupReason} is null`))
      .run();
  }

  setError(callId: string, message: string): void {
    this.db.update(calls).set({ errorMessage: message, updatedAtMs: this.now() }).where(eq(calls.id, callId)).run();
  }

  sessionEnded(callId: string, s: { latency: Record<string, Percentiles>; recordingPath: string | null; fixturePath: string | null }): void {
    this.db
      .update(calls)
      .set({ latency: s.latency, recordingPath: s.recordingPath, fixturePath: s.fixturePath, updatedAtMs: this.now() })
      .where(eq(calls.id, callId))
      .run();
    this.onEnded?.(callId);
  }

  turns(callId: string) {
    return this.db.select().from(callTurns).where(eq(callTurns.callId, callId)).orderBy(callTurns.seq).all();
  }
}
