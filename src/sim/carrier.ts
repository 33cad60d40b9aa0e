/**
 * The simulated carrier: numbers with provider `sim` need no Twilio account. Dialling one goes to
 * a Twilio REST fake that answers and plays a recorded call from the corpus as the callee, over a
 * real Media Streams websocket to the gateway itself; the call's speech-to-text, LLM and TTS go to
 * the same protocol-faithful fakes the tests use (Deepgram scripted from the recording's labels).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Providers } from "../providers/from-config.ts";
import { OpenAiLlm } from "../providers/llm/openai.ts";
import { DeepgramStt } from "../providers/stt/deepgram.ts";
import type { TelephonyPort } from "../providers/telephony/port.ts";
import { createTwilioTelephony } from "../providers/telephony/twilio.ts";
import { ElevenLabsHttpTts } from "../providers/tts/elevenlabs-http.ts";
import { startDeepgramFake, type DeepgramFake, type ScriptedUtterance } from "./fakes/deepgram.ts";
import { startElevenLabsFake, type ElevenLabsFake } from "./fakes/elevenlabs.ts";
import { startOpenAiFake, type ChatRequestBody, type OpenAiFake, type ScriptedReply } from "./fakes/openai.ts";
import { connectTwilioMediaClient, parseFixture, type FixtureEvent, type TwilioMediaClient } from "./fakes/twilio-media-client.ts";
import { startTwilioRestFake, type TwilioRestFake } from "./fakes/twilio-rest.ts";

export const SIM_ACCOUNT_SID = "AC51a51a51a51a51a51a51a51a51a51a51";
export const SIM_AUTH_TOKEN = "sim-auth-token-0123456789abcdef";
export const CORPUS_DIR = join(import.meta.dir, "..", "..", "corpus", "calls");

/** Injected provider latencies (wall ms), fixed so that measurements compare. */
export interface SimLatencies {
  /** Deepgram: delay of each result after the audio that makes it due. */
  sttResultMs: number;
  /** Deepgram's own endpointing, audio ms (its `speech_final`). */
  sttEndpointingMs: number;
  llmFirstTokenMs: number;
  llmTokenIntervalMs: number;
  ttsFirstByteMs: number;
}

export const DEFAULT_SIM_LATENCIES: Readonly<SimLatencies> = Object.freeze({
  sttResultMs: 50,
  sttEndpointingMs: 300,
  llmFirstTokenMs: 300,
  llmTokenIntervalMs: 10,
  ttsFirstByteMs: 150,
});

export interface SimCarrierOptions {
  latencies: Partial<SimLatencies>;
  /** The recorded call the callee plays, by destination number ("" = the default). */
  fixtureFor: (to: string) => string;
  defaultFixture: string;
  /** Speed of the callee's audio (1 = real time). */
  speed: number;
  /** The agent's replies (the LLM fake). */
  reply: (body: ChatRequestBody) => ScriptedReply;
  /** Echo of our audio on the callee's line (speakerphone), linear gain. */
  echoGain: number;
  /** How long the callee stays on the line after their recording ends, ms (callers do not hang up mid-sentence). */
  hangupAfterMs: number;
}

export interface SimCarrier extends AsyncDisposable {
  /** Dials through the REST fake with the simulated account. */
  telephony: TelephonyPort;
  authToken: string;
  /** Adapters (the real SDKs) pointed at the provider fakes. */
  providers: Providers;
  twilio: TwilioRestFake;
  deepgram: DeepgramFake;
  elevenlabs: ElevenLabsFake;
  openai: OpenAiFake;
  /** The callees, by call id. */
  callees: Map<string, TwilioMediaClient>;
  /** The recording each callee plays, by call id. */
  recordings: Map<string, string>;
  /** Scripts the speech-to-text fake for a call from a recording's labels (inbound calls in tests). */
  scriptCall(callId: string, recording: readonly FixtureEvent[]): void;
  stop(): Promise<void>;
}

export function readFixture(path: string): FixtureEvent[] {
  return parseFixture(readFileSync(path, "utf8"));
}

/** The utterances a recording's labels say the caller speaks (audio ms). */
export function scriptFromFixture(events: readonly FixtureEvent[]): ScriptedUtterance[] {
  const header = events[0] as { labels?: { utterances?: { startMs: number; endMs: number; text: string }[]; speech?: [number, number][] } } | undefined;
  const utterances = header?.labels?.utterances;
  if (utterances?.length) return utterances.map((u) => ({ startMs: u.startMs, endMs: u.endMs, text: u.text }));
  return (header?.labels?.speech ?? []).map(([s, e]) => ({ startMs: s, endMs: e, text: "hello" }));
}

