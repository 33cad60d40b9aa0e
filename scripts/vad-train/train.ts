/**
 * Train a speech score for the VAD (model.ts) and choose its hysteresis, on training mixtures only
 * (data.ts: Asterisk prompts over noise and hold music, telephone chain), then write
 * scripts/vad-train/weights.json. The benchmark set (ten-vad) is never read here; eval.ts
 * scores the result on it.
 *
 * Usage: bun run scripts/vad-train/train.ts [--mixtures 1000] [--hidden 16] [--epochs 8] [--seed 1] [--dry]
 * Needs: apt-get install asterisk-core-sounds-{en,es,fr,it,ru}-wav asterisk-moh-opsound-wav
 * Deterministic for given options (seeded data, initialisation and shuffling).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { prng } from "../../bench/lib/signals.ts";
import { createFeatureExtractor } from "../../src/engine/audio/features.ts";
import { createCues, createHysteresis, MODEL_INPUT_NAMES, MODEL_INPUTS, modelLogit, type HysteresisOptions, type VadModel } from "./model.ts";
import { generate, loadMusic, loadPrompts, type Mixture } from "./data.ts";

const argv = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : def;
};
const MIXTURES = arg("mixtures", 1000);
const HIDDEN = arg("hidden", 16);
const EPOCHS = arg("epochs", 8);
const SEED = arg("seed", 1);
const L2 = arg("l2", 1e-4);
const DRY = argv.includes("--dry");
/** Inputs the network may use (names from MODEL_INPUT_NAMES, comma-separated); the others get weight 0. */
const USE = (() => {
  const i = argv.indexOf("--inputs");
  return i >= 0 ? argv[i + 1]!.split(",") : [...MODEL_INPUT_NAMES];
})();
const VALIDATION_SHARE = 0.15;
const OUT = join(import.meta.dir, "weights.json");

// ---- data -------------------------------------------------------------------------------------
const t0 = performance.now();
const prompts = loadPrompts();
const music = loadMusic();
const mixtures = generate({ seed: SEED, mixtures: MIXTURES, minSeconds: 6, maxSeconds: 20, backgroundOnlyShare: 0.1 }, prompts, music);
const nTrain = Math.round(mixtures.length * (1 - VALIDATION_SHARE));

/** Engine inputs of every frame of a set of mixtures. */
interface FrameSet {
  n: number;
  x: Float32Array; // n × MODEL_INPUTS
  y: Uint8Array;
  /** The VAD scores the frame 0 whatever the network says (steady tone, quiet frame). */
  forced: Uint8Array;
  music: Uint8Array;
  /** Index of the first frame of each mixture, and n at the end. */
  starts: number[];
}

function collect(ms: Mixture[]): FrameSet {
  const n = ms.reduce((a, m) => a + m.labels.length, 0);
  const set: FrameSet = { n, x: new Float32Array(n * MODEL_INPUTS), y: new Uint8Array(n), forced: new Uint8Array(n), music: new Uint8Array(n), starts: [] };
  let k = 0;
  for (const m of ms) {
    set.starts.push(k);
    const fx = createFeatureExtractor();
    const cues = createCues(null);
    for (let i = 0; i < m.labels.length; i++, k++) {
      const f = fx.compute(m.pcm.subarray(i * 160, i * 160 + 160));
      const c = cues.push(f);
      set.x.set(c.inputs, k * MODEL_INPUTS);
      set.y[k] = m.labels[i]!;
      set.forced[k] = c.forced ? 1 : 0;
      set.music[k] = c.inMusic ? 1 : 0;
    }
  }
  set.starts.push(k);
  return set;
}

