/**
 * Answering-machine benchmark on recorded calls (corpus/calls/*.ndjson and, when present, the
 * larger generated set under bench/.cache/corpus/), ours beside Asterisk's app_amd in the same
 * run. Ours runs twice: audio only, and with a scripted speech-to-text (interim results every
 * 500 ms, 300 ms late, from the labelled utterances) as live calls have with Deepgram.
 * Figures: accuracy; human verdict delay after the end of the first utterance (median); machine
 * verdict time after answer (median); beeps found (|start error| ≤ 200 ms) and median start
 * error; greeting-end reports that came before the greeting (or beep) had ended ("talk-over");
 * AMD cost per frame. Ours is driven as the call engine drives it: one feature extractor and the
 * engine's one VAD (music rejection on) feed the AMD, which reads the VAD's ungated decision.
 * Usage: bun run bench/amd.ts [dir ...]
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createAmd } from "../src/engine/amd.ts";
import { readFixture, type Fixture } from "./lib/fixture.ts";
import { median } from "./lib/metrics.ts";
import { runAmd, runAsteriskAmd } from "./lib/run-amd.ts";
import { printTable, writeResult } from "./lib/table.ts";
import { microsPerFrame } from "./lib/timing.ts";
import { frames } from "./lib/telephone.ts";

const root = join(import.meta.dir, "..");
const dirs = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : [join(root, "corpus", "calls"), join(root, "bench", ".cache", "corpus")].filter((d) => existsSync(d));
const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith(".ndjson")).sort().map((f) => join(d, f)));
const fixtures: Fixture[] = files.map(readFixture).filter((f) => f.labels.answeredBy !== undefined);

interface Outcome {
  file: string;
  truth: "human" | "machine";
  verdict: string;
  decidedAtMs: number | null;
  reason: string;
}
interface Summary {
  calls: number;
  accuracy: number;
  humanDelayAfterFirstUtteranceMedianMs: number;
  machineVerdictAfterAnswerMedianMs: number;
  wrong: string[];
}

function summarise(outcomes: Outcome[], fx: Fixture[]): Summary {
  const human: number[] = [];
  const machine: number[] = [];
  const wrong: string[] = [];
  outcomes.forEach((o, i) => {
    if (o.verdict !== o.truth) {
      wrong.push(`${o.file}: ${o.verdict} (${o.reason})`);
      return;
    }
    if (o.decidedAtMs === null) return;
    const end = fx[i]!.labels.firstUtteranceEndMs;
    if (o.truth === "human" && typeof end === "number") human.push(o.decidedAtMs - end);
    if (o.truth === "machine") machine.push(o.decidedAtMs);
  });
  return {
    calls: outcomes.length,
    accuracy: outcomes.filter((o) => o.verdict === o.truth).length / Math.max(1, outcomes.length),
    humanDelayAfterFirstUtteranceMedianMs: median(human),
    machineVerdictAfterAnswerMedianMs: median(machine),
    wrong,
  };
}

const name = (f: Fixture): string => f.path.split("/").pop() ?? f.path;
const audioOnly: Outcome[] = [];
const withStt: Outcome[] = [];
const asterisk: Outcome[] = [];
const beepErrors: number[] = [];
let beepsLabelled = 0;
let beepsFound = 0;
let falseBeeps = 0;
let greetingEndReports = 0;
let talkOver = 0;
const greetingEndDelays: number[] = [];

for (const fx of fixtures) {
  const truth = fx.labels.answeredBy!;
  const a = runAmd(fx, false);
  const s = runAmd(fx, true);
  const ast = runAsteriskAmd(fx);
  audioOnly.push({ file: name(fx), truth, verdict: a.verdict ?? "none", decidedAtMs: a.decidedAtMs, reason: a.reason ?? "" });
  withStt.push({ file: name(fx), truth, verdict: s.verdict ?? "none", decidedAtMs: s.decidedAtMs, reason: s.reason ?? "" });
  asterisk.push({
    file: name(fx),
    truth,
    verdict: ast.status === "HUMAN" ? "human" : ast.status === "MACHINE" ? "machine" : "unknown",
    decidedAtMs: ast.atMs,
    reason: ast.cause,
  });
  const labelled = fx.labels.beepStartMs;
  if (typeof labelled === "number") {
    beepsLabelled++;
    if (s.beep && Math.abs(s.beep.startMs - labelled) <= 200) {
      beepsFound++;
      beepErrors.push(Math.abs(s.beep.startMs - labelled));
    }
  } else if (s.beep) {
    falseBeeps++;
  }
  // For a machine, the message may start at greetingEnded.detectedAtMs: it must not be before the
  // greeting's end (or the beep's end when there is one).
  if (truth === "machine" && s.greetingEnded) {
    greetingEndReports++;
    const beepEnd = typeof labelled === "number" && typeof fx.labels.beepHz === "number" ? labelled : null;
    const mustWait = beepEnd ?? fx.labels.greetingEndMs ?? 0;
    if (s.greetingEnded.detectedAtMs < mustWait) talkOver++;
    greetingEndDelays.push(s.greetingEnded.detectedAtMs - (fx.labels.greetingEndMs ?? 0));
  }
}

const sumAudio = summarise(audioOnly, fixtures);
const sumStt = summarise(withStt, fixtures);
const sumAst = summarise(asterisk, fixtures);
console.log(`\nAMD on ${fixtures.length} recorded calls (${dirs.join(", ")})`);
printTable(
  ["detector", "accuracy", "human: median ms after 1st utterance", "machine: median ms after answer", "wrong"],
  [
    ["ours, audio + scripted STT", sumStt.accuracy, sumStt.humanDelayAfterFirstUtteranceMedianMs, sumStt.machineVerdictAfterAnswerMedianMs, sumStt.wrong.length],
    ["ours, audio only", sumAudio.accuracy, sumAudio.humanDelayAfterFirstUtteranceMedianMs, sumAudio.machineVerdictAfterAnswerMedianMs, sumAudio.wrong.length],
    ["Asterisk app_amd", sumAst.accuracy, sumAst.humanDelayAfterFirstUtteranceMedianMs, sumAst.machineVerdictAfterAnswerMedianMs, sumAst.wrong.length],
  ],
);
console.log("\nper call (truth | ours+STT | ours audio | Asterisk)");
printTable(
  ["call", "truth", "ours+STT", "at ms", "ours audio", "at ms", "Asterisk", "at ms"],
  fixtures.map((fx, i) => [
    name(fx),
    fx.labels.answeredBy!,
    withStt[i]!.verdict,
    withStt[i]!.decidedAtMs ?? "-",
    audioOnly[i]!.verdict,
    audioOnly[i]!.decidedAtMs ?? "-",
    asterisk[i]!.verdict,
    asterisk[i]!.decidedAtMs ?? "-",
  ]),
);
const beepMedianErr = median(beepErrors);
console.log("\nbeeps and greeting end");
printTable(
  ["measure", "value"],
  [
    ["beeps labelled", beepsLabelled],
    ["beeps found (±200 ms)", beepsFound],
    ["found rate", beepsLabelled > 0 ? beepsFound / beepsLabelled : Number.NaN],
    ["median |start error| ms", beepMedianErr],
    ["false beeps (calls without one)", falseBeeps],
    ["machine greeting-end reports", greetingEndReports],
    ["  ...of which before the greeting/beep ended", talkOver],
    ["  median ms after greeting end", median(greetingEndDelays)],
  ],
);

const costFrames = fixtures.slice(0, 12).flatMap((f) => frames(f.pcm));
const amdUs = microsPerFrame(costFrames, 5, () => {
  const amd = createAmd();
  let t = 0;
  return (f) => {
    amd.push(f, t);
    t += 20;
  };
});
console.log(`\nAMD cost (features + VAD + beep + decision): ${amdUs.toFixed(2)} µs per 20 ms frame over ${costFrames.length} frames`);

const path = writeResult("amd", {
  calls: fixtures.length,
  dirs,
  oursWithStt: sumStt,
  oursAudioOnly: sumAudio,
  asterisk: sumAst,
  beeps: { labelled: beepsLabelled, found: beepsFound, foundRate: beepsLabelled > 0 ? beepsFound / beepsLabelled : null, medianStartErrorMs: beepMedianErr, falseBeeps },
  greetingEnd: { reports: greetingEndReports, talkOver, medianMsAfterGreetingEnd: median(greetingEndDelays) },
  costMicrosPerFrame: amdUs,
  targets: {
    accuracy: 0.97,
    humanMedianMs: 1000,
    machineMedianMs: 3000,
    beepFoundRate: 0.95,
    beepMedianErrorMs: 40,
  },
});
console.log(`wrote ${path}`);
