/**
 * Twilio's voice webhook for inbound calls to our numbers. The request is signed by the number's
 * Twilio account; the answer is TwiML connecting the call's media stream to the number's inbound
 * agent. Anything we will not take is rejected in TwiML (Twilio then plays busy to the caller).
 */
import { and, eq } from "drizzle-orm";
import { Elysia } from "elysia";
import twilio from "twilio";
import { phoneNumbers } from "../../db/schema/index.ts";
import { ApiError } from "../../lib/errors.ts";
import { isValidTwilioSignature } from "../../providers/telephony/signature.ts";
import { buildStreamTwiml } from "../../providers/telephony/twiml.ts";
import { mediaUrl } from "../../services/dispatch.ts";
import type { ApiDeps } from "../context.ts";

const twimlResponse = (xml: string) => new Response(xml, { headers: { "content-type": "text/xml" } });

function reject(): Response {
  const r = new twilio.twiml.VoiceResponse();
  r.reject({ reason: "busy" });
  return twimlResponse(r.toString());
}

export function twilioVoiceRoutes(deps: ApiDeps) {
  return new Elysia().post("/twilio/voice", ({ body, headers }) => {
    const form = (body ?? {}) as Record<string, string>;
    const url = `${deps.config.PUBLIC_URL}/twilio/voice`;
    const signature = headers["x-twilio-signature"];
    // The same number may be registered by several accounts: the signature says whose call it is.
    const candidates = deps.db.select().from(phoneNumbers).where(and(eq(phoneNumbers.number, form.To ?? ""), eq(phoneNumbers.provider, "twilio"))).all();
    const number = candidates.find((n) => {
      if (!n.twilioAuthTokenSealed) return false;
      return isValidTwilioSignature({ authToken: deps.secrets.open(n.twilioAuthTokenSealed), signature, url, params: form });
    });
    if (!number) throw new ApiError("invalid_signature", 403, "X-Twilio-Signature does not match any of our numbers");
    try {
      const { call, token } = deps.dispatch.answerInbound(number, { from: form.From ?? "", callSid: form.CallSid ?? "" });
      deps.log.info({ call_id: call.id, number_id: number.id }, "inbound call answered");
      return twimlResponse(buildStreamTwiml({ streamUrl: mediaUrl(deps.config, call.id), callId: call.id, token }));
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      deps.log.warn({ number_id: number.id, code: e.code }, "inbound call rejected");
      return reject();
    }
  }, { detail: { tags: ["Twilio"], summary: "Twilio voice webhook for inbound calls (signed)" } });
}