const train = collect(mixtures.slice(0, nTrain));
const valid = collect(mixtures.slice(nTrain));
const speechShare = (s: FrameSet) => s.y.reduce((a, b) => a + b, 0) / s.n;
const hours = (train.n + valid.n) * 0.02 / 3600;
console.log(
  `mixtures ${mixtures.length} (${nTrain} train, ${mixtures.length - nTrain} validation), ${hours.toFixed(2)} h, ` +
    `prompts ${prompts.length}, speech share ${(100 * speechShare(train)).toFixed(1)} %, ` +
    `forced-0 frames ${(100 * train.forced.reduce((a, b) => a + b, 0) / train.n).toFixed(1)} %, ` +
    `in music ${(100 * train.music.reduce((a, b) => a + b, 0) / train.n).toFixed(1)} %  [${((performance.now() - t0) / 1000).toFixed(1)} s]`,
);

// ---- network ----------------------------------------------------------------------------------
const D = MODEL_INPUTS;
const H = HIDDEN;
const rows = (s: FrameSet): Int32Array => Int32Array.from(Array.from({ length: s.n }, (_, i) => i).filter((i) => !s.forced[i]));
const trainRows = rows(train);
const validRows = rows(valid);
// Input normalisation from the training rows.
const mean = new Float64Array(D);
const scale = new Float64Array(D);
for (const r of trainRows) for (let i = 0; i < D; i++) mean[i] = mean[i]! + train.x[r * D + i]!;
for (let i = 0; i < D; i++) mean[i] = mean[i]! / (trainRows.length);
for (const r of trainRows) for (let i = 0; i < D; i++) scale[i] = scale[i]! + (train.x[r * D + i]! - mean[i]!) ** 2;
for (let i = 0; i < D; i++) scale[i] = 1 / Math.max(1e-6, Math.sqrt(scale[i]! / trainRows.length));
for (const name of USE) if (!MODEL_INPUT_NAMES.includes(name)) throw new Error(`unknown input ${name}`);
// An unused input is normalised to 0: its weights never move from 0 and fold to nothing.
for (let i = 0; i < D; i++) if (!USE.includes(MODEL_INPUT_NAMES[i]!)) scale[i] = 0;

const rnd = prng(SEED * 7919 + 17);
const gauss = () => Math.sqrt(-2 * Math.log(Math.max(1e-12, rnd()))) * Math.cos(2 * Math.PI * rnd());
// Parameters: w1 [H×D], b1 [H], w2 [H or D], b2.
const nOut = H > 0 ? H : D;
const P = H * D + H + nOut + 1;
const theta = new Float64Array(P);
for (let i = 0; i < H * D; i++) theta[i] = scale[i % D] === 0 ? 0 : gauss() * Math.sqrt(2 / USE.length);
for (let j = 0; j < H; j++) theta[H * D + j] = 0.1;
for (let j = 0; j < nOut; j++) theta[H * D + H + j] = gauss() * Math.sqrt(1 / nOut);
const W2 = H * D + H;
const B2 = P - 1;

const u = new Float64Array(D);
const hid = new Float64Array(Math.max(1, H));
/** Logit for row r of set s (normalised inputs into u). */
function forward(s: FrameSet, r: number): number {
  for (let i = 0; i < D; i++) u[i] = (s.x[r * D + i]! - mean[i]!) * scale[i]!;
  let z = theta[B2]!;
  if (H === 0) {
    for (let i = 0; i < D; i++) z += theta[W2 + i]! * u[i]!;
    return z;
  }
  for (let j = 0; j < H; j++) {
    let a = theta[H * D + j]!;
    for (let i = 0; i < D; i++) a += theta[j * D + i]! * u[i]!;
    hid[j] = a > 0 ? a : 0;
    z += theta[W2 + j]! * hid[j]!;
  }
  return z;
}

function evaluate(s: FrameSet, rs: Int32Array): { loss: number; acc: number } {
  let loss = 0;
  let ok = 0;
  for (const r of rs) {
    const z = forward(s, r);
    const y = s.y[r]!;
    loss += Math.log1p(Math.exp(-Math.abs(z))) + Math.max(0, y ? -z : z);
    if (z >= 0 === (y === 1)) ok++;
  }
  return { loss: loss / rs.length, acc: ok / rs.length };
}

