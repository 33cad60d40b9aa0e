/**
 * ElevenLabs failures as ProviderError. ElevenLabs answers errors as
 * `{"detail":{"status":"invalid_api_key","message":"…"}}` (or a list of validation issues for 422).
 */
import { ElevenLabsError, ElevenLabsTimeoutError } from "@elevenlabs/elevenlabs-js";
import { ProviderError, ProviderErrorCode, isAbortError, isRetryableStatus } from "../errors.ts";

function detailOf(body: unknown): { status?: string; message?: string } {
  if (!body || typeof body !== "object" || !("detail" in body)) return {};
  const detail = (body as { detail: unknown }).detail;
  if (typeof detail === "string") return { message: detail };
  if (Array.isArray(detail)) return { status: "validation_error", message: JSON.stringify(detail) };
  if (detail && typeof detail === "object") {
    const d = detail as { status?: unknown; message?: unknown; code?: unknown };
    const out: { status?: string; message?: string } = {};
    if (typeof d.status === "string") out.status = d.status;
    else if (typeof d.code === "string") out.status = d.code;
    if (typeof d.message === "string") out.message = d.message;
    return out;
  }
  return {};
}

/** Maps anything the SDK (or our websocket) throws to a ProviderError. */
export function toElevenLabsError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (isAbortError(err)) {
    return new ProviderError({ provider: "elevenlabs", code: ProviderErrorCode.aborted, message: "elevenlabs request aborted", retryable: false, cause: err });
  }
  if (err instanceof ElevenLabsTimeoutError) {
    return new ProviderError({ provider: "elevenlabs", code: ProviderErrorCode.timeout, message: err.message, retryable: true, cause: err });
  }
  if (err instanceof ElevenLabsError && err.statusCode !== undefined) {
    const detail = detailOf(err.body);
    return new ProviderError({
      provider: "elevenlabs",
      code: detail.status ?? `http_${err.statusCode}`,
      status: err.statusCode,
      message: detail.message ?? err.message,
      retryable: isRetryableStatus(err.statusCode),
      cause: err,
    });
  }
  return new ProviderError({
    provider: "elevenlabs",
    code: ProviderErrorCode.network,
    message: err instanceof Error ? err.message : String(err),
    retryable: true,
    cause: err,
  });
}
