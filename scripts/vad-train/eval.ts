/**
 * Score the trained speech score (weights.json from train.ts) on the benchmark material of
 * bench/vad.ts, beside the engine's VAD: ten-vad through the telephone chain (all 30 clips and
 * the odd / even halves), music on hold (first 60 s of each file), steady tones, DTMF and
 * Asterisk's beep. ten-vad is read only here, never by the trainer.
 *
 * Usage: bun run scripts/vad-train/eval.ts [weights.json]
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { confusion, count, scores, type Confusion } from "../../bench/lib/metrics.ts";
import { tones } from "../../bench/lib/signals.ts";
import { printTable } from "../../bench/lib/table.ts";
import { frames, toTelephone } from "../../bench/lib/telephone.ts";
import { loadTenVad } from "../../bench/lib/ten-vad.ts";
import { readWav } from "../../bench/lib/wav.ts";
import { createFeatureExtractor } from "../../src/engine/audio/features.ts";
import { createVad } from "../../src/engine/vad.ts";
import { createCues, createHysteresis, type HysteresisOptions, type VadModel } from "./model.ts";

const path = process.argv[2] ?? join(import.meta.dir, "weights.json");
const rec = JSON.parse(readFileSync(path, "utf8")) as { model: VadModel; hysteresis: HysteresisOptions };

type Detector = () => (f: Int16Array) => boolean;
const engine: Detector = () => {
  const v = createVad();
  return (f) => v.push(f).speech;
};
const trained: Detector = () => {
  const fx = createFeatureExtractor();
  const cues = createCues(rec.model);
  const h = createHysteresis(rec.hysteresis);
  return (f) => {
    const c = cues.push(fx.compute(f));
    return h.push(c.inMusic ? 0 : c.score);
  };
};
const detectors: Array<[string, Detector]> = [
  ["engine (hand-set score)", engine],
  ["trained score", trained],
];

const clips = loadTenVad();
const rows: Array<Array<string | number>> = [];
for (const [name, make] of detectors) {
  const halves: Confusion[] = [confusion(), confusion()];
  const all = confusion();
  clips.forEach((clip, ci) => {
    const d = make();
    clip.frames.forEach((f, i) => {
      const s = d(f);
      count(all, s, clip.labels[i]!);
      count(halves[ci % 2]!, s, clip.labels[i]!);
    });
  });
  for (const [part, c] of [["all 30", all], ["odd", halves[0]!], ["even", halves[1]!]] as const) {
    const s = scores(c);
    rows.push([name, part, s.precision, s.recall, s.f1, s.mcc]);
  }
}
console.log(`\nten-vad via telephone chain (${clips.length} clips, held out from training)`);
printTable(["detector", "clips", "precision", "recall", "F1", "MCC"], rows);

const nonSpeech: Array<[string, Int16Array]> = [];
for (const hz of [400, 700, 1000, 1400, 2000]) nonSpeech.push([`tone ${hz} Hz`, toTelephone(tones([hz], 1000, 6000, 40, hz), 8000)]);
for (const [a, b] of [[697, 1209], [770, 1336], [941, 1477]] as const) nonSpeech.push([`DTMF ${a}+${b}`, toTelephone(tones([a, b], 1000, 4000, 40, a), 8000)]);
const beep = "/usr/share/asterisk/sounds/en_US_f_Allison/beep.wav";
if (existsSync(beep)) {
  const w = readWav(beep);
  nonSpeech.push(["beep.wav", toTelephone(w.samples, w.sampleRateHz)]);
}
const moh = "/usr/share/asterisk/moh";
for (const f of readdirSync(moh).filter((x) => x.endsWith(".wav")).sort()) {
  const w = readWav(join(moh, f));
  nonSpeech.push([`moh ${f}`, toTelephone(w.samples.subarray(0, w.sampleRateHz * 60), w.sampleRateHz)]);
}
const share = (make: Detector, pcm: Int16Array): [number, number] => {
  const d = make();
  let s = 0;
  const fr = frames(pcm);
  for (const f of fr) if (d(f)) s++;
  return [s, fr.length];
};
const mohTotals = detectors.map(() => [0, 0]);
const nsRows = nonSpeech.map(([name, pcm]) => {
  const r = detectors.map(([, make], k) => {
    const [s, n] = share(make, pcm);
    if (name.startsWith("moh")) {
      mohTotals[k]![0] = mohTotals[k]![0]! + s;
      mohTotals[k]![1] = mohTotals[k]![1]! + n;
    }
    return s / n;
  });
  return [name, ...r];
});
nsRows.push(["moh, all five", ...mohTotals.map(([s, n]) => s! / n!)]);
console.log("\nnon-speech called speech (share of frames)");
printTable(["signal", ...detectors.map(([n]) => n)], nsRows);
