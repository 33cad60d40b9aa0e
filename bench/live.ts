/**
 * Live-call latency and load, over real websockets on loopback with fixed injected provider
 * latencies. Prints tables and writes bench/results/live.json.
 *
 *   bun run bench/live.ts            # 1, 50, 200 calls per latency profile; 500 for load
 *   bun run bench/live.ts --quick    # 1 and 20 calls
 */
import { percentiles } from "../src/session/latency.ts";
import { stages } from "../src/session/latency.ts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CORPUS_DIR } from "../src/sim/carrier.ts";
import { arrivalOfAudioMs, runInbound, runLive, TURN_FIXTURES, type LiveRun } from "./lib/live-harness.ts";
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

/**
 * Turn latency as the caller lives it, from the recording's own labels: the end of each finished
 * utterance (when its last frame reached the gateway) to the first reply audio the caller heard.
 * Independent of our detectors and of the gateway's clocks.
 */
function callerLatencies(r: LiveRun): number[] {
  const out: number[] = [];
  for (const c of r.callees) {
    if (!c.fixture) continue;
    const labels = (JSON.parse(readFileSync(c.fixture, "utf8").split("\n")[0]!) as { labels: { utterances?: { endMs: number; complete?: boolean; interrupts?: boolean }[] } }).labels;
    // The first finished utterance is answered by the greeting (it waits for the human verdict);
    // the later ones by the LLM: those are the turns measured here.
    let first = true;
    for (const u of labels.utterances ?? []) {
      if (u.complete === false || u.interrupts) continue;
      if (first) {
        first = false;
        continue;
      }
      const end = arrivalOfAudioMs(c.fixture, u.endMs);
      if (end === null) continue;
      const heard = c.playbackRuns.find(([start]) => start >= end);
      if (heard) out.push(Math.round(heard[0] - end));
    }
  }
  return out;
}

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
    caller_turn_latency_ms: percentiles(callerLatencies(r)),
    endpointing_ms: pick("endpointing_ms"),
    llm_first_phrase_ms: pick("llm_first_phrase_ms"),
    tts_first_byte_ms: pick("tts_first_byte_ms"),
    gateway_overhead_ms: pick("gateway_overhead_ms"),
    greeting_latency_ms: percentiles(r.turns.filter((t) => t.firstLlmTokenMs === null).map((t) => stages(t).turn_latency_ms!)),
    underruns: r.callees.reduce((n, c) => n + c.underruns, 0),
    cpu_percent: r.cpuPercent,
    rss_peak_mb: r.rssPeakMb,
    memory_per_call_kb: r.memoryPerCallKb,
    heap_per_call_kb: r.heapPerCallKb,
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
if (process.argv.includes("--no-load")) load.length = 0;
for (const calls of load) {
  const r = await runLive({ calls, latencies: profiles["stt350-llm300-tts200"], fixtures: [TURN_FIXTURES[0]!], timeoutMs: 150_000 });
  const row = summarizeRun("load (turns-pause)", r);
  results.push(row);
  console.error(`load × ${calls}: cpu ${Math.round(row.cpu_percent)} %, ${row.memory_per_call_kb.toFixed(0)} KB/call, lag p99 ${row.loop_lag_ms.p99.toFixed(1)} ms, underruns ${row.underruns}, ${JSON.stringify(row.statuses)}`);
}

// Barge-in over real sockets: callers who interrupt the agent's reply.
const interruptFixtures = ["turns-interrupt-01", "turns-interrupt-02"].map((n) => join(CORPUS_DIR, `${n}.ndjson`));
const barge = await runLive({ calls: quick ? 4 : 20, latencies: profiles["stt350-llm300-tts200"], fixtures: interruptFixtures });
const silenceMs: number[] = [];
const clearMs: number[] = [];
let stale = 0;
for (const c of barge.callees) {
  stale += c.staleMarksAfterClear;
  const labels = (JSON.parse(readFileSync(c.fixture ?? "", "utf8").split("\n")[0]!) as { labels: { utterances: { startMs: number; interrupts?: boolean }[] } }).labels;
  for (const u of labels.utterances.filter((x) => x.interrupts)) {
    const onset = arrivalOfAudioMs(c.fixture!, u.startMs);
    if (onset === null) continue;
    const run = c.playbackRuns.find(([s0, e0]) => s0 <= onset && e0 >= onset);
    if (run) silenceMs.push(run[1] - onset);
    const clear = c.clearsAtMs.find((t) => t >= onset);
    if (clear !== undefined && run) clearMs.push(clear - onset);
  }
}
const bargeRow = { calls: barge.calls, interruptions_over_speech: silenceMs.length, agent_silent_after_onset_ms: percentiles(silenceMs), clear_after_onset_ms: percentiles(clearMs), stale_marks_after_clear: stale };
console.error(`barge-in: ${JSON.stringify(bargeRow)}`);

// Inbound: from the stream's start to the greeting's first audio, with a 150 ms TTS first byte.
const inbound = await runInbound({ calls: quick ? 5 : 30, latencies: { ttsFirstByteMs: 150 } });
const inboundRow = { calls: inbound.startToFirstAudioMs.length, start_to_first_audio_ms: percentiles(inbound.startToFirstAudioMs.map(Math.round)), webhook_to_first_audio_ms: percentiles(inbound.webhookToFirstAudioMs.map(Math.round)) };
console.error(`inbound: ${JSON.stringify(inboundRow)}`);

const f = (p: { p50: number; p90: number; p99: number } | null) => (p ? `${p.p50}/${p.p90}/${p.p99}` : "-");
printTable(
  ["profile", "calls", "turns", "turn p50/p90/p99", "LLM turn at the caller", "endpointing", "llm 1st phrase", "tts 1st byte", "gateway overhead", "greeting", "underruns", "cpu %", "RSS MB/call", "heap KB/call", "loop lag p99"],
  results.map((r) => [
    r.profile,
    r.calls,
    r.turns,
    f(r.turn_latency_ms),
    f(r.caller_turn_latency_ms),
    f(r.endpointing_ms),
    f(r.llm_first_phrase_ms),
    f(r.tts_first_byte_ms),
    f(r.gateway_overhead_ms),
    f(r.greeting_latency_ms),
    r.underruns,
    Math.round(r.cpu_percent),
    Math.round((r.memory_per_call_kb / 1024) * 100) / 100,
    Math.round(r.heap_per_call_kb),
    Math.round(r.loop_lag_ms.p99 * 10) / 10,
  ]),
);
console.log("\nbarge-in over real sockets (caller speech onset → agent silent at the caller's ear / clear on the wire)");
printTable(["calls", "interruptions", "silent p50/p90/p99", "clear p50/p90/p99", "stale marks"], [[bargeRow.calls, bargeRow.interruptions_over_speech, f(bargeRow.agent_silent_after_onset_ms), f(bargeRow.clear_after_onset_ms), bargeRow.stale_marks_after_clear]]);
console.log("\ninbound answer → first greeting audio (TTS first byte 150 ms)");
printTable(["calls", "stream start → audio p50/p90/p99", "webhook → audio p50/p90/p99"], [[inboundRow.calls, f(inboundRow.start_to_first_audio_ms), f(inboundRow.webhook_to_first_audio_ms)]]);
console.log(`written ${writeResult("live", { measuredAt: new Date().toISOString(), results, bargeIn: bargeRow, inbound: inboundRow })}`);
