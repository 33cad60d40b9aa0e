/**
 * Training mixtures for the VAD's speech score: real recorded speech (Debian's Asterisk prompts,
 * five voices in five languages) concatenated with random pauses, labelled per 20 ms frame from
 * the clean prompt's own energy, mixed with backgrounds at random SNRs (hold music, white / pink /
 * brown noise, mains hum, babble of other prompts, line hiss) and carried through the telephone
 * chain of bench/lib/telephone.ts (mu-law). Some mixtures are background only.
 *
 * Deterministic: everything is drawn from one seeded generator.
 *
 * Needs the Debian packages asterisk-core-sounds-{en,es,fr,it,ru}-wav and asterisk-moh-opsound-wav.
 * Hold music is read only beyond its first 60 s (bench/vad.ts measures false speech on the first
 * 60 s of each file).
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { prng } from "../../bench/lib/signals.ts";
import { toTelephone } from "../../bench/lib/telephone.ts";
import { readWav } from "../../bench/lib/wav.ts";

export const SOUNDS_DIR = "/usr/share/asterisk/sounds";
export const MOH_DIR = "/usr/share/asterisk/moh";
/** Voices (directory names under SOUNDS_DIR): one talker each. */
export const VOICES = ["en_US_f_Allison", "es_MX_f_Allison", "fr_CA_f_June", "it_IT_m_Carlo", "ru_RU_f_IvrvoiceRU"];
/** Hold music before this many seconds is never used for training. */
export const MOH_SKIP_S = 60;

const FRAME = 160;
const RATE = 8000;

/** One training mixture: telephone PCM (whole frames) and a label per 20 ms frame. */
export interface Mixture {
  name: string;
  pcm: Int16Array;
  labels: Uint8Array;
  background: string;
  snrDb: number;
}

export interface Prompt {
  voice: string;
  samples: Float64Array;
}

/** Every spoken prompt of a voice (tones, beeps and the silence files left out). */
function listWavs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== "silence") out.push(...listWavs(p));
    } else if (name.endsWith(".wav") && !/^(beep|beeperr|.*2tone)\.wav$/.test(name)) out.push(p);
  }
  return out;
}

export function loadPrompts(): Prompt[] {
  const out: Prompt[] = [];
  for (const voice of VOICES) {
    const dir = join(SOUNDS_DIR, voice);
    if (!existsSync(dir)) throw new Error(`${dir} missing: apt-get install asterisk-core-sounds-{en,es,fr,it,ru}-wav`);
    for (const p of listWavs(dir)) {
      const w = readWav(p);
      if (w.sampleRateHz !== RATE || w.samples.length < RATE * 0.3) continue;
      out.push({ voice, samples: Float64Array.from(w.samples) });
    }
  }
  return out;
}

export function loadMusic(): Float64Array[] {
  if (!existsSync(MOH_DIR)) throw new Error(`${MOH_DIR} missing: apt-get install asterisk-moh-opsound-wav`);
  return readdirSync(MOH_DIR)
    .filter((f) => f.endsWith(".wav"))
    .sort()
    .map((f) => {
      const w = readWav(join(MOH_DIR, f));
      if (w.sampleRateHz !== RATE) throw new Error(`${f}: ${w.sampleRateHz} Hz`);
      return Float64Array.from(w.samples.subarray(RATE * MOH_SKIP_S));
    });
}

const db = (p: number): number => 10 * Math.log10(p + 1e-12);

/** Frame powers (mean square) of a signal, frames of 160 samples from sample 0. */
function framePowers(x: Float64Array): Float64Array {
  const n = Math.floor(x.length / FRAME);
  const e = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = k * FRAME; i < (k + 1) * FRAME; i++) s += x[i]! * x[i]!;
    e[k] = s / FRAME;
  }
  return e;
}

/** Labelling of a clean prompt (see `labelPrompt`). */
export const LABEL = {
  /** A frame is speech when within this many dB of the prompt's loudest frame... */
  belowPeakDb: 38,
  /** ...and this many dB above the prompt's own quietest frames. */
  aboveFloorDb: 12,
  /**
   * Gaps of at most this many frames inside a prompt are bridged: the benchmark's labels mark
   * pauses between phrases (10 % of them ≤ 200 ms, none under 80 ms) but not gaps between words;
   * 7 frames gives the same pause-length distribution on these prompts.
   */
  bridgeFrames: 7,
  /** Speech runs shorter than this many frames (clicks, breaths) are dropped. */
  minRunFrames: 3,
};

