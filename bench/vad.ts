/**
 * Voice activity benchmark.
 * 1. ten-vad (30 real clips) carried through a telephone channel exactly as its README says
 *    (low-pass 3.4 kHz, 8 kHz, mu-law encode + decode, 20 ms frames), scored frame by frame
 *    beside the README's reference rows; also per half of the set (odd/even clips) to show the
 *    hand-set weights are not fitted to one half. Scored twice: the settled decision (segment
 *    boundaries as the detector finalises them, VadFrame.settledAt) and the live one.
 * 2. Non-speech that must not be speech: steady tones 400–2000 Hz, DTMF, Asterisk's real beep,
 *    music on hold (Debian asterisk-moh-opsound-wav, first 60 s of each file, if installed).
 * 3. Cost per 20 ms frame of the feature extractor, the VAD and the beep detector.
 * Usage: bun run bench/vad.ts
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createFeatureExtractor } from "../src/engine/audio/features.ts";
import { createBeepDetector } from "../src/engine/beep.ts";
import { createVad } from "../src/engine/vad.ts";
import { vadDecisions } from "./lib/vad-decisions.ts";
import { confusion, count, scores, type BinaryScores } from "./lib/metrics.ts";
import { tones } from "./lib/signals.ts";
import { printTable, writeResult } from "./lib/table.ts";
import { frames, toTelephone } from "./lib/telephone.ts";
import { loadTenVad } from "./lib/ten-vad.ts";
import { microsPerFrame } from "./lib/timing.ts";
import { readWav } from "./lib/wav.ts";

const REFERENCE = [
  { detector: "always speech (README)", precision: 0.757, recall: 1.0, f1: 0.862, mcc: 0.0, balancedAccuracy: 0.5 },
  { detector: "energy threshold (README)", precision: 0.818, recall: 0.922, f1: 0.867, mcc: 0.34, balancedAccuracy: 0.64 },
  { detector: "WebRTC VAD mode 3 (README)", precision: 0.865, recall: 0.915, f1: 0.889, mcc: 0.5, balancedAccuracy: 0.74 },
  { detector: "Silero VAD v6.2 (README)", precision: 0.946, recall: 0.919, f1: 0.932, mcc: 0.73, balancedAccuracy: 0.88 },
];

const clips = loadTenVad();
/** The settled decision (VadFrame.settledAt), scored as the detector's final word per frame. */
const all = confusion();
const halves = [confusion(), confusion()];
/** The live decision (`speech` as each frame is pushed), which barge-in and turn-taking read. */
const live = confusion();
const liveHalves = [confusion(), confusion()];
/** Where the errors sit relative to the labelled segments (frames). */
const errors = {
  missedInMusic: 0, // labelled speech while the music gate was closed
  missedOnset: 0, // first 100 ms of a labelled speech segment
  missedTail: 0, // last 100 ms of a labelled speech segment
  missedInside: 0,
  falseInMusic: 0,
  falseLeadIn: 0, // before the first labelled speech of a clip (noise floor still warming up)
  falseAfterEnd: 0, // first 200 ms of a labelled pause (hangover past the label's end)
  falseBeforeStart: 0, // last 200 ms of a labelled pause (early onset)
  falseInPause: 0,
};
const perClip: Array<{ clip: string; half: string; f1: number; missed: number; missedInMusic: number; falseSpeech: number }> = [];
for (const [ci, clip] of clips.entries()) {
  const c = confusion();
  let missedInMusic = 0;
  const labels = clip.labels;
  const n = labels.length;
  // Start and end index of the labelled segment each frame belongs to.
  const segStart = new Int32Array(n);
  const segEnd = new Int32Array(n);
  for (let i = 0; i < n; i++) segStart[i] = i > 0 && labels[i] === labels[i - 1] ? segStart[i - 1]! : i;
  for (let i = n - 1; i >= 0; i--) segEnd[i] = i < n - 1 && labels[i] === labels[i + 1] ? segEnd[i + 1]! : i;
  const { live: liveSpeech, settled, music } = vadDecisions(clip.frames);
  for (let i = 0; i < n; i++) {
    const speech = settled[i] === 1;
    const inMusic = music[i] === 1;
    const l = labels[i]!;
    count(live, liveSpeech[i] === 1, l);
    count(liveHalves[ci % 2]!, liveSpeech[i] === 1, l);
    count(all, speech, l);
    count(halves[ci % 2]!, speech, l);
    count(c, speech, l);
    const fromStart = i - segStart[i]!;
    const toEnd = segEnd[i]! - i;
    if (l && !speech) {
      if (inMusic) missedInMusic++;
      errors[inMusic ? "missedInMusic" : fromStart < 5 ? "missedOnset" : toEnd < 5 ? "missedTail" : "missedInside"]++;
    } else if (!l && speech) {
      errors[inMusic ? "falseInMusic" : segStart[i] === 0 ? "falseLeadIn" : fromStart < 10 ? "falseAfterEnd" : toEnd < 10 ? "falseBeforeStart" : "falseInPause"]++;
    }
  }
  perClip.push({ clip: clip.name, half: ci % 2 === 0 ? "odd" : "even", f1: scores(c).f1, missed: c.fn, missedInMusic, falseSpeech: c.fp });
}
const ours = scores(all);
const row = (name: string, s: Omit<BinaryScores, "frames">) => [name, s.precision, s.recall, s.f1, s.mcc, s.balancedAccuracy];
console.log(`\nten-vad via telephone chain: ${clips.length} clips, ${ours.frames} frames of 20 ms`);
printTable(
  ["detector", "precision", "recall", "F1", "MCC", "bal.acc"],
  [
    ...REFERENCE.map((r) => row(r.detector, r)),
    row("ours, settled (all 30)", ours),
    row("ours, settled (odd clips)", scores(halves[0]!)),
    row("ours, settled (even clips)", scores(halves[1]!)),
    row("ours, live (all 30)", scores(live)),
    row("ours, live (odd clips)", scores(liveHalves[0]!)),
    row("ours, live (even clips)", scores(liveHalves[1]!)),
  ],
);
console.log(
  "settled: the detector's final decision per frame (segment boundaries settled at most the hangover later);\n" +
    "live: the decision as each frame arrives, which barge-in and turn-taking act on.",
);

