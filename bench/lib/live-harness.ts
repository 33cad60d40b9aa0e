/**
 * Runs live calls over real websockets on loopback: the gateway in this process, the simulated
 * carrier (Twilio REST and media, Deepgram, ElevenLabs, OpenAI fakes) in a child process so the
 * measurements are of the gateway's process alone.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { buildGateway, type Gateway } from "../../src/gateway.ts";
import { OpenAiLlm } from "../../src/providers/llm/openai.ts";
import { DeepgramStt } from "../../src/providers/stt/deepgram.ts";
import { createTwilioTelephony } from "../../src/providers/telephony/twilio.ts";
import { ElevenLabsHttpTts } from "../../src/providers/tts/elevenlabs-http.ts";
import { serve } from "../../src/server.ts";
import { CORPUS_DIR, SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, type SimLatencies } from "../../src/sim/carrier.ts";
import { freePort } from "../../src/sim/world.ts";
import type { TurnLatency } from "../../src/db/schema/transcripts.ts";
import type { SessionOptions } from "../../src/session/call-session.ts";
import { computeTwilioSignature } from "../../src/providers/telephony/signature.ts";
import { connectTwilioMediaClient, parseFixture } from "../../src/sim/fakes/twilio-media-client.ts";

export interface CalleeStats {
  callId: string;
  underruns: number;
  playedBytes: number;
  marks: number;
  media: number;
  clearsAtMs: number[];
  firstMediaAtMs: number | null;
  /** When the callee heard our audio: [startMs, endMs] runs, ms since it connected. */
  playbackRuns: [number, number][];
  /** The recording the callee played. */
  fixture: string | null;
  staleMarksAfterClear: number;
}

export interface LiveRun {
  calls: number;
  wallMs: number;
  cpuPercent: number;
  rssBaseMb: number;
  rssPeakMb: number;
  memoryPerCallKb: number;
  /** JavaScript heap growth at the peak, per call (RSS also holds JIT code and allocator slack). */
  heapPerCallKb: number;
  loopLagMs: { p50: number; p99: number; max: number };
  turns: TurnLatency[];
  callees: CalleeStats[];
  statuses: Record<string, number>;
  errors: string[];
}

interface Child {
  proc: ReturnType<typeof Bun.spawn>;
  urls: { twilio: string; deepgram: string; elevenlabs: string; openai: string; control: string };
}

async function startCarrierProcess(latencies: Partial<SimLatencies>, fixtures: string[]): Promise<Child> {
  const proc = Bun.spawn(["bun", "run", join(import.meta.dir, "..", "..", "src", "sim", "carrier-process.ts")], {
    env: { ...process.env, SIM_CARRIER_OPTIONS: JSON.stringify({ latencies, fixtures, speed: 1 }) },
    stdout: "pipe",
    stderr: "inherit",
  });
  const reader = proc.stdout.getReader();
  let buf = "";
  while (!buf.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("carrier process exited");
    buf += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return { proc, urls: JSON.parse(buf.split("\n")[0]!) };
}

/** Samples event-loop lag: how late a 10 ms timer fires. */
function lagSampler() {
  const lags: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lags.push(Math.max(0, now - last - 10));
    last = now;
  }, 10);
  return {
    stop() {
      clearInterval(timer);
      const s = lags.sort((a, b) => a - b);
      const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
      return { p50: q(0.5), p99: q(0.99), max: s.at(-1) ?? 0 };
    },
  };
}

export const TURN_FIXTURES = ["turns-pause-01", "turns-number-01", "turns-um-01"].map((n) => join(CORPUS_DIR, `${n}.ndjson`));