/** Frame labels of a clean prompt from its own energy. */
export function labelPrompt(x: Float64Array): Uint8Array {
  const e = framePowers(x);
  const n = e.length;
  const lab = new Uint8Array(n);
  if (n === 0) return lab;
  const dbs = Array.from(e, db);
  const sorted = [...dbs].sort((a, b) => a - b);
  const peak = sorted[n - 1]!;
  const floor = sorted[Math.floor(n * 0.05)]!;
  const thr = Math.max(peak - LABEL.belowPeakDb, floor + LABEL.aboveFloorDb);
  for (let k = 0; k < n; k++) lab[k] = dbs[k]! > thr ? 1 : 0;
  // Bridge short gaps between speech frames.
  for (let k = 0; k < n; ) {
    if (lab[k]) {
      k++;
      continue;
    }
    let j = k;
    while (j < n && !lab[j]) j++;
    if (k > 0 && j < n && j - k <= LABEL.bridgeFrames) lab.fill(1, k, j);
    k = j;
  }
  // Drop very short runs.
  for (let k = 0; k < n; ) {
    if (!lab[k]) {
      k++;
      continue;
    }
    let j = k;
    while (j < n && lab[j]) j++;
    if (j - k < LABEL.minRunFrames) lab.fill(0, k, j);
    k = j;
  }
  return lab;
}

/** Generation settings. */
export interface MixOptions {
  seed: number;
  mixtures: number;
  minSeconds: number;
  maxSeconds: number;
  /** Share of mixtures with background only. */
  backgroundOnlyShare: number;
}

type Rnd = () => number;
const pick = <T>(rnd: Rnd, xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
const uniform = (rnd: Rnd, a: number, b: number): number => a + (b - a) * rnd();
const gauss = (rnd: Rnd): number => {
  const u = Math.max(1e-12, rnd());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
};

/** Coloured noise of unit-ish RMS. */
function noise(rnd: Rnd, n: number, colour: "white" | "pink" | "brown"): Float64Array {
  const out = new Float64Array(n);
  if (colour === "white") for (let i = 0; i < n; i++) out[i] = gauss(rnd);
  else if (colour === "brown") {
    let y = 0;
    for (let i = 0; i < n; i++) {
      y = 0.98 * y + 0.2 * gauss(rnd);
      out[i] = y;
    }
  } else {
    // Pink: Kellet's economy filter.
    let b0 = 0;
    let b1 = 0;
    let b2 = 0;
    for (let i = 0; i < n; i++) {
      const w = gauss(rnd);
      b0 = 0.99765 * b0 + w * 0.099046;
      b1 = 0.963 * b1 + w * 0.2965164;
      b2 = 0.57 * b2 + w * 1.0526913;
      out[i] = b0 + b1 + b2 + w * 0.1848;
    }
  }
  return out;
}

function rmsOf(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** First-order spectral tilt: y = x + a·x[n−1] (a > 0 darker, a < 0 brighter), unit gain at DC-ish. */
function tilt(x: Float64Array, a: number): void {
  let prev = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = v + a * prev;
    prev = v;
  }
}

/** Schroeder reverberator (4 combs, 2 all-passes) mixed in place: `rt60S` decay, `wet` share. */
function reverb(x: Float64Array, rt60S: number, wet: number): void {
  const n = x.length;
  const acc = new Float64Array(n);
  for (const ms of [29.7, 37.1, 41.1, 43.7]) {
    const d = Math.round((ms * RATE) / 1000);
    const g = Math.pow(10, (-3 * ms) / 1000 / rt60S);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) y[i] = x[i]! + (i >= d ? g * y[i - d]! : 0);
    for (let i = 0; i < n; i++) acc[i] = acc[i]! + y[i]! / 4;
  }
  let y = acc;
  for (const ms of [5, 1.7]) {
    const d = Math.round((ms * RATE) / 1000);
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = -0.7 * y[i]! + (i >= d ? y[i - d]! + 0.7 * z[i - d]! : 0);
    y = z;
  }
  const dry = rmsOf(x);
  const wetRms = rmsOf(y) || 1;
  for (let i = 0; i < n; i++) x[i] = (1 - wet) * x[i]! + (wet * dry * y[i]!) / wetRms;
}

