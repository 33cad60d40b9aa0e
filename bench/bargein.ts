/**
 * Barge-in on the turn recordings (the committed `turns-*` fixtures, plus the generated large set
 * in bench/.cache/corpus when present: `bun run scripts/corpus/build.ts --large --out bench/.cache/corpus`):
 * - interruptions (utterances labelled `interrupts`): audio ms from the labelled start of the
 *   caller's speech to
 *     - `hold`: the engine stops sending agent audio (stage 1),
 *     - `silent`: the simulated Twilio stops playing our audio (hold + what was buffered: the
 *       playout lead) — what the caller hears, measured on the played audio itself,
 *     - `clear`: the `bargeIn` event's `clearAudioMs`, the `clear` that silenced the agent (sent
 *       at the hold; a cut sends another only if audio went out since);
 *   `missed`: no barge-in whose speech starts inside the interruption;
 * - backchannels (labels `backchannels`): false barge-ins = clears whose speech started inside one;
 *   holds = holds whose speech started inside one (the agent paused, then resumed);
 * - echo: the same recordings over a simulated speakerphone (our played audio mixed back into the
 *   inbound stream, attenuated and delayed): clears (and holds) whose speech start is inside no
 *   labelled caller speech, per reply that played.
 * Targets: silent/clear ≤ 200 ms after the caller starts (median); ≤ 5 % false barge-ins.
 * Run: bun bench/bargein.ts
 */
import type { CallEngineOptions } from "../src/engine/call-engine.ts";
import { replayFixture, type EchoPath } from "../src/replay/runner.ts";
import { median, quantile } from "./lib/metrics.ts";
import { printTable, writeResult } from "./lib/table.ts";
import { turnRecordings } from "./lib/turn-recordings.ts";

type Span = { startMs: number; endMs: number; interrupts?: boolean };

const { committed, large } = turnRecordings();

function run(files: typeof committed, engine: Partial<CallEngineOptions>, echo: EchoPath | null) {
  const hold: number[] = [];
  const silent: number[] = [];
  const clear: number[] = [];
  let interrupts = 0;
  let missed = 0;
  let backchannels = 0;
  let bcClears = 0;
  let bcHolds = 0;
  let echoClears = 0;
  let echoHolds = 0;
  let replies = 0;
  for (const { rel, fixture } of files) {
    const labels = fixture.header.labels!;
    const utts = (labels.utterances ?? []) as Span[];
    const bcs = (labels.backchannels ?? []) as Span[];
    const r = replayFixture(fixture, rel, { engine: { amd: false, ...engine }, echo });
    const clears = r.events.flatMap((e) => (e.type === "bargeIn" ? [e] : []));
    const holds = r.events.flatMap((e) => (e.type === "bargeInHold" ? [e] : []));
    replies += r.events.filter((e) => e.type === "firstAudio").length;
    const inside = (ms: number, s: Span, slackMs: number) => ms >= s.startMs - slackMs && ms < s.endMs;
    for (const u of utts.filter((x) => x.interrupts)) {
      interrupts++;
      const c = clears.find((x) => inside(x.speechStartAudioMs, u, 100));
      if (!c) {
        missed++;
        continue;
      }
      clear.push(c.clearAudioMs - u.startMs);
      hold.push(c.holdAudioMs - u.startMs);
      // What the caller heard: our audio, played at host ms, reaches them at host − base latency
      // in their audio time (the same mapping the echo path uses).
      const onsetHost = u.startMs + r.baseLatencyMs;
      const run = r.playedRuns.find(([a, b]) => b > onsetHost && a <= onsetHost + 20);
      if (run) silent.push(run[1] - onsetHost);
    }
    backchannels += bcs.length;
    bcClears += clears.filter((c) => bcs.some((b) => inside(c.speechStartAudioMs, b, 100))).length;
    bcHolds += holds.filter((c) => bcs.some((b) => inside(c.speechStartAudioMs, b, 100))).length;
    const notCaller = (ms: number) => !utts.some((u) => inside(ms, u, 100)) && !bcs.some((b) => inside(ms, b, 100));
    echoClears += clears.filter((c) => notCaller(c.speechStartAudioMs)).length;
    echoHolds += holds.filter((c) => notCaller(c.speechStartAudioMs)).length;
  }
  const pct = (n: number, d: number) => (100 * n) / Math.max(1, d);
  return {
    interrupts,
    holdMedianMs: median(hold),
    silentMedianMs: median(silent),
    silentMaxMs: quantile(silent, 1),
    clearMedianMs: median(clear),
    clearMaxMs: quantile(clear, 1),
    missedInterrupts: missed,
    backchannels,
    backchannelFalsePct: pct(bcClears, backchannels),
    backchannelHoldPct: pct(bcHolds, backchannels),
    replies,
    echoFalseClears: echoClears,
    echoFalsePct: pct(echoClears, replies),
    echoHolds,
    echoHoldPct: pct(echoHolds, replies),
  };
}

const policies: [string, Partial<CallEngineOptions>][] = [
  ["default (lead 100 ms)", {}],
  ["lead 200 ms", { playout: { leadMs: 200 } }],
];
const echoes: [string, EchoPath | null][] = [
  ["no echo", null],
  ["echo −12 dB, 80 ms", { gainDb: -12, delayMs: 80 }],
  ["echo −6 dB, 200 ms", { gainDb: -6, delayMs: 200 }],
];
const sets: [string, typeof committed][] = [["committed", committed]];
if (large.length > 0) sets.push(["large", large]);
const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
for (const [sname, files] of sets) {
  for (const [pname, p] of policies) {
    for (const [ename, e] of echoes) {
      const s = run(files, p, e);
      rows.push([
        sname, pname, ename, s.interrupts, s.holdMedianMs, s.silentMedianMs, s.silentMaxMs, s.clearMedianMs, s.missedInterrupts,
        s.backchannels, s.backchannelFalsePct, s.backchannelHoldPct, s.echoFalseClears, s.echoFalsePct, s.echoHoldPct,
      ]);
      results.push({ set: sname, fixtures: files.length, policy: pname, echo: ename, ...s });
    }
  }
}
printTable(
  ["set", "policy", "line", "interrupts", "hold med", "silent med", "silent max", "clear med", "missed", "backch.", "false on bc %", "held on bc %", "echo false", "echo false %/reply", "echo holds %/reply"],
  rows,
);
console.log(`fixtures: ${committed.length} committed turn recordings, ${large.length} generated; ms after the caller starts`);
console.log("targets: silent ≤ 200 ms (median), ≤ 5 % false barge-ins on backchannels and echo");
console.log(`wrote ${writeResult("bargein", { committedFixtures: committed.length, largeFixtures: large.length, targets: { silentMs: 200, falsePct: 5 }, results })}`);
