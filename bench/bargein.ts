/**
 * Barge-in on the turn recordings:
 * - clear latency: for each utterance labelled `interrupts` (the caller talks over our reply),
 *   audio ms from its labelled start to our `clear`;
 * - false barge-ins on backchannels: clears whose speech started inside a labelled backchannel;
 * - false barge-ins on echo: the same recordings replayed over a simulated speakerphone line (our
 *   played audio mixed back into the inbound stream, attenuated and delayed, as it plays): clears
 *   whose speech start is not inside any labelled caller speech, per reply that was playing.
 * Two policies: the default (decide at 160 ms of speech; quiet speech needs 480 ms; words veto or
 * force) and "wait for words" (minSpeechMs 900: only the transcript or long speech barges in).
 * Targets: clear ≤ 200 ms after the caller starts; ≤ 5 % false barge-ins.
 * Run: bun bench/bargein.ts
 */
import { join } from "node:path";
import type { BargeInOptions } from "../src/engine/bargein.ts";
import { listFixtures } from "../src/replay/golden.ts";
import { loadFixture } from "../src/replay/load.ts";
import { replayFixture, type EchoPath } from "../src/replay/runner.ts";
import { median, quantile } from "./lib/metrics.ts";
import { printTable, writeResult } from "./lib/table.ts";

const ROOT = join(import.meta.dir, "..");
type Span = { startMs: number; endMs: number; interrupts?: boolean };

const files = listFixtures(ROOT)
  .map((rel) => ({ rel, fixture: loadFixture(join(ROOT, rel)) }))
  .filter(({ fixture }) => String(fixture.header.labels?.category ?? "").startsWith("turns"));

function run(bargeIn: Partial<BargeInOptions>, echo: EchoPath | null) {
  const latencies: number[] = [];
  let interrupts = 0;
  let missedInterrupts = 0;
  let backchannels = 0;
  let backchannelClears = 0;
  let echoClears = 0;
  let repliesPlaying = 0;
  for (const { rel, fixture } of files) {
    const labels = fixture.header.labels!;
    const utts = (labels.utterances ?? []) as Span[];
    const bcs = (labels.backchannels ?? []) as Span[];
    const r = replayFixture(fixture, rel, { engine: { amd: false, bargeIn }, echo });
    const clears = r.events.flatMap((e) => (e.type === "bargeIn" ? [e] : []));
    repliesPlaying += r.events.filter((e) => e.type === "firstAudio").length;
    const inside = (ms: number, s: Span, slackMs: number) => ms >= s.startMs - slackMs && ms < s.endMs;
    for (const u of utts.filter((x) => x.interrupts)) {
      interrupts++;
      const c = clears.find((x) => inside(x.speechStartAudioMs, u, 100));
      if (c) latencies.push(c.clearAudioMs - u.startMs);
      else missedInterrupts++;
    }
    backchannels += bcs.length;
    backchannelClears += clears.filter((c) => bcs.some((b) => inside(c.speechStartAudioMs, b, 100))).length;
    echoClears += clears.filter(
      (c) => !utts.some((u) => inside(c.speechStartAudioMs, u, 100)) && !bcs.some((b) => inside(c.speechStartAudioMs, b, 100)),
    ).length;
  }
  return {
    interrupts,
    clearMedianMs: median(latencies),
    clearMaxMs: quantile(latencies, 1),
    missedInterrupts,
    backchannels,
    backchannelFalsePct: (100 * backchannelClears) / Math.max(1, backchannels),
    echoFalseClears: echoClears,
    repliesPlaying,
    echoFalsePct: (100 * echoClears) / Math.max(1, repliesPlaying),
  };
}

const policies: [string, Partial<BargeInOptions>][] = [
  ["default (160 ms)", {}],
  ["wait for words (900 ms)", { minSpeechMs: 900, quietMinSpeechMs: 900 }],
];
const echoes: [string, EchoPath | null][] = [
  ["no echo", null],
  ["echo −12 dB, 80 ms", { gainDb: -12, delayMs: 80 }],
  ["echo −6 dB, 200 ms", { gainDb: -6, delayMs: 200 }],
];
const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
for (const [pname, p] of policies) {
  for (const [ename, e] of echoes) {
    const s = run(p, e);
    rows.push([pname, ename, s.interrupts, s.clearMedianMs, s.clearMaxMs, s.missedInterrupts, s.backchannels, s.backchannelFalsePct, s.echoFalseClears, s.echoFalsePct]);
    results.push({ policy: pname, echo: ename, ...s });
  }
}
printTable(
  ["policy", "line", "interrupts", "clear median ms", "clear max ms", "missed", "backchannels", "false on bc %", "echo false clears", "echo false %/reply"],
  rows,
);
console.log(`fixtures: ${files.length} turn recordings; targets: clear ≤ 200 ms, ≤ 5 % false barge-ins`);
console.log(`wrote ${writeResult("bargein", { fixtures: files.length, targets: { clearMs: 200, falsePct: 5 }, results })}`);