const grad = new Float64Array(P);
const m1 = new Float64Array(P);
const m2 = new Float64Array(P);
const BATCH = 256;
let step = 0;
const order = Int32Array.from(trainRows);
const totalSteps = EPOCHS * Math.ceil(order.length / BATCH);
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  for (let b0 = 0; b0 < order.length; b0 += BATCH) {
    grad.fill(0);
    const b1 = Math.min(order.length, b0 + BATCH);
    for (let q = b0; q < b1; q++) {
      const r = order[q]!;
      const z = forward(train, r);
      const g = 1 / (1 + Math.exp(-z)) - train.y[r]!; // dLoss/dz
      grad[B2] = grad[B2]! + g;
      if (H === 0) {
        for (let i = 0; i < D; i++) grad[W2 + i] = grad[W2 + i]! + g * u[i]!;
        continue;
      }
      for (let j = 0; j < H; j++) {
        if (hid[j]! <= 0) continue;
        grad[W2 + j] = grad[W2 + j]! + g * hid[j]!;
        const gh = g * theta[W2 + j]!;
        grad[H * D + j] = grad[H * D + j]! + gh;
        const off = j * D;
        for (let i = 0; i < D; i++) grad[off + i] = grad[off + i]! + gh * u[i]!;
      }
    }
    step++;
    const lr = 0.003 * (0.05 + 0.95 * 0.5 * (1 + Math.cos((Math.PI * step) / totalSteps)));
    const nb = b1 - b0;
    const c1 = 1 - 0.9 ** step;
    const c2 = 1 - 0.999 ** step;
    for (let p = 0; p < P; p++) {
      const g = grad[p]! / nb + (p < H * D || (p >= W2 && p < B2) ? L2 * theta[p]! : 0);
      m1[p] = 0.9 * m1[p]! + 0.1 * g;
      m2[p] = 0.999 * m2[p]! + 0.001 * g * g;
      theta[p] = theta[p]! - ((lr * (m1[p]! / c1)) / (Math.sqrt(m2[p]! / c2) + 1e-8));
    }
  }
  const tr = evaluate(train, trainRows);
  const va = evaluate(valid, validRows);
  console.log(
    `epoch ${epoch + 1}/${EPOCHS}: train loss ${tr.loss.toFixed(4)} acc ${tr.acc.toFixed(4)}; validation loss ${va.loss.toFixed(4)} acc ${va.acc.toFixed(4)}`,
  );
}

// Fold the normalisation into the first layer: the engine reads raw inputs.
function folded(): VadModel {
  const r6 = (v: number) => Number(v.toPrecision(6));
  if (H === 0) {
    let b = theta[B2]!;
    const w2: number[] = [];
    for (let i = 0; i < D; i++) {
      w2.push(r6(theta[W2 + i]! * scale[i]!));
      b -= theta[W2 + i]! * scale[i]! * mean[i]!;
    }
    return { inputs: D, hidden: 0, w1: [], b1: [], w2, b2: r6(b) };
  }
  const w1: number[] = [];
  const b1: number[] = [];
  for (let j = 0; j < H; j++) {
    let b = theta[H * D + j]!;
    for (let i = 0; i < D; i++) {
      w1.push(r6(theta[j * D + i]! * scale[i]!));
      b -= theta[j * D + i]! * scale[i]! * mean[i]!;
    }
    b1.push(r6(b));
  }
  return { inputs: D, hidden: H, w1, b1, w2: Array.from(theta.subarray(W2, W2 + H), r6), b2: r6(theta[B2]!) };
}
const model = folded();

