/**
 * The call lifecycle as a pure transition function. Twilio status callbacks and our own session
 * both move a call only forward along queued → initiated → ringing → in_progress → a terminal
 * status, and a terminal status never changes (Twilio documents callbacks as possibly duplicated
 * and out of order; SequenceNumber orders them).
 */
import type { CallStatus } from "../db/schema/index.ts";

export const TERMINAL: ReadonlySet<CallStatus> = new Set(["completed", "no_answer", "busy", "canceled", "failed"]);

const RANK: Record<CallStatus, number> = {
  queued: 0,
  initiated: 1,
  ringing: 2,
  in_progress: 3,
  completed: 4,
  no_answer: 4,
  busy: 4,
  canceled: 4,
  failed: 4,
};

export function isTerminal(s: CallStatus): boolean {
  return TERMINAL.has(s);
}

/** True when a call in `from` may move to `to`. */
export function canMove(from: CallStatus, to: CallStatus): boolean {
  if (isTerminal(from)) return false;
  return RANK[to] > RANK[from];
}

/** Twilio's CallStatus spelling to ours; null for anything unknown. */
export function fromTwilioStatus(s: string): CallStatus | null {
  switch (s) {
    case "queued":
    case "initiated":
    case "ringing":
    case "completed":
    case "busy":
    case "failed":
    case "canceled":
      return s;
    case "in-progress":
      return "in_progress";
    case "no-answer":
      return "no_answer";
    default:
      return null;
  }
}

/** Twilio's AnsweredBy to ours. */
export function fromTwilioAnsweredBy(s: string | undefined): "human" | "machine" | "unknown" | null {
  if (!s) return null;
  if (s === "human") return "human";
  if (s === "unknown") return "unknown";
  if (s.startsWith("machine") || s === "fax") return "machine";
  return null;
}

/** The hangup reason of a terminal status when nothing more specific was recorded. */
export function defaultHangupReason(status: CallStatus): string {
  switch (status) {
    case "completed":
      return "caller_hangup";
    case "no_answer":
      return "no_answer";
    case "busy":
      return "busy";
    case "canceled":
      return "canceled";
    default:
      return "failed";
  }
}
