/**
 * Replay speed: every recording in the repository replayed through the engine (scripted STT,
 * LLM, TTS and Twilio playout included), audio duration divided by wall time. Parsing the file is
 * timed separately. Target ≥ 1000× real time, on the median of ROUNDS passes after one untimed
 * warm-up pass (as engine-cost does: a replay job runs many calls, so the JIT is warm); the cold
 * first pass is reported too.
 * Run: bun bench/replay-speed.ts
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseFixture } from "../src/replay/fixture.ts";
import { listFixtures } from "../src/replay/golden.ts";
import { replayFixture } from "../src/replay/runner.ts";
import { median } from "./lib/metrics.ts";
import { printTable, writeResult } from "./lib/table.ts";

const ROOT = join(import.meta.dir, "..");
const ROUNDS = 7;
const texts = listFixtures(ROOT).map((rel) => ({ rel, text: readFileSync(join(ROOT, rel), "utf8") }));

const parseMs: number[] = [];
const replayMs: number[] = [];
let audioMs = 0;
let coldMs = 0;
for (let round = -1; round < ROUNDS; round++) {
  let p = 0;
  let r = 0;
  audioMs = 0;
  for (const { rel, text } of texts) {
    const t0 = Bun.nanoseconds();
    const fixture = parseFixture(text);
    const t1 = Bun.nanoseconds();
    const result = replayFixture(fixture, rel);
    const t2 = Bun.nanoseconds();
    p += (t1 - t0) / 1e6;
    r += (t2 - t1) / 1e6;
    audioMs += result.report.durationMs;
  }
  if (round < 0) {
    coldMs = p + r;
    continue;
  }
  parseMs.push(p);
  replayMs.push(r);
}
const parse = median(parseMs);
const replay = median(replayMs);
const rows = [
  ["replay only", texts.length, audioMs / 1000, replay, audioMs / replay],
  ["parse + replay", texts.length, audioMs / 1000, parse + replay, audioMs / (parse + replay)],
  ["parse + replay, cold first pass", texts.length, audioMs / 1000, coldMs, audioMs / coldMs],
];
printTable(["what", "fixtures", "audio s", `wall ms (median of ${ROUNDS})`, "× real time"], rows);
console.log(`target ≥ 1000×: ${audioMs / (parse + replay) >= 1000 ? "met" : "MISSED"}`);
console.log(
  `wrote ${writeResult("replay-speed", {
    fixtures: texts.length,
    audioSeconds: audioMs / 1000,
    replayWallMs: replay,
    parseWallMs: parse,
    timesRealTime: audioMs / replay,
    timesRealTimeWithParse: audioMs / (parse + replay),
    rounds: ROUNDS,
    coldWallMs: coldMs,
    timesRealTimeCold: audioMs / coldMs,
    targetTimesRealTime: 1000,
  })}`,
);
