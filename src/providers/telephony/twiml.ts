/**
 * TwiML for the media stream: `<Connect><Stream url>` with the call id and per-call token as
 * `<Parameter>`s. Twilio strips query strings from the stream URL, so identifiers travel as
 * parameters and arrive in the `start` message's `customParameters` (PROTOCOLS.md).
 */
import twilio from "twilio";

/** Twilio's maximum inline TwiML length, characters. */
export const TWIML_MAX_CHARS = 4000;

/** What the stream TwiML carries. */
export interface StreamTwimlInput {
  /** Absolute `wss://` URL of our media websocket, without a query string. */
  readonly streamUrl: string;
  readonly callId: string;
  /** Per-call secret checked on `start`. */
  readonly token: string;
}

/** Raised for input Twilio would reject or silently mangle. */
export class TwimlError extends Error {
  constructor(
    readonly code: "invalid_stream_url" | "twiml_too_long",
    message: string,
  ) {
    super(message);
    this.name = "TwimlError";
  }
}

/** Builds `<Response><Connect><Stream url><Parameter…/></Stream></Connect></Response>`. */
export function buildStreamTwiml(input: StreamTwimlInput): string {
  let url: URL;
  try {
    url = new URL(input.streamUrl);
  } catch {
    throw new TwimlError("invalid_stream_url", `stream URL is not absolute: ${input.streamUrl}`);
  }
  if (url.protocol !== "wss:" && url.protocol !== "ws:") {
    throw new TwimlError("invalid_stream_url", `stream URL must be wss://, got ${url.protocol}`);
  }
  if (url.search !== "" || input.streamUrl.includes("?")) {
    throw new TwimlError("invalid_stream_url", "Twilio strips the query string of a <Stream> URL");
  }
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({ url: input.streamUrl });
  stream.parameter({ name: "callId", value: input.callId });
  stream.parameter({ name: "token", value: input.token });
  const xml = response.toString();
  if (xml.length > TWIML_MAX_CHARS) {
    throw new TwimlError("twiml_too_long", `TwiML is ${xml.length} chars; Twilio accepts ${TWIML_MAX_CHARS}`);
  }
  return xml;
}
