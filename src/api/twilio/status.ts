/**
 * Twilio status callbacks for outbound calls. The signature is checked against the exact URL we
 * gave Twilio (rebuilt from PUBLIC_URL, never from the Host header) with the call's auth token.
 */
import { Elysia, t } from "elysia";
import { isValidTwilioSignature } from "../../providers/telephony/signature.ts";
import { ApiError } from "../../lib/errors.ts";
import type { ApiDeps } from "../context.ts";

export function twilioStatusRoutes(deps: ApiDeps) {
  return new Elysia().post("/twilio/status/:callId", ({ params, body, headers, set }) => {
    const form = (body ?? {}) as Record<string, string>;
    const call = deps.calls.byId(params.callId);
    const token = call ? deps.authTokenForCall(call) : null;
    const url = `${deps.config.PUBLIC_URL}/twilio/status/${params.callId}`;
    if (!call || !token || !isValidTwilioSignature({ authToken: token, signature: headers["x-twilio-signature"], url, params: form })) {
      throw new ApiError("invalid_signature", 403, "X-Twilio-Signature does not match");
    }
    if (form.CallSid && call.providerCallSid && form.CallSid !== call.providerCallSid) {
      throw new ApiError("invalid_field", 400, "CallSid does not belong to this call", { field: "CallSid" });
    }
    const sequence = Number.parseInt(form.SequenceNumber ?? "", 10);
    const duration = Number.parseInt(form.CallDuration ?? "", 10);
    const { changed } = deps.calls.applyCarrierReport(call.id, {
      status: form.CallStatus ?? "",
      sequence: Number.isFinite(sequence) ? sequence : null,
      ...(Number.isFinite(duration) ? { durationSeconds: duration } : {}),
      ...(form.AnsweredBy ? { answeredBy: form.AnsweredBy } : {}),
      ...(form.SipResponseCode ? { sipResponseCode: form.SipResponseCode } : {}),
      ...(form.ErrorCode ? { errorCode: form.ErrorCode } : {}),
    });
    deps.log.info({ call_id: call.id, call_status: form.CallStatus, sequence: form.SequenceNumber, applied: changed }, "twilio status callback");
    set.status = 204;
    return "";
  }, { params: t.Object({ callId: t.String() }), detail: { tags: ["Twilio"], summary: "Twilio status callback (signed)" } });
}
