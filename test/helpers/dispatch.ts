/** A gateway wired to the Twilio REST fake, with an outbound agent, a number and credits. */
import { startTwilioRestFake, type FakeCallback, type TwilioRestFake } from "../../src/sim/fakes/twilio-rest.ts";
import { testGateway, type TestGateway } from "./gateway.ts";

export const TWILIO_SID = "AC0123456789abcdef0123456789abcdef";
export const TWILIO_TOKEN = "fake-auth-token-0123456789";
export const PUBLIC_URL = "https://gw.test";
export const CALLEE = "+447386172392";

export interface DispatchWorld {
  gw: TestGateway;
  fake: TwilioRestFake;
  agentId: string;
  numberId: string;
  /** Delivers a fake status callback to the gateway (through app.handle). */
  deliver(cb: FakeCallback | null, signature?: string): Promise<number>;
  /** Performs the call's next carrier step and delivers its callback. */
  step(sid: string): Promise<number>;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function dispatchWorld(env: Record<string, string> = {}, opts: { credits?: number } = {}): Promise<DispatchWorld> {
  const fake = startTwilioRestFake({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
  const gw = testGateway({ TWILIO_API_BASE_URL: fake.baseUrl, PUBLIC_URL, ...env });
  if ((opts.credits ?? 10_000_000) > 0) gw.accounts.addCredits(gw.accountA, opts.credits ?? 10_000_000);
  const agent = await gw.request("POST", "/v1/agents", {
    body: {
      name: "Reminders",
      type: "outbound",
      persona: "You are {agent_name} from Acme.",
      instructions: "Remind {{patient}} of the appointment.",
      initial_greeting: "Hi {patient}!",
      voicemail_action: "leave_message",
      voicemail_message: "Hi {patient}, call us back at {phone}.",
      max_duration_seconds: 300,
      returns: { type: "object", properties: { confirmed: { type: "boolean" } } },
    },
  });
  const number = await gw.request("POST", "/v1/phone-numbers", {
    body: { number: "+14155550100", twilio_account_sid: TWILIO_SID, twilio_auth_token: TWILIO_TOKEN, agent_id: agent.body.id },
  });
  const deliver = async (cb: FakeCallback | null, signature?: string) => {
    if (!cb) return 0;
    const res = await gw.app.handle(
      new Request(cb.url, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": signature ?? cb.signature },
        body: new URLSearchParams(cb.params as Record<string, string>).toString(),
      }),
    );
    return res.status;
  };
  return {
    gw,
    fake,
    agentId: agent.body.id,
    numberId: number.body.id,
    deliver,
    step: async (sid) => deliver(await fake.advance(sid, { send: false })),
    async [Symbol.asyncDispose]() {
      gw.close();
      await fake.stop();
    },
  };
}
