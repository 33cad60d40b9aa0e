/**
 * Which ElevenLabs path gives the first audio byte sooner for a streamed LLM reply?
 * - http: wait for the first clause, then one HTTP streaming request per phrase.
 * - ws-flush: stream-input websocket opened when the reply starts, fed token by token,
 *   `flush` at the end of the first clause.
 * - ws-schedule: same socket, no flush (the server's chunk_length_schedule decides).
 * Both against the ElevenLabs fake with the same injected first-byte latency, over loopback.
 * Measured: reply start (first LLM token) → first audio byte, and clause ready → first audio byte.
 *
 * Run: bun run bench/tts-paths.ts   (writes bench/results/tts-paths.json)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { ElevenLabsHttpTts } from "../src/providers/tts/elevenlabs-http.ts";
import { ElevenLabsWsTts } from "../src/providers/tts/elevenlabs-ws.ts";
import { startElevenLabsFake } from "../src/sim/fakes/elevenlabs.ts";
import { tokenize } from "../src/sim/fakes/openai.ts";

const CONFIG = Object.freeze({
  firstByteDelayMs: 150,
  tokenIntervalMs: 15,
  iterations: 25,
  reply: "Sure, I can help with that. What day works best for you this week?",
});

const KEY = "bench-key";
const VOICE = { voiceId: "bench-voice" };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Sample {
  readonly fromReplyStartMs: number;
  readonly fromClauseReadyMs: number;
}

/** Feeds the reply tokens at the configured rate; calls onClause when the first clause is complete. */
async function feed(onToken: (t: string) => void, onClause: () => void): Promise<void> {
  let clauseDone = false;
  for (const [i, token] of tokenize(CONFIG.reply).entries()) {
    if (i > 0) await sleep(CONFIG.tokenIntervalMs);
    onToken(token);
    if (!clauseDone && /[,.;:!?]$/.test(token)) {
      clauseDone = true;
      onClause();
    }
  }
}

async function runHttp(tts: ElevenLabsHttpTts): Promise<Sample> {
  const start = performance.now();
  let text = "";
  const firstByte = Promise.withResolvers<number>();
  let clauseAt = 0;
  const consume = async (phrase: string): Promise<void> => {
    for await (const _ of tts.synthesize(phrase, { voice: VOICE })) {
      firstByte.resolve(performance.now());
    }
  };
  let pending: Promise<void> = Promise.resolve();
  await feed(
    (t) => {
      text += t;
    },
    () => {
      clauseAt = performance.now();
      pending = consume(text.trim());
    },
  );
  const at = await firstByte.promise;
  await pending;
  return { fromReplyStartMs: at - start, fromClauseReadyMs: at - clauseAt };
}

async function runWs(tts: ElevenLabsWsTts, flush: boolean): Promise<Sample> {
  const start = performance.now();
  const stream = tts.open({ voice: VOICE });
  let clauseAt = 0;
  const firstByte = Promise.withResolvers<number>();
  const drained = (async () => {
    for await (const _ of stream.audio) firstByte.resolve(performance.now());
  })();
  await feed(
    (t) => stream.pushText(t),
    () => {
      clauseAt = performance.now();
      if (flush) stream.flush();
    },
  );
  stream.end();
  const at = await firstByte.promise;
  await drained;
  return { fromReplyStartMs: at - start, fromClauseReadyMs: at - clauseAt };
}

function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
}

async function main(): Promise<void> {
  await using fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: CONFIG.firstByteDelayMs, msPerChar: 5 });
  const http = new ElevenLabsHttpTts({ apiKey: KEY, baseUrl: fake.baseUrl });
  const ws = new ElevenLabsWsTts({ apiKey: KEY, baseUrl: fake.baseUrl });
  const paths: Record<string, () => Promise<Sample>> = {
    http: () => runHttp(http),
    "ws-flush": () => runWs(ws, true),
    "ws-schedule": () => runWs(ws, false),
  };
  // Warm up each path once (JIT, first connection).
  for (const run of Object.values(paths)) await run();
  const results: Record<string, { p50FromReplyStartMs: number; p90FromReplyStartMs: number; p50FromClauseReadyMs: number; p90FromClauseReadyMs: number; samples: number }> = {};
  for (const [name, run] of Object.entries(paths)) {
    const samples: Sample[] = [];
    for (let i = 0; i < CONFIG.iterations; i++) samples.push(await run());
    const a = samples.map((s) => s.fromReplyStartMs);
    const b = samples.map((s) => s.fromClauseReadyMs);
    results[name] = {
      p50FromReplyStartMs: +pct(a, 50).toFixed(1),
      p90FromReplyStartMs: +pct(a, 90).toFixed(1),
      p50FromClauseReadyMs: +pct(b, 50).toFixed(1),
      p90FromClauseReadyMs: +pct(b, 90).toFixed(1),
      samples: samples.length,
    };
  }
  const best = Object.entries(results).sort((x, y) => x[1].p50FromReplyStartMs - y[1].p50FromReplyStartMs)[0]?.[0] ?? "none";
  console.log(`TTS first audio byte, injected first-byte latency ${CONFIG.firstByteDelayMs} ms, LLM token every ${CONFIG.tokenIntervalMs} ms`);
  console.table(results);
  console.log(`lowest p50 from reply start: ${best}`);
  mkdirSync(new URL("./results/", import.meta.url), { recursive: true });
  writeFileSync(new URL("./results/tts-paths.json", import.meta.url), `${JSON.stringify({ config: CONFIG, results, recommended: best }, null, 2)}\n`);
}

await main();
