/**
 * X-Twilio-Signature helpers. Twilio signs a request as
 * base64(HMAC-SHA1(authToken, url + concat(name + value for each POST param, names sorted))).
 * Validation goes through `twilio.validateRequest` (constant-time compare, tolerant of the
 * explicit/implicit port variants Twilio may have signed); computing is for our own fakes.
 */
import twilio from "twilio";

/** Form parameters of a signed request (all strings, as Twilio posts them). */
export type SignedParams = Readonly<Record<string, string>>;

/** Name of the header Twilio signs with. */
export const TWILIO_SIGNATURE_HEADER = "X-Twilio-Signature";

/**
 * True when `signature` is Twilio's signature of `url` + `params` under `authToken`.
 * For the media websocket upgrade pass the exact `wss://` URL from the TwiML and `{}`.
 */
export function isValidTwilioSignature(input: {
  readonly authToken: string;
  readonly signature: string | null | undefined;
  readonly url: string;
  readonly params?: SignedParams;
}): boolean {
  if (!input.signature) return false;
  return twilio.validateRequest(input.authToken, input.signature, input.url, { ...(input.params ?? {}) });
}

/** Computes the signature Twilio would send for `url` + `params`. */
export function computeTwilioSignature(authToken: string, url: string, params: SignedParams = {}): string {
  return twilio.getExpectedTwilioSignature(authToken, url, { ...params });
}

/** Reads a form body (application/x-www-form-urlencoded) into the flat map Twilio signs. */
export function formToParams(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(body)) out[k] = v;
  return out;
}
