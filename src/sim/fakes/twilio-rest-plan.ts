/**
 * What the Twilio REST fake does with a dialled number: the scripted outcome and the sequence of
 * carrier states (each one a status callback) it leads to. Pure data, no I/O.
 *
 * Sequence per Twilio's call progress events: initiated → ringing → in-progress (event
 * "answered") → completed; a call that never connects ends in busy / no-answer / failed instead
 * of in-progress. Terminal statuses are always posted, even when not asked for, as Twilio does
 * for "completed" (the default event).
 */

/** Scripted outcome of dialling one destination. */
export type DialOutcome =
  | {
      readonly kind: "answer";
      /** Connected seconds reported on completion (default 5). */
      readonly durationSeconds?: number;
      /** Twilio AnsweredBy when machine detection was asked (default "human"). */
      readonly answeredBy?: string;
    }
  | { readonly kind: "busy" }
  | { readonly kind: "no-answer" }
  | { readonly kind: "fail" }
  /** The REST call itself is refused (no call created), e.g. 21211 invalid To, 21215 geo permission. */
  | { readonly kind: "refuse"; readonly code: number; readonly message?: string; readonly status?: number };

/** Twilio call status (its spelling). */
export type FakeCallStatus =
  | "queued" | "initiated" | "ringing" | "in-progress" | "completed" | "busy" | "no-answer" | "failed" | "canceled";

/** One carrier state change of a call, posted as a status callback. */
export interface PlannedStep {
  readonly status: Exclude<FakeCallStatus, "queued">;
  /** The statusCallbackEvent name that subscribes to this step. */
  readonly event: "initiated" | "ringing" | "answered" | "completed";
  /** SIP final response code where Twilio sends one. */
  readonly sipResponseCode?: number;
}

/** Carrier steps for an outcome (after creation). `refuse` has none. */
export function planSteps(outcome: DialOutcome): PlannedStep[] {
  switch (outcome.kind) {
    case "answer":
      return [
        { status: "initiated", event: "initiated" },
        { status: "ringing", event: "ringing" },
        { status: "in-progress", event: "answered" },
        { status: "completed", event: "completed", sipResponseCode: 200 },
      ];
    case "busy":
      return [
        { status: "initiated", event: "initiated" },
        { status: "ringing", event: "ringing" },
        { status: "busy", event: "completed", sipResponseCode: 486 },
      ];
    case "no-answer":
      return [
        { status: "initiated", event: "initiated" },
        { status: "ringing", event: "ringing" },
        { status: "no-answer", event: "completed", sipResponseCode: 487 },
      ];
    case "fail":
      return [
        { status: "initiated", event: "initiated" },
        { status: "failed", event: "completed", sipResponseCode: 503 },
      ];
    case "refuse":
      return [];
  }
}

/** Error texts Twilio uses for the refusal codes most often scripted. */
export const TWILIO_ERROR_MESSAGES: Readonly<Record<number, string>> = Object.freeze({
  20003: "Authenticate",
  20404: "The requested resource was not found",
  21201: "No 'To' number is specified",
  21210: "'From' phone number not verified",
  21211: "Invalid 'To' Phone Number",
  21212: "Invalid 'From' Phone Number",
  21213: "No 'From' number is specified",
  21214: "'To' phone number cannot be reached",
  21215: "Account not authorized to call this number (geographic permissions)",
  21216: "Account not allowed to call this number (blocked)",
  20429: "Too Many Requests",
});

/** True when the status ends the call. */
export function isTerminal(status: string): boolean {
  return status === "completed" || status === "busy" || status === "no-answer" || status === "failed" || status === "canceled";
}