/** A polite scripted agent: asks for more twice, then says goodbye and ends the call. */
export function defaultSimReply(body: ChatRequestBody): ScriptedReply {
  const turns = (body.messages ?? []).filter((m) => m.role === "user").length;
  if (turns >= 3) return { text: "Thank you, that's all I needed. Goodbye! [END_CALL]" };
  return { text: "Thanks, I understand. Could you tell me a little more about that?" };
}

export function startSimCarrier(overrides: Partial<SimCarrierOptions> = {}): SimCarrier {
  const o: SimCarrierOptions = {
    latencies: {},
    fixtureFor: () => "",
    defaultFixture: join(CORPUS_DIR, "turns-pause-01.ndjson"),
    speed: 1,
    reply: defaultSimReply,
    echoGain: 0,
    hangupAfterMs: 2500,
    ...overrides,
  };
  const lat = { ...DEFAULT_SIM_LATENCIES, ...o.latencies };
  const scripts = new Map<string, ScriptedUtterance[]>();
  const deepgram = startDeepgramFake({
    resultLatencyMs: lat.sttResultMs,
    endpointingMsOverride: lat.sttEndpointingMs,
    script: (ctx) => scripts.get(ctx.tag ?? "") ?? [],
  });
  const elevenlabs = startElevenLabsFake({ firstByteDelayMs: lat.ttsFirstByteMs });
  const openai = startOpenAiFake({ firstTokenDelayMs: lat.llmFirstTokenMs, tokenIntervalMs: lat.llmTokenIntervalMs, reply: o.reply });
  const callees = new Map<string, TwilioMediaClient>();
  const recordings = new Map<string, string>();
  const twilio = startTwilioRestFake({
    accountSid: SIM_ACCOUNT_SID,
    authToken: SIM_AUTH_TOKEN,
    autoAdvance: true,
    onAnswer: (call) => {
      const callId = /name="callId" value="([^"]+)"/.exec(call.twiml)?.[1] ?? "";
      const token = /name="token" value="([^"]+)"/.exec(call.twiml)?.[1] ?? "";
      const url = /<Stream url="([^"]+)"/.exec(call.twiml)?.[1] ?? "";
      const recordingPath = o.fixtureFor(call.to) || o.defaultFixture;
      recordings.set(callId, recordingPath);
      const recorded = readFixture(recordingPath);
      scripts.set(callId, scriptFromFixture(recorded));
      // The recording's `stop` is sent when the callee really hangs up, not when the audio ends.
      const fixture = recorded.filter((e) => !(e.kind === "twilio" && (e.msg as { event?: string } | undefined)?.event === "stop"));
      const client = connectTwilioMediaClient({ url, signedUrl: url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId, token }, speed: o.speed, echoGain: o.echoGain });
      callees.set(callId, client);
      // The callee hangs up when their recording ends, or when we close the stream.
      let hungUp = false;
      const hangUp = () => {
        if (hungUp) return;
        hungUp = true;
        client.send({ event: "stop", streamSid: "", stop: { accountSid: SIM_ACCOUNT_SID, callSid: call.sid } });
        client.close();
        twilio.calleeHangup(call.sid);
      };
      void client.finishedStreaming.then(() => setTimeout(hangUp, o.hangupAfterMs / o.speed));
      void client.closed.then(hangUp);
    },
  });
  const stop = async () => {
    for (const c of callees.values()) c.close();
    await Promise.all([twilio.stop(), deepgram.stop(), elevenlabs.stop(), openai.stop()]);
  };
  return {
    telephony: createTwilioTelephony({ baseUrl: twilio.baseUrl })({ accountSid: SIM_ACCOUNT_SID, authToken: SIM_AUTH_TOKEN }),
    authToken: SIM_AUTH_TOKEN,
    providers: {
      stt: new DeepgramStt({ apiKey: deepgram.options.apiKey, baseUrl: deepgram.baseUrl }),
      tts: new ElevenLabsHttpTts({ apiKey: elevenlabs.options.apiKey, baseUrl: elevenlabs.baseUrl }),
      llm: new OpenAiLlm({ apiKey: openai.options.apiKey, baseUrl: openai.baseUrl }),
    },
    twilio,
    deepgram,
    elevenlabs,
    openai,
    callees,
    recordings,
    scriptCall: (callId, recording) => void scripts.set(callId, scriptFromFixture(recording)),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
