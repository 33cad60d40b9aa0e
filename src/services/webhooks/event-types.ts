/** The webhook event types and which of them end a call. */
import type { CallEventType } from "../call-events.ts";

export const WEBHOOK_EVENT_TYPES = [
  "call.initiated",
  "call.ringing",
  "call.answered",
  "call.completed",
  "call.failed",
  "session.created",
  "session.ended",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** Subscribing to `*` means every type, including ones added later. */
export const ALL_EVENTS = "*";

/** Events that carry the call's outcome (transcript, result). */
export function isEndEvent(type: string): boolean {
  return type === "call.completed" || type === "call.failed" || type === "session.ended";
}

/**
 * Events held until the call's post-call step has finished: the end of a call that connected
 * (its transcript and extraction result must be in the payload). A call that failed goes out at
 * once.
 */
export function waitsForPostCall(type: string): boolean {
  return type === "call.completed" || type === "session.ended";
}

/** The webhook types one lifecycle event becomes, for a call of the given dialect. */
export function webhookTypesFor(type: CallEventType, dialect: string | null): WebhookEventType[] {
  if (dialect !== "agntix") return [type];
  if (type === "call.initiated") return ["session.created", type];
  if (type === "call.completed" || type === "call.failed") return [type, "session.ended"];
  return [type];
}
