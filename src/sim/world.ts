/**
 * The simulated carrier and providers, all on 127.0.0.1: a Twilio REST fake that answers and then
 * plays a recorded call as the callee over a real Media Streams websocket to the gateway, and the
 * protocol-faithful fakes of Deepgram (scripted from the recording's labels), ElevenLabs and
 * OpenAI. The real SDKs talk to them. Used by `bun run demo`, the end-to-end tests and the
 * latency benchmarks; a new user sees the whole product work without any key.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type Config } from "../config.ts";
import { buildGateway, type Gateway, type GatewayOptions } from "../gateway.ts";
import { createTwilioTelephony } from "../providers/telephony/twilio.ts";
import { DeepgramStt } from "../providers/stt/deepgram.ts";
import { ElevenLabsHttpTts } from "../providers/tts/elevenlabs-http.ts";
import { OpenAiLlm } from "../providers/llm/openai.ts";
import { serve } from "../server.ts";
import { startDeepgramFake, type DeepgramFake, type ScriptedUtterance } from "./fakes/deepgram.ts";
import { startElevenLabsFake, type ElevenLabsFake } from "./fakes/elevenlabs.ts";
import { startOpenAiFake, type OpenAiFake, type ScriptedReply, type ChatRequestBody } from "./fakes/openai.ts";
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

export interface SimWorldOptions {
  latencies: Partial<SimLatencies>;
  /** The recorded call the callee plays, by destination number (default: `defaultFixture`). */
  fixtureFor: (to: string) => string;
  defaultFixture: string;
  /** Speed of the callee's audio (1 = real time). */
  speed: number;
  /** The agent's replies. */
  reply: (body: ChatRequestBody) => ScriptedReply;
  /** Extra configuration. */
  env: Record<string, string>;
  gateway: GatewayOptions;
  /** Echo of our audio on the callee's line (speakerphone), linear gain. */
  echoGain: number;
}

export interface SimWorld extends AsyncDisposable {
  gateway: Gateway;
  config: Config;
  server: ReturnType<typeof serve>;
  twilio: TwilioRestFake;
  deepgram: DeepgramFake;
  elevenlabs: ElevenLabsFake;
  openai: OpenAiFake;
  /** Media clients by call id (the callees). */
  callees: Map<string, TwilioMediaClient>;
  baseUrl: string;
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

const DEFAULT_REPLY = (body: ChatRequestBody): ScriptedReply => {
  const turns = (body.messages ?? []).filter((m) => m.role === "user").length;
  if (turns >= 3) return { text: "Thank you, that's all I needed. Goodbye! [END_CALL]" };
  return { text: "Thanks, I understand. Could you tell me a little more about that?" };
};

/** Starts every fake, and a gateway served on a free port that uses them. */
export async function startSimWorld(overrides: Partial<SimWorldOptions> = {}): Promise<SimWorld> {
  const o: SimWorldOptions = {
    latencies: {},
    fixtureFor: () => "",
    defaultFixture: join(CORPUS_DIR, "turns-pause-01.ndjson"),
    speed: 1,
    reply: DEFAULT_REPLY,
    env: {},
    gateway: {},
    echoGain: 0,
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
  // The gateway's port must be known before its configuration (PUBLIC_URL): take a free one.
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port ?? 0;
  await probe.stop(true);
  const baseUrl = `http://127.0.0.1:${port}`;
  let gateway!: Gateway;
  const twilio = startTwilioRestFake({
    accountSid: SIM_ACCOUNT_SID,
    authToken: SIM_AUTH_TOKEN,
    autoAdvance: true,
    onAnswer: async (call) => {
      const callId = /name="callId" value="([^"]+)"/.exec(call.twiml)?.[1] ?? "";
      const token = /name="token" value="([^"]+)"/.exec(call.twiml)?.[1] ?? "";
      const url = /<Stream url="([^"]+)"/.exec(call.twiml)?.[1] ?? "";
      const fixturePath = o.fixtureFor(call.to) || o.defaultFixture;
      const fixture = readFixture(fixturePath);
      scripts.set(callId, scriptFromFixture(fixture));
      const client = connectTwilioMediaClient({ url, signedUrl: url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId, token }, speed: o.speed, echoGain: o.echoGain });
      callees.set(callId, client);
      // The callee hangs up when their recording ends, or when we close the stream.
      void Promise.race([client.finishedStreaming, client.closed]).then(() => {
        client.close();
        twilio.calleeHangup(call.sid);
      });
    },
  });
  const config = loadConfig({
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: "silent",
    DATABASE_PATH: ":memory:",
    TWILIO_API_BASE_URL: twilio.baseUrl,
    ...o.env,
  });
  const simTelephony = createTwilioTelephony({ baseUrl: twilio.baseUrl })({ accountSid: SIM_ACCOUNT_SID, authToken: SIM_AUTH_TOKEN });
  gateway = buildGateway(config, {
    simTelephony,
    simAuthToken: SIM_AUTH_TOKEN,
    providers: {
      stt: new DeepgramStt({ apiKey: deepgram.options.apiKey, baseUrl: deepgram.baseUrl }),
      tts: new ElevenLabsHttpTts({ apiKey: elevenlabs.options.apiKey, baseUrl: elevenlabs.baseUrl }),
      llm: new OpenAiLlm({ apiKey: openai.options.apiKey, baseUrl: openai.baseUrl }),
    },
    ...o.gateway,
  });
  const server = serve(gateway, { port, hostname: "127.0.0.1" });
  return {
    gateway,
    config,
    server,
    twilio,
    deepgram,
    elevenlabs,
    openai,
    callees,
    baseUrl,
    async [Symbol.asyncDispose]() {
      for (const c of callees.values()) c.close();
      await server.stop(true);
      await Promise.all([twilio.stop(), deepgram.stop(), elevenlabs.stop(), openai.stop()]);
      gateway.close();
    },
  };
}