console.log("\nten-vad: the ten clips with the lowest F1 (frames)");
printTable(
  ["clip", "half", "F1", "missed", "missed in music", "false speech"],
  [...perClip].sort((a, b) => a.f1 - b.f1).slice(0, 10).map((r) => [r.clip, r.half, r.f1, r.missed, r.missedInMusic, r.falseSpeech]),
);
console.log("\nten-vad: where the wrong frames sit");
printTable(["error", "frames"], Object.entries(errors).map(([k, v]) => [k, v]));

/** Share of frames the VAD calls speech: settled (scored) and live. */
function speechShare(pcm: Int16Array): { frames: number; speechFrames: number; rate: number; liveSpeechFrames: number } {
  const d = vadDecisions(frames(pcm));
  const n = d.settled.length;
  const s = d.settled.reduce((a, x) => a + x, 0);
  return { frames: n, speechFrames: s, rate: n > 0 ? s / n : 0, liveSpeechFrames: d.live.reduce((a, x) => a + x, 0) };
}

const nonSpeech: Array<{ signal: string; frames: number; speechFrames: number; rate: number; liveSpeechFrames: number }> = [];
for (const hz of [400, 700, 1000, 1400, 2000]) {
  nonSpeech.push({ signal: `tone ${hz} Hz 1 s, line noise`, ...speechShare(toTelephone(tones([hz], 1000, 6000, 40, hz), 8000)) });
}
for (const [a, b] of [[697, 1209], [770, 1336], [941, 1477]] as const) {
  nonSpeech.push({ signal: `DTMF ${a}+${b} Hz 1 s`, ...speechShare(toTelephone(tones([a, b], 1000, 4000, 40, a), 8000)) });
}
const beepWav = "/usr/share/asterisk/sounds/en_US_f_Allison/beep.wav";
if (existsSync(beepWav)) {
  const w = readWav(beepWav);
  nonSpeech.push({ signal: "Asterisk beep.wav", ...speechShare(toTelephone(w.samples, w.sampleRateHz)) });
}
const mohDir = "/usr/share/asterisk/moh";
if (existsSync(mohDir)) {
  for (const f of readdirSync(mohDir).filter((x) => x.endsWith(".wav")).sort()) {
    const w = readWav(join(mohDir, f));
    const pcm = toTelephone(w.samples.subarray(0, w.sampleRateHz * 60), w.sampleRateHz);
    nonSpeech.push({ signal: `music on hold: ${f} (60 s)`, ...speechShare(pcm) });
  }
}
console.log("\nnon-speech called speech (false-positive rate per frame)");
printTable(
  ["signal", "frames", "speech frames", "FP rate", "live speech frames"],
  nonSpeech.map((r) => [r.signal, r.frames, r.speechFrames, r.rate, r.liveSpeechFrames]),
);

// Cost per frame on the ten-vad frames.
const costFrames = clips.flatMap((c) => c.frames);
const rounds = 5;
const featuresUs = microsPerFrame(costFrames, rounds, () => {
  const fx = createFeatureExtractor();
  return (f) => void fx.compute(f);
});
const featuresVadUs = microsPerFrame(costFrames, rounds, () => {
  const fx = createFeatureExtractor();
  const v = createVad();
  return (f) => void v.push(f, fx.compute(f));
});
const featuresVadBeepUs = microsPerFrame(costFrames, rounds, () => {
  const fx = createFeatureExtractor();
  const v = createVad();
  const b = createBeepDetector();
  return (f) => {
    const ft = fx.compute(f);
    v.push(f, ft);
    b.push(f, ft);
  };
});
console.log(`\ncost per 20 ms frame (median of ${rounds} passes over ${costFrames.length} frames)`);
printTable(
  ["stage", "µs/frame"],
  [
    ["features (FFT, bands, periodicity)", featuresUs],
    ["features + VAD", featuresVadUs],
    ["features + VAD + beep", featuresVadBeepUs],
  ],
);

const path = writeResult("vad", {
  tenVad: {
    clips: clips.length,
    ours,
    oddClips: scores(halves[0]!),
    evenClips: scores(halves[1]!),
    live: { all: scores(live), oddClips: scores(liveHalves[0]!), evenClips: scores(liveHalves[1]!) },
    reference: REFERENCE,
    perClip,
    errors,
  },
  targets: { f1: 0.92, mccAbove: 0.5, f1Met: ours.f1 >= 0.92, mccMet: ours.mcc > 0.5 },
  nonSpeech,
  costMicrosPerFrame: { features: featuresUs, featuresVad: featuresVadUs, featuresVadBeep: featuresVadBeepUs },
});
console.log(`\nwrote ${path}`);