/** Call-progress and keypad tones now and then over line hiss: never speech. */
function tonesTrack(rnd: Rnd, n: number): Float64Array {
  const out = new Float64Array(n);
  let pos = Math.floor(rnd() * RATE);
  const pairs = [[697, 1209], [770, 1336], [852, 1477], [941, 1633], [350, 440], [480, 620], [440, 480]];
  while (pos < n) {
    const f = rnd() < 0.5 ? [uniform(rnd, 300, 2500)] : pick(rnd, pairs);
    const len = Math.floor(uniform(rnd, 0.06, 1.5) * RATE);
    for (let i = 0; i < len && pos + i < n; i++) for (const hz of f) out[pos + i] = out[pos + i]! + Math.sin((2 * Math.PI * hz * i) / RATE);
    pos += len + Math.floor(uniform(rnd, 0.1, 1.5) * RATE);
  }
  return out;
}

const BACKGROUNDS = ["quiet", "white", "pink", "brown", "hum", "music", "music", "babble", "mixed", "tones"] as const;
type Background = (typeof BACKGROUNDS)[number];

function makeBackground(kind: Background, n: number, rnd: Rnd, prompts: Prompt[], music: Float64Array[]): Float64Array {
  switch (kind) {
    case "quiet":
      return new Float64Array(n);
    case "tones":
      return tonesTrack(rnd, n);
    case "white":
    case "pink":
    case "brown":
      return noise(rnd, n, kind);
    case "hum": {
      const f0 = rnd() < 0.5 ? 50 : 60;
      const out = noise(rnd, n, "white");
      for (let i = 0; i < n; i++) out[i] = out[i]! * 0.3;
      const amps = [1, 0.6, 0.5, 0.4, 0.3, 0.2].map((a) => a * uniform(rnd, 0.3, 1.5));
      const ph = amps.map(() => uniform(rnd, 0, 2 * Math.PI));
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let h = 0; h < amps.length; h++) s += amps[h]! * Math.sin((2 * Math.PI * f0 * (h + 1) * i) / RATE + ph[h]!);
        out[i] = out[i]! + s;
      }
      return out;
    }
    case "music": {
      const m = pick(rnd, music);
      const off = Math.floor(rnd() * Math.max(1, m.length - n));
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = m[(off + i) % m.length]!;
      return out;
    }
    case "babble": {
      const out = new Float64Array(n);
      const talkers = 2 + Math.floor(rnd() * 5);
      for (let t = 0; t < talkers; t++) {
        let pos = -Math.floor(rnd() * RATE);
        while (pos < n) {
          const p = pick(rnd, prompts).samples;
          for (let i = 0; i < p.length; i++) if (pos + i >= 0 && pos + i < n) out[pos + i] = out[pos + i]! + p[i]!;
          pos += p.length + Math.floor(rnd() * RATE * 0.3);
        }
      }
      return out;
    }
    case "mixed": {
      const a = makeBackground(pick(rnd, ["white", "pink", "brown", "hum"] as const), n, rnd, prompts, music);
      const b = makeBackground(pick(rnd, ["music", "babble"] as const), n, rnd, prompts, music);
      const ga = rmsOf(a);
      const gb = rmsOf(b);
      const w = uniform(rnd, 0.2, 0.8);
      for (let i = 0; i < n; i++) a[i] = (w * a[i]!) / (ga || 1) + ((1 - w) * b[i]!) / (gb || 1);
      return a;
    }
  }
}

