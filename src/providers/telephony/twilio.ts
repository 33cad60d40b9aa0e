/**
 * Twilio adapter for the telephony port, through the official SDK (twilio 6.2.0).
 * Credentials come per call (from the phone-number row), so this module exports a factory.
 */
import twilio from "twilio";
import { ProviderError, ProviderErrorCode, isRetryableStatus } from "../errors.ts";
import { FetchTwilioHttpClient, TwilioTransportError } from "./http-client.ts";
import { TWIML_MAX_CHARS } from "./twiml.ts";
import type {
  CarrierCallState,
  CarrierCallStatus,
  CreateCallRequest,
  CreatedCall,
  TelephonyCredentials,
  TelephonyFactory,
  TelephonyPort,
} from "./port.ts";

/** Options of the Twilio adapter factory. */
export interface TwilioAdapterOptions {
  /** Origin replacing `https://api.twilio.com` (TWILIO_API_BASE_URL); "" = the real Twilio. */
  readonly baseUrl: string;
  /** Bound on each REST request, milliseconds. */
  readonly requestTimeoutMs: number;
}

/** Defaults: real Twilio, 10 s per request. */
export const DEFAULT_TWILIO_ADAPTER_OPTIONS: TwilioAdapterOptions = Object.freeze({
  baseUrl: "",
  requestTimeoutMs: 10_000,
});


const STATUSES: ReadonlySet<string> = new Set<CarrierCallStatus>([
  "queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled",
]);

function asStatus(s: string): CarrierCallStatus {
  if (STATUSES.has(s)) return s as CarrierCallStatus;
  throw new ProviderError({
    provider: "twilio",
    code: ProviderErrorCode.protocol,
    message: `unknown Twilio call status "${s}"`,
    retryable: false,
  });
}

/** Twilio codes that mean "slow down / try later" even when the HTTP status says otherwise. */
const RETRYABLE_TWILIO_CODES: ReadonlySet<number> = new Set([20429, 20500, 20503]);

/** Maps anything the SDK throws to a ProviderError. */
export function toTwilioProviderError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof twilio.RestException) {
    const status = err.status;
    const code = typeof err.code === "number" ? err.code : status;
    return new ProviderError({
      provider: "twilio",
      code,
      status,
      message: err.message,
      retryable: isRetryableStatus(status) || RETRYABLE_TWILIO_CODES.has(code),
      cause: err,
    });
  }
  if (err instanceof TwilioTransportError) {
    return new ProviderError({
      provider: "twilio",
      code: err.kind === "timeout" ? ProviderErrorCode.timeout : ProviderErrorCode.network,
      message: err.message,
      retryable: true,
      cause: err,
    });
  }
  return new ProviderError({
    provider: "twilio",
    code: ProviderErrorCode.protocol,
    message: err instanceof Error ? err.message : String(err),
    retryable: false,
    cause: err,
  });
}

class TwilioTelephony implements TelephonyPort {
  readonly #client: twilio.Twilio;

  constructor(creds: TelephonyCredentials, options: TwilioAdapterOptions) {
    this.#client = twilio(creds.accountSid, creds.authToken, {
      httpClient: new FetchTwilioHttpClient({ baseUrl: options.baseUrl, requestTimeoutMs: options.requestTimeoutMs }),
    });
  }

  async createCall(req: CreateCallRequest): Promise<CreatedCall> {
    if (req.twiml.length > TWIML_MAX_CHARS) {
      throw new ProviderError({
        provider: "twilio",
        code: "twiml_too_long",
        message: `TwiML is ${req.twiml.length} chars; Twilio accepts at most ${TWIML_MAX_CHARS}`,
        retryable: false,
      });
    }
    try {
      const amd = req.machineDetection;
      const call = await this.#client.calls.create({
        to: req.to,
        from: req.from,
        twiml: req.twiml,
        statusCallback: req.statusCallback,
        statusCallbackMethod: "POST",
        statusCallbackEvent: [...req.statusCallbackEvent],
        timeout: req.timeoutSeconds,
        timeLimit: req.timeLimitSeconds,
        ...(amd
          ? {
              machineDetection: amd.mode,
              asyncAmd: "true",
              asyncAmdStatusCallback: amd.callbackUrl,
              asyncAmdStatusCallbackMethod: "POST",
              ...(amd.timeoutSeconds !== undefined ? { machineDetectionTimeout: amd.timeoutSeconds } : {}),
            }
          : {}),
        ...(req.record !== undefined ? { record: req.record } : {}),
      });
      return { sid: call.sid, status: asStatus(call.status) };
    } catch (err) {
      throw toTwilioProviderError(err);
    }
  }

  async hangup(sid: string, opts: { readonly cancel?: boolean } = {}): Promise<void> {
    try {
      await this.#client.calls(sid).update({ status: opts.cancel ? "canceled" : "completed" });
    } catch (err) {
      throw toTwilioProviderError(err);
    }
  }

  async fetchCall(sid: string): Promise<CarrierCallState> {
    try {
      const call = await this.#client.calls(sid).fetch();
      const duration = Number.parseInt(String(call.duration ?? "0"), 10);
      const state: { status: CarrierCallStatus; durationSeconds: number; answeredBy?: string } = {
        status: asStatus(call.status),
        durationSeconds: Number.isFinite(duration) ? duration : 0,
      };
      if (call.answeredBy) state.answeredBy = call.answeredBy;
      return state;
    } catch (err) {
      throw toTwilioProviderError(err);
    }
  }
}

/**
 * Factory of Twilio ports. `createTwilioTelephony({baseUrl})` once at start-up, then call the
 * result with each phone number's credentials.
 */
export function createTwilioTelephony(overrides: Partial<TwilioAdapterOptions> = {}): TelephonyFactory {
  const options = Object.freeze({ ...DEFAULT_TWILIO_ADAPTER_OPTIONS, ...overrides });
  return (creds) => new TwilioTelephony(creds, options);
}