/** Places `calls` simultaneous outbound calls and waits until all of them have ended. */
export async function runLive(opts: {
  calls: number;
  latencies: Partial<SimLatencies>;
  fixtures?: string[];
  timeoutMs?: number;
  dialsPerSecond?: number;
  /** Live session options of the gateway (e.g. the playout lead). */
  session?: Partial<SessionOptions>;
}): Promise<LiveRun> {
  const child = await startCarrierProcess(opts.latencies, opts.fixtures ?? TURN_FIXTURES);
  const port = await freePort();
  const config = loadConfig({
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: "silent",
    DATABASE_PATH: ":memory:",
    MAX_CONCURRENT_CALLS: "100000",
    TWILIO_API_BASE_URL: child.urls.twilio,
  });
  const gateway: Gateway = buildGateway(config, {
    session: opts.session,
    sim: {
      telephony: createTwilioTelephony({ baseUrl: child.urls.twilio })({ accountSid: SIM_ACCOUNT_SID, authToken: SIM_AUTH_TOKEN }),
      authToken: SIM_AUTH_TOKEN,
      providers: {
        stt: new DeepgramStt({ apiKey: "fake-deepgram-key", baseUrl: child.urls.deepgram }),
        tts: new ElevenLabsHttpTts({ apiKey: "fake-elevenlabs-key", baseUrl: child.urls.elevenlabs }),
        llm: new OpenAiLlm({ apiKey: "fake-openai-key", baseUrl: child.urls.openai }),
      },
    },
  });
  const server = serve(gateway, { port, hostname: "127.0.0.1" });
  try {
    const acct = gateway.accounts.createAccount("bench");
    gateway.accounts.addCredits(acct.id, 1_000_000_000);
    const key = gateway.accounts.createKey(acct.id).key;
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as any;
    const agent = await post("/v1/agents", { name: "bench", type: "outbound", initial_greeting: "Hi, this is Ana from Acme. How can I help?" });
    await post("/v1/phone-numbers", { number: "+15550100000", provider: "sim", agent_id: agent.id });
    Bun.gc(true);
    const rssBase = process.memoryUsage().rss;
    const heapBase = process.memoryUsage().heapUsed;
    let rssPeak = rssBase;
    let heapPeak = heapBase;
    const mem = setInterval(() => {
      // memoryUsage() is cheap; bun:jsc heapStats() walks the heap and would stall the calls measured.
      const m = process.memoryUsage();
      heapPeak = Math.max(heapPeak, m.heapUsed);
      rssPeak = Math.max(rssPeak, m.rss);
    }, 200);
    const lag = lagSampler();
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const errors: string[] = [];
    const ids: string[] = [];
    // Dial at most `dialsPerSecond` (a carrier rate-limits call creation; Twilio's default is 1/s
    // per number, raised on request): the calls still overlap, as the recordings last ~15 s.
    const perSecond = opts.dialsPerSecond ?? 100;
    const pending: Promise<void>[] = [];
    for (let i = 0; i < opts.calls; i++) {
      if (i > 0 && i % perSecond === 0) await Bun.sleep(1000);
      pending.push(
        post("/v1/calls", { agent_id: agent.id, to: `+1555${String(2000000 + i).padStart(7, "0")}` }).then((res) => {
          if (res.id) ids.push(res.id);
          else errors.push(JSON.stringify(res.error ?? res));
        }),
      );
    }
    await Promise.all(pending);
    const deadline = t0 + (opts.timeoutMs ?? 90_000);
    const terminal = new Set(["completed", "failed", "busy", "no_answer", "canceled"]);
    // Poll only the calls still running, and rarely: the harness shares the gateway's process.
    // A live call is a map lookup; the database is asked only about calls without a session.
    let running = [...ids];
    while (performance.now() < deadline && running.length > 0) {
      await Bun.sleep(1000);
      running = running.filter((id) => gateway.registry.has(id) || !terminal.has(gateway.calls.byId(id)?.status ?? ""));
    }
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    clearInterval(mem);
    const loopLagMs = lag.stop();
    const statuses: Record<string, number> = {};
    const turns: TurnLatency[] = [];
    for (const id of ids) {
      const c = gateway.calls.byId(id)!;
      statuses[c.status] = (statuses[c.status] ?? 0) + 1;
      if (c.errorMessage) errors.push(`${id}: ${c.errorMessage}`);
      for (const t of gateway.store.turns(id)) if (t.role === "agent" && t.latency) turns.push(t.latency);
    }
    const stats = (await (await fetch(`${child.urls.control}/stats`)).json()) as { calls: CalleeStats[] };
    return {
      calls: opts.calls,
      wallMs,
      cpuPercent: ((cpu.user + cpu.system) / 1000 / wallMs) * 100,
      rssBaseMb: rssBase / 2 ** 20,
      rssPeakMb: rssPeak / 2 ** 20,
      memoryPerCallKb: (rssPeak - rssBase) / 1024 / Math.max(1, opts.calls),
      heapPerCallKb: (heapPeak - heapBase) / 1024 / Math.max(1, opts.calls),
      loopLagMs,
      turns,
      callees: stats.calls.filter((c) => ids.includes(c.callId)),
      statuses,
      errors,
    };
  } finally {
    await server.stop(true);
    child.proc.kill("SIGTERM");
    await child.proc.exited;
    gateway.close();
  }
}

