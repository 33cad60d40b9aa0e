/**
 * Live-call latency and load, over real websockets on loopback with fixed injected provider
 * latencies. Prints tables and writes bench/results/live.json.
 *
 *   bun run bench/live.ts            # 1, 50, 200 calls per latency profile; 500 for load
 *   bun run bench/live.ts --quick    # 1 and 20 calls
 */
import { percentiles } from "../src/session/latency.ts";
import { stages } from "../src/session/latency.ts";
import { runLive, TURN_FIXTURES, type LiveRun } from "./lib/live-harness.ts";
import { printTable, writeResult } from "./lib/table.ts";

const quick = process.argv.includes("--quick");
const profiles = {
  // The first profile: final transcript 150 ms after speech ends, LLM 300 ms, TTS 150 ms.
  "stt150-llm300-tts150": { sttResultMs: 50, sttEndpointingMs: 100, llmFirstTokenMs: 300, llmTokenIntervalMs: 10, ttsFirstByteMs: 150 },
  // The reference profile: STT final 350 ms after speech (its own 300 ms endpoint), LLM 300, TTS 200.
  "stt350-llm300-tts200": { sttResultMs: 50, sttEndpointingMs: 300, llmFirstTokenMs: 300, llmTokenIntervalMs: 10, ttsFirstByteMs: 200 },
};
const counts = quick ? [1, 20] : [1, 50, 200];
// Latency profiles: three callers (pauses mid-sentence, a phone number read digit by digit, "um").

function summarizeRun(name: string, r: LiveRun) {
  const llmTurns = r.turns.filter((t) => t.firstLlmTokenMs !== null && t.firstMediaMs !== null);
  const s = llmTurns.map(stages);
  const pick = (k: string) => percentiles(s.map((x) => x[k]!));
  return {
    profile: name,
    calls: r.calls,
    turns: llmTurns.length,
    statuses: r.statuses,
    turn_latency_ms: pick("turn_latency_ms"),
    endpointing_ms: pick("endpointing_ms"),
    llm_first_phrase_ms: pick("llm_first_phrase_ms"),
    tts_first_byte_ms: pick("tts_first_byte_ms"),
    gateway_overhead_ms: pick("gateway_overhead_ms"),
    greeting_latency_ms: percentiles(r.turns.filter((t) => t.firstLlmTokenMs === null).map((t) => stages(t).turn_latency_ms!)),
    underruns: r.callees.reduce((n, c) => n + c.underruns, 0),
    cpu_percent: r.cpuPercent,
    rss_peak_mb: r.rssPeakMb,
    memory_per_call_kb: r.memoryPerCallKb,
    loop_lag_ms: r.loopLagMs,
    errors: r.errors.slice(0, 5),
  };
}

const results: ReturnType<typeof summarizeRun>[] = [];
for (const [name, latencies] of Object.entries(profiles)) {
  for (const calls of counts) {
    const r = await runLive({ calls, latencies });
    const row = summarizeRun(name, r);
    results.push(row);
    console.error(`${name} × ${calls}: ${row.turns} LLM turns, turn p50 ${row.turn_latency_ms?.p50} ms, overhead p99 ${row.gateway_overhead_ms?.p99} ms, ${JSON.stringify(row.statuses)}`);
  }
}
// Load: callers who do not talk over the agent, so any gap in the agent's audio is starvation
// (with the other fixtures the agent also pauses on purpose while the caller speaks).
const load = quick ? [20] : [1, 50, 200, 500];
for (const calls of load) {
  const r = await runLive({ calls, latencies: profiles["stt350-llm300-tts200"], fixtures: [TURN_FIXTURES[0]!], timeoutMs: 150_000 });
  const row = summarizeRun("load (turns-pause)", r);
  results.push(row);
  console.error(`load × ${calls}: cpu ${Math.round(row.cpu_percent)} %, ${row.memory_per_call_kb.toFixed(0)} KB/call, lag p99 ${row.loop_lag_ms.p99.toFixed(1)} ms, underruns ${row.underruns}, ${JSON.stringify(row.statuses)}`);
}

const f = (p: { p50: number; p90: number; p99: number } | null) => (p ? `${p.p50}/${p.p90}/${p.p99}` : "-");
printTable(
  ["profile", "calls", "turns", "turn p50/p90/p99", "endpointing", "llm 1st phrase", "tts 1st byte", "gateway overhead", "greeting", "underruns", "cpu %", "MB/call", "loop lag p99"],
  results.map((r) => [
    r.profile,
    r.calls,
    r.turns,
    f(r.turn_latency_ms),
    f(r.endpointing_ms),
    f(r.llm_first_phrase_ms),
    f(r.tts_first_byte_ms),
    f(r.gateway_overhead_ms),
    f(r.greeting_latency_ms),
    r.underruns,
    Math.round(r.cpu_percent),
    Math.round((r.memory_per_call_kb / 1024) * 100) / 100,
    Math.round(r.loop_lag_ms.p99 * 10) / 10,
  ]),
);
console.log(`written ${writeResult("live", { measuredAt: new Date().toISOString(), results })}`);
