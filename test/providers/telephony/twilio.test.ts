import { providerErrorOf } from "../../helpers/provider-error.ts";
import { afterEach, describe, expect, test } from "bun:test";
import type { CreateCallRequest } from "../../../src/providers/telephony/port.ts";
import { isValidTwilioSignature } from "../../../src/providers/telephony/signature.ts";
import { createTwilioTelephony } from "../../../src/providers/telephony/twilio.ts";
import { buildStreamTwiml } from "../../../src/providers/telephony/twiml.ts";
import { type TwilioRestFake, startTwilioRestFake } from "../../../src/sim/fakes/twilio-rest.ts";

const ACCOUNT = "AC11111111111111111111111111111111";
const TOKEN = "secret-token";

/** A status-callback receiver that validates signatures like the gateway will. */
function startReceiver() {
  const received: Array<{ params: Record<string, string>; valid: boolean }> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const params: Record<string, string> = {};
      for (const [k, v] of new URLSearchParams(await req.text())) params[k] = v;
      const valid = isValidTwilioSignature({
        authToken: TOKEN,
        signature: req.headers.get("x-twilio-signature"),
        url: req.url,
        params,
      });
      received.push({ params, valid });
      return new Response(null, { status: valid ? 204 : 403 });
    },
  });
  return { received, url: `http://127.0.0.1:${server.port}/v1/twilio/status`, stop: () => server.stop(true) };
}

let fake: TwilioRestFake | undefined;
let receiver: ReturnType<typeof startReceiver> | undefined;
afterEach(async () => {
  await fake?.stop();
  await receiver?.stop();
  fake = undefined;
  receiver = undefined;
});

function setup(overrides: Parameters<typeof startTwilioRestFake>[0] = {}) {
  fake = startTwilioRestFake({ accountSid: ACCOUNT, authToken: TOKEN, nowMs: () => 1_700_000_000_000, ...overrides });
  receiver = startReceiver();
  const port = createTwilioTelephony({ baseUrl: fake.baseUrl, requestTimeoutMs: 50 })({ accountSid: ACCOUNT, authToken: TOKEN });
  return { fake, receiver, port };
}

function dial(to: string, statusCallback: string, extra: Partial<CreateCallRequest> = {}): CreateCallRequest {
  return {
    to,
    from: "+15005550006",
    twiml: buildStreamTwiml({ streamUrl: "wss://gw.example.com/media", callId: "call_1", token: "tok" }),
    statusCallback,
    statusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
    timeoutSeconds: 30,
    timeLimitSeconds: 600,
    ...extra,
  };
}