/** Inbound calls one after another: from the stream's start to the first greeting audio heard. */
export async function runInbound(opts: { calls: number; latencies: Partial<SimLatencies> }): Promise<{ startToFirstAudioMs: number[]; webhookToFirstAudioMs: number[] }> {
  const child = await startCarrierProcess(opts.latencies, []);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const config = loadConfig({ PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: base, LOG_LEVEL: "silent", DATABASE_PATH: ":memory:" });
  const gateway = buildGateway(config, {
    providers: {
      stt: new DeepgramStt({ apiKey: "fake-deepgram-key", baseUrl: child.urls.deepgram }),
      tts: new ElevenLabsHttpTts({ apiKey: "fake-elevenlabs-key", baseUrl: child.urls.elevenlabs }),
      llm: new OpenAiLlm({ apiKey: "fake-openai-key", baseUrl: child.urls.openai }),
    },
  });
  const server = serve(gateway, { port, hostname: "127.0.0.1" });
  const startToFirstAudioMs: number[] = [];
  const webhookToFirstAudioMs: number[] = [];
  try {
    const acct = gateway.accounts.createAccount("inbound");
    gateway.accounts.addCredits(acct.id, 1_000_000_000);
    const key = gateway.accounts.createKey(acct.id).key;
    const post = async (path: string, body: unknown) =>
      (await (await fetch(`${base}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as any;
    const agent = await post("/v1/agents", { name: "in", type: "inbound", initial_greeting: "Acme, how can I help?" });
    await post("/v1/phone-numbers", { number: "+15550003000", agent_id: agent.id, twilio_account_sid: SIM_ACCOUNT_SID, twilio_auth_token: SIM_AUTH_TOKEN });
    const fixture = parseFixture(readFileSync(join(CORPUS_DIR, "human-hello-01.ndjson"), "utf8"));
    for (let i = 0; i < opts.calls; i++) {
      const url = `${base}/twilio/voice`;
      const form = { To: "+15550003000", From: "+447386172392", CallSid: `CA${String(i).padStart(32, "0")}` };
      const t0 = performance.now();
      const twiml = await (await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": computeTwilioSignature(SIM_AUTH_TOKEN, url, form) }, body: new URLSearchParams(form).toString() })).text();
      const streamUrl = /<Stream url="([^"]+)"/.exec(twiml)?.[1] ?? "";
      const callId = /name="callId" value="([^"]+)"/.exec(twiml)?.[1] ?? "";
      const token = /name="token" value="([^"]+)"/.exec(twiml)?.[1] ?? "";
      const client = connectTwilioMediaClient({ url: streamUrl, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId, token } });
      await client.opened;
      const opened = performance.now();
      while (!client.received.some((m) => m.msg.event === "media") && performance.now() - opened < 5000) await Bun.sleep(1);
      const heard = performance.now();
      startToFirstAudioMs.push(heard - opened);
      webhookToFirstAudioMs.push(heard - t0);
      client.close();
      await client.closed;
    }
  } finally {
    await server.stop(true);
    child.proc.kill("SIGTERM");
    await child.proc.exited;
    gateway.close();
  }
  return { startToFirstAudioMs, webhookToFirstAudioMs };
}

/** The fixture's media frame at or after an audio time: when the callee sent it (ms since connect). */
export function arrivalOfAudioMs(fixturePath: string, audioMs: number): number | null {
  for (const line of readFileSync(fixturePath, "utf8").split("\n")) {
    if (!line.includes('"media"')) continue;
    const e = JSON.parse(line) as { t: number; msg: { media?: { timestamp?: string } } };
    if (Number(e.msg.media?.timestamp ?? -1) >= audioMs) return e.t;
  }
  return null;
}