// ---- hysteresis -------------------------------------------------------------------------------
/** Per-frame score of the folded model exactly as the engine computes it. */
function scoresOf(s: FrameSet): Float64Array {
  const out = new Float64Array(s.n);
  const x = new Float64Array(D);
  for (let r = 0; r < s.n; r++) {
    if (s.forced[r]) continue;
    for (let i = 0; i < D; i++) x[i] = s.x[r * D + i]!;
    out[r] = 1 / (1 + Math.exp(-modelLogit(model, x)));
  }
  return out;
}
const all = collectScores();
function collectScores() {
  return [
    { s: train, p: scoresOf(train) },
    { s: valid, p: scoresOf(valid) },
  ];
}

type Hyst = HysteresisOptions;
function decide(h: Hyst, which: Array<{ s: FrameSet; p: Float64Array }>): { f1: number; mcc: number; p: number; r: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const { s, p } of which) {
    for (let c = 0; c + 1 < s.starts.length; c++) {
      const hy = createHysteresis(h);
      for (let r = s.starts[c]!; r < s.starts[c + 1]!; r++) {
        const speech = hy.push(s.music[r] ? 0 : p[r]!);
        const y = s.y[r] === 1;
        if (speech) y ? tp++ : fp++;
        else y ? fn++ : tn++;
      }
    }
  }
  const pr = tp / Math.max(1, tp + fp);
  const rc = tp / Math.max(1, tp + fn);
  const mcc = (tp * tn - fp * fn) / Math.sqrt(Math.max(1, (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)));
  return { f1: (2 * pr * rc) / Math.max(1e-9, pr + rc), mcc, p: pr, r: rc };
}
/** Objective of the hysteresis search: F1 (the product's target), or F1 + MCC with --objective 1. */
const OBJECTIVE = arg("objective", 0);
const objective = (q: { f1: number; mcc: number }) => (OBJECTIVE === 1 ? q.f1 + q.mcc : q.f1);
const GRID: { [K in keyof Hyst]: number[] } = {
  // At least 2 frames: a tone is recognised as steady from its second frame on.
  onsetMs: [40, 60, 80],
  hangoverMs: [100, 140, 180, 220, 260, 300, 360],
  clearHangoverMs: [40, 60, 80, 100, 140],
  clearScore: [0.05, 0.1, 0.15, 0.2, 0.3],
  startThreshold: [0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
  stayThreshold: [0.2, 0.3, 0.4, 0.5, 0.6],
};
let best: Hyst = { onsetMs: 40, hangoverMs: 240, clearHangoverMs: 100, clearScore: 0.15, startThreshold: 0.5, stayThreshold: 0.4 };
let bestQ = decide(best, all);
for (let round = 0; round < 3; round++) {
  let changed = false;
  for (const key of Object.keys(GRID) as Array<keyof Hyst>) {
    for (const v of GRID[key]) {
      const cand = { ...best, [key]: v };
      if (cand.stayThreshold > cand.startThreshold) continue;
      const q = decide(cand, all);
      if (objective(q) > objective(bestQ) + 1e-6) {
        best = cand;
        bestQ = q;
        changed = true;
      }
    }
  }
  if (!changed) break;
}
const fmt = (q: { f1: number; mcc: number; p: number; r: number }) =>
  `P ${q.p.toFixed(3)} R ${q.r.toFixed(3)} F1 ${q.f1.toFixed(3)} MCC ${q.mcc.toFixed(3)}`;
console.log("hysteresis", JSON.stringify(best));
console.log(`training mixtures: ${fmt(decide(best, [all[0]!]))}; validation mixtures: ${fmt(decide(best, [all[1]!]))}`);

// ---- write ------------------------------------------------------------------------------------
const record = {
  producedBy: `bun run scripts/vad-train/train.ts ${argv.filter((a) => a !== "--dry").join(" ")}`.trim(),
  training: { hours: Number(hours.toFixed(2)), mixtures: mixtures.length, prompts: prompts.length, validation: decide(best, [all[1]!]) },
  inputNames: MODEL_INPUT_NAMES,
  model,
  hysteresis: best,
};
if (!DRY) {
  writeFileSync(OUT, JSON.stringify(record) + "\n");
  console.log(`wrote ${OUT}`);
}
console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
