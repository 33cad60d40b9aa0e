/**
 * Provider errors as data (ARCHITECTURE rule 7): every adapter turns a vendor failure into a
 * ProviderError carrying the vendor's own code, the HTTP status when there was one, and whether
 * trying again may help. Callers decide on retries and apologies from `retryable` alone.
 */

/** Which vendor port raised the error. */
export type ProviderName = "twilio" | "deepgram" | "elevenlabs" | "openai";

/** Fields of a provider error. */
export interface ProviderErrorInit {
  readonly provider: ProviderName;
  /** Vendor error code (Twilio numeric code, HTTP-ish string, or one of ours such as "timeout"). */
  readonly code: string | number;
  /** HTTP status of the vendor response, when there was one. */
  readonly status?: number;
  readonly message: string;
  /** True when the same request may succeed later (429, 5xx, timeouts, dropped connections). */
  readonly retryable: boolean;
  readonly cause?: unknown;
}

/** A failure of a vendor service, normalised. */
export class ProviderError extends Error {
  readonly provider: ProviderName;
  readonly code: string | number;
  readonly status: number | undefined;
  readonly retryable: boolean;

  constructor(init: ProviderErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "ProviderError";
    this.provider = init.provider;
    this.code = init.code;
    this.status = init.status;
    this.retryable = init.retryable;
  }

  /** Plain-data view (for logs, events and `toEqual` in tests). */
  toJSON(): { provider: ProviderName; code: string | number; status?: number; message: string; retryable: boolean } {
    const out: { provider: ProviderName; code: string | number; status?: number; message: string; retryable: boolean } = {
      provider: this.provider,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
    };
    if (this.status !== undefined) out.status = this.status;
    return out;
  }
}

/** HTTP statuses worth retrying: request timeout, conflict-ish throttling, rate limit, server side. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 425 || status === 429 || status >= 500;
}

/** Our own error codes, shared by all adapters. */
export const ProviderErrorCode = Object.freeze({
  /** A bounded wait (connect, first byte, idle) elapsed. */
  timeout: "timeout",
  /** The caller aborted through its AbortSignal. */
  aborted: "aborted",
  /** The connection failed or dropped. */
  network: "network",
  /** The vendor answered something we could not understand. */
  protocol: "protocol",
} as const);

/** True when `err` is (or wraps) an abort raised by an AbortSignal. */
export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === "AbortError" || err.name === "APIUserAbortError");
}