describe("twilio adapter against the REST fake", () => {
  test("createCall sends Twilio's form fields and returns the call sid", async () => {
    const { fake, receiver, port } = setup();
    const created = await port.createCall(
      dial("+447386172392", receiver.url, {
        machineDetection: { mode: "DetectMessageEnd", callbackUrl: `${receiver.url}/amd`, timeoutSeconds: 20 },
        record: true,
      }),
    );
    expect(created.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(created.status).toBe("queued");
    const req = fake.requests[0];
    expect(req?.authorized).toBe(true);
    expect(req?.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Calls.json`);
    expect(req?.form).toEqual({
      To: ["+447386172392"],
      From: ["+15005550006"],
      Twiml: [dial("", "").twiml],
      StatusCallback: [receiver.url],
      StatusCallbackMethod: ["POST"],
      StatusCallbackEvent: ["initiated", "ringing", "answered", "completed"],
      Timeout: ["30"],
      TimeLimit: ["600"],
      MachineDetection: ["DetectMessageEnd"],
      AsyncAmd: ["true"],
      AsyncAmdStatusCallback: [`${receiver.url}/amd`],
      AsyncAmdStatusCallbackMethod: ["POST"],
      MachineDetectionTimeout: ["20"],
      Record: ["true"],
    });
  });

  test("answered call: signed callbacks in sequence, hangup completes with a duration", async () => {
    const { fake, receiver, port } = setup({ outcomes: { "+14155550100": { kind: "answer", durationSeconds: 42 } } });
    const { sid } = await port.createCall(dial("+14155550100", receiver.url));
    await fake.advance(sid); // initiated
    await fake.advance(sid); // ringing
    await fake.advance(sid); // in-progress
    expect(await port.fetchCall(sid)).toEqual({ status: "in-progress", durationSeconds: 0 });
    await port.hangup(sid);
    await fake.advance(sid); // completed
    expect(await port.fetchCall(sid)).toEqual({ status: "completed", durationSeconds: 42 });
    expect(receiver.received.map((r) => [r.valid, r.params.CallStatus, r.params.SequenceNumber, r.params.CallDuration])).toEqual([
      [true, "initiated", "0", undefined],
      [true, "ringing", "1", undefined],
      [true, "in-progress", "2", undefined],
      [true, "completed", "3", "42"],
    ]);
    expect(receiver.received[3]?.params.Timestamp).toBe("Tue, 14 Nov 2023 22:13:20 +0000");
    expect(fake.requests.at(-2)?.form).toEqual({ Status: ["completed"] });
  });

  test("machine detection: AnsweredBy on the AMD callback, the status callbacks and fetchCall", async () => {
    const { fake, receiver, port } = setup({ outcomes: { "+14155550101": { kind: "answer", answeredBy: "machine_end_beep" } } });
    const { sid } = await port.createCall(
      dial("+14155550101", receiver.url, { machineDetection: { mode: "Enable", callbackUrl: `${receiver.url}/amd` } }),
    );
    await fake.runToEnd(sid);
    expect(receiver.received.map((r) => [r.valid, r.params.CallStatus ?? "amd", r.params.AnsweredBy])).toEqual([
      [true, "initiated", undefined],
      [true, "ringing", undefined],
      [true, "in-progress", "machine_end_beep"],
      [true, "amd", "machine_end_beep"],
      [true, "completed", "machine_end_beep"],
    ]);
    expect((await port.fetchCall(sid)).answeredBy).toBe("machine_end_beep");
  });

  test.each([
    ["busy", "busy", "486"],
    ["no-answer", "no-answer", "487"],
    ["fail", "failed", "503"],
  ] as const)("outcome %s ends in %s", async (kind, status, sip) => {
    const { fake, receiver, port } = setup({ defaultOutcome: { kind } });
    const { sid } = await port.createCall(dial("+14155550102", receiver.url));
    await fake.runToEnd(sid);
    const last = receiver.received.at(-1)?.params;
    expect([last?.CallStatus, last?.SipResponseCode, last?.CallDuration]).toEqual([status, sip, "0"]);
    expect(await port.fetchCall(sid)).toEqual({ status, durationSeconds: 0 });
  });

  test("cancel while ringing posts canceled", async () => {
    const { fake, receiver, port } = setup();
    const { sid } = await port.createCall(dial("+14155550103", receiver.url));
    await fake.advance(sid);
    await fake.advance(sid);
    await port.hangup(sid, { cancel: true });
    await fake.runToEnd(sid);
    expect(receiver.received.map((r) => r.params.CallStatus)).toEqual(["initiated", "ringing", "canceled"]);
  });

  test("duplicate and out-of-order callbacks are reproducible", async () => {
    const { fake, receiver, port } = setup();
    const { sid } = await port.createCall(dial("+14155550104", receiver.url));
    const initiated = await fake.advance(sid, { send: false });
    await fake.advance(sid); // ringing delivered first
    if (!initiated) throw new Error("no initiated callback");
    await fake.deliver(initiated);
    await fake.deliver(initiated);
    expect(receiver.received.map((r) => r.params.SequenceNumber)).toEqual(["1", "0", "0"]);
    expect(initiated.responses).toEqual([204, 204]);
  });

  test("refusals map to ProviderError with Twilio's code", async () => {
    const { fake, receiver, port } = setup({
      outcomes: { "+8613800000000": { kind: "refuse", code: 21215, message: "Account not authorized to call +8613800000000" } },
    });
    expect((await providerErrorOf(port.createCall(dial("+8613800000000", receiver.url)))).toJSON()).toEqual({
      provider: "twilio",
      code: 21215,
      status: 400,
      message: "Account not authorized to call +8613800000000",
      retryable: false,
    });
    expect((await providerErrorOf(port.createCall(dial("07386172392", receiver.url)))).toJSON()).toEqual({
      provider: "twilio",
      code: 21211,
      status: 400,
      message: "Invalid 'To' Phone Number: 07386172392",
      retryable: false,
    });
    expect(fake.calls.size).toBe(0);
  });

  test("bad credentials give 20003, unknown call 20404, throttling is retryable", async () => {
    const { fake, receiver } = setup();
    const wrong = createTwilioTelephony({ baseUrl: fake.baseUrl })({ accountSid: ACCOUNT, authToken: "nope" });
    const e1 = await providerErrorOf(wrong.createCall(dial("+14155550105", receiver.url)));
    expect([e1.code, e1.status, e1.retryable]).toEqual([20003, 401, false]);
    const port = createTwilioTelephony({ baseUrl: fake.baseUrl })({ accountSid: ACCOUNT, authToken: TOKEN });
    const e2 = await providerErrorOf(port.fetchCall("CA00000000000000000000000000000000"));
    expect([e2.code, e2.status, e2.retryable]).toEqual([20404, 404, false]);
    fake.failNext(429, 20429);
    const e3 = await providerErrorOf(port.createCall(dial("+14155550105", receiver.url)));
    expect([e3.code, e3.status, e3.retryable]).toEqual([20429, 429, true]);
  });

  test("a stalled request times out as a retryable ProviderError", async () => {
    const { fake, receiver, port } = setup();
    fake.stallNext();
    const err = await providerErrorOf(port.createCall(dial("+14155550106", receiver.url)));
    expect([err.code, err.retryable]).toEqual(["timeout", true]);
  });

  test("TwiML over 4000 characters is refused before dialling", async () => {
    const { fake, receiver, port } = setup();
    const err = await providerErrorOf(port.createCall(dial("+14155550107", receiver.url, { twiml: `<Response>${"x".repeat(4000)}</Response>` })));
    expect([err.code, err.retryable]).toEqual(["twiml_too_long", false]);
    expect(fake.requests).toEqual([]);
  });

  test("autoAdvance runs to the answer, then a hangup completes the call", async () => {
    const answered = Promise.withResolvers<string>();
    const { fake, receiver, port } = setup({ autoAdvance: true, onAnswer: (call) => answered.resolve(call.sid) });
    const { sid } = await port.createCall(dial("+14155550108", receiver.url));
    expect(await answered.promise).toBe(sid);
    await port.hangup(sid);
    await fake.stop(); // drains the background steps
    expect(receiver.received.map((r) => r.params.CallStatus)).toEqual(["initiated", "ringing", "in-progress", "completed"]);
  });
});