/** Generate the mixtures. */
export function generate(opts: MixOptions, prompts: Prompt[], music: Float64Array[]): Mixture[] {
  const rnd = prng(opts.seed);
  const out: Mixture[] = [];
  for (let c = 0; c < opts.mixtures; c++) {
    const seconds = uniform(rnd, opts.minSeconds, opts.maxSeconds);
    const nFrames = Math.floor((seconds * RATE) / FRAME);
    const n = nFrames * FRAME;
    const speech = new Float64Array(n);
    const labels = new Uint8Array(nFrames);
    const bgOnly = rnd() < opts.backgroundOnlyShare;
    // Speech: one talker per mixture (sometimes two), prompts at a random active level, placed on
    // the frame grid so each prompt's own labels line up with the mixture's frames.
    const voice = pick(rnd, VOICES);
    const own = prompts.filter((p) => p.voice === voice);
    const other = rnd() < 0.2 ? prompts : own;
    const levelDb = uniform(rnd, -38, -12); // active speech level, dBFS
    let active = 0;
    let activeFrames = 0;
    if (!bgOnly) {
      let frame = Math.floor(uniform(rnd, 0.05, rnd() < 0.6 ? 0.4 : 1.5) * (RATE / FRAME));
      while (frame < nFrames - 10) {
        const p = pick(rnd, rnd() < 0.8 ? own : other).samples;
        // Sometimes only part of a prompt (a phrase cut short by the caller).
        let a = 0;
        let b = p.length;
        if (rnd() < 0.25) {
          a = Math.floor(rnd() * p.length * 0.5);
          b = a + Math.floor((0.3 + 0.7 * rnd()) * (p.length - a));
        }
        const seg = p.slice(a, b);
        const lab = labelPrompt(seg);
        const gainDb = uniform(rnd, -4, 4);
        const g = Math.pow(10, gainDb / 20);
        const start = frame * FRAME;
        const m = Math.min(seg.length, n - start);
        for (let i = 0; i < m; i++) speech[start + i] = seg[i]! * g;
        for (let k = 0; k < lab.length && frame + k < nFrames; k++) {
          if (lab[k]) {
            labels[frame + k] = 1;
            let s = 0;
            for (let i = (frame + k) * FRAME; i < (frame + k + 1) * FRAME; i++) s += speech[i]! * speech[i]!;
            active += s / FRAME;
            activeFrames++;
          }
        }
        frame += Math.ceil(seg.length / FRAME);
        // Pause between phrases: mostly short, sometimes long.
        const pauseS = rnd() < 0.7 ? uniform(rnd, 0.1, 0.7) : uniform(rnd, 0.7, 1.6);
        frame += Math.floor((pauseS * RATE) / FRAME);
      }
    }
    const activeRms = activeFrames > 0 ? Math.sqrt(active / activeFrames) : 1;
    const levelGain = Math.pow(10, levelDb / 20) * 32768 / activeRms;
    if (activeFrames > 0) {
      for (let i = 0; i < n; i++) speech[i] = speech[i]! * levelGain;
      // Microphone / handset colour, and sometimes a room.
      tilt(speech, uniform(rnd, -0.6, 0.6));
      if (rnd() < 0.4) reverb(speech, uniform(rnd, 0.15, 0.7), uniform(rnd, 0.1, 0.5));
    }
    // Background at a random SNR against the active speech level (or a random level alone).
    const kind = pick(rnd, BACKGROUNDS);
    // Babble is speech too: keep it well below the talker (and low when alone).
    const talky = kind === "babble" || kind === "mixed" || kind === "tones";
    const snrDb = uniform(rnd, talky ? 8 : 0, 30);
    const bg = makeBackground(kind, n, rnd, prompts, music);
    const bgRms = rmsOf(bg);
    const mix = speech;
    if (bgRms > 0) {
      const bgLevelDb = bgOnly ? uniform(rnd, -50, talky ? -32 : -15) : levelDb - snrDb;
      // Slow level drift of the background (a room, a fading line).
      const drift = rnd() < 0.3 ? uniform(rnd, 0, 6) : 0;
      const rate = uniform(rnd, 0.05, 0.5);
      const ph = uniform(rnd, 0, 2 * Math.PI);
      const g0 = (Math.pow(10, bgLevelDb / 20) * 32768) / bgRms;
      for (let i = 0; i < n; i++) {
        const d = drift > 0 ? Math.pow(10, (drift * Math.sin((2 * Math.PI * rate * i) / RATE + ph)) / 20) : 1;
        mix[i] = mix[i]! + g0 * d * bg[i]!;
      }
    }
    // Line hiss always.
    const hiss = Math.pow(10, uniform(rnd, -72, -52) / 20) * 32768;
    for (let i = 0; i < n; i++) mix[i] = mix[i]! + hiss * gauss(rnd);
    const pcm16 = new Int16Array(n);
    for (let i = 0; i < n; i++) pcm16[i] = Math.max(-32768, Math.min(32767, Math.round(mix[i]!)));
    out.push({
      name: `mix${c}-${bgOnly ? "bgonly" : voice}-${kind}-snr${snrDb.toFixed(0)}`,
      pcm: toTelephone(pcm16, RATE),
      labels,
      background: kind,
      snrDb: bgOnly ? Number.NaN : snrDb,
    });
  }
  return out;
}
