/**
 * End-of-turn accuracy on the turn recordings (labels: `utterances` with `complete`): for each
 * finished utterance, how long after its labelled end the engine decided the turn was over
 * (`turn` event, the confirm); and how many turns were cut, i.e. confirmed during a pause after an
 * utterance labelled not complete (the caller had not finished). Replayed as outbound calls with
 * AMD off (so the first turn is not held for the answering-machine verdict; the AMD-on figure is
 * printed too) and with the scripted STT delivering its results 100, 150 and 250 ms after the audio.
 * Scored on the committed recordings and, when present, on the generated large set in
 * bench/.cache/corpus (`bun run corpus --large --out bench/.cache/corpus`).
 * Targets: median ≤ 350 ms, ≤ 3 % cut early.
 * Run: bun bench/turns.ts
 */
import type { CallEngineOptions } from "../src/engine/call-engine.ts";
import { replayFixture } from "../src/replay/runner.ts";
import { median, quantile } from "./lib/metrics.ts";
import { printTable, writeResult } from "./lib/table.ts";
import { turnRecordings, type Recording } from "./lib/turn-recordings.ts";

interface Utt {
  startMs: number;
  endMs: number;
  complete: boolean;
  interrupts?: boolean;
}

/** Turn recordings with labelled utterances. */
const hasUtterances = ({ fixture }: Recording): boolean => {
  const u = fixture.header.labels?.utterances;
  return Array.isArray(u) && u.length > 0;
};
const recordings = turnRecordings();
const committed = recordings.committed.filter(hasUtterances);
const large = recordings.large.filter(hasUtterances);

function score(files: Recording[], engine: Partial<CallEngineOptions>, sttDelayMs: number) {
  const latencies: number[] = [];
  let turns = 0;
  let cut = 0;
  let missed = 0;
  for (const { rel, fixture } of files) {
    const utts = fixture.header.labels!.utterances as Utt[];
    const r = replayFixture(fixture, rel, { engine, stt: { delayMs: sttDelayMs } });
    const confirms = r.events.flatMap((e) => (e.type === "turn" ? [e.endpointAudioMs] : []));
    utts.forEach((u, i) => {
      const nextStart = utts[i + 1]?.startMs ?? Infinity;
      const inPause = confirms.filter((c) => c >= u.endMs - 100 && c < nextStart);
      if (!u.complete) {
        if (inPause.length > 0) cut++;
        return;
      }
      turns++;
      if (inPause.length === 0) missed++;
      else latencies.push(inPause[0]! - u.endMs);
    });
  }
  return {
    turns,
    medianMs: median(latencies),
    p90Ms: quantile(latencies, 0.9),
    cutEarly: cut,
    cutEarlyPct: (100 * cut) / Math.max(1, turns),
    missed,
  };
}

const rows: (string | number)[][] = [];
const results: Record<string, unknown>[] = [];
const sets: [string, Recording[]][] = [["committed", committed]];
if (large.length > 0) sets.push(["large", large]);
for (const [set, files] of sets) {
  for (const [name, engine] of [
    ["AMD off", { amd: false }],
    ["AMD on (first turn waits for the verdict)", { amd: true }],
  ] as [string, Partial<CallEngineOptions>][]) {
    for (const delay of name === "AMD off" ? [100, 150, 250] : [150]) {
      const s = score(files, engine, delay);
      rows.push([set, name, delay, s.turns, s.medianMs, s.p90Ms, s.cutEarly, s.cutEarlyPct, s.missed]);
      results.push({ set, recordings: files.length, config: name, sttDelayMs: delay, ...s });
    }
  }
}
printTable(["set", "config", "STT delay ms", "finished turns", "median ms", "p90 ms", "cut early", "cut %", "no end found"], rows);
console.log(`recordings: ${committed.length} committed, ${large.length} generated`);
console.log("targets: median ≤ 350 ms after end of speech, ≤ 3 % cut early");
console.log(
  `wrote ${writeResult("turns", { fixtures: committed.length, largeFixtures: large.length, targets: { medianMs: 350, cutEarlyPct: 3 }, results })}`,
);
