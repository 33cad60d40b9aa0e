/**
 * Float audio helpers for the corpus generator: 8 kHz mono Float32 in [-1, 1], levels in dBFS
 * (RMS relative to a full-scale sine's peak of 1, i.e. 0 dBFS RMS = amplitude 1).
 */
import type { Rng } from "./prng.ts";

/** Telephone sample rate (Hz). */
export const SAMPLE_RATE_HZ = 8000;
/** Samples per 20 ms Twilio frame. */
export const FRAME_SAMPLES = 160;
/** Milliseconds per Twilio frame. */
export const FRAME_MS = 20;

/** Milliseconds to samples at 8 kHz. */
export function msToSamples(ms: number): number {
  return Math.round((ms * SAMPLE_RATE_HZ) / 1000);
}

/** Snap a time in ms down to the 20 ms frame grid. */
export function snapMs(ms: number): number {
  return Math.floor(ms / FRAME_MS) * FRAME_MS;
}

/** dBFS to linear amplitude. */
export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/** RMS level in dBFS of a span (‑Infinity for digital silence). */
export function rmsDb(x: Float32Array, from = 0, to = x.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += x[i]! * x[i]!;
  const n = Math.max(1, to - from);
  return 10 * Math.log10(sum / n);
}

/**
 * Active level in dBFS: RMS over the 20 ms frames within 30 dB of the loudest frame, a rough
 * stand-in for ITU-T P.56 active speech level, so pauses do not dilute the level.
 */
export function activeLevelDb(x: Float32Array): number {
  const frames: number[] = [];
  for (let i = 0; i + FRAME_SAMPLES <= x.length; i += FRAME_SAMPLES) {
    frames.push(rmsDb(x, i, i + FRAME_SAMPLES));
  }
  const peak = Math.max(...frames, -200);
  let sum = 0;
  let n = 0;
  for (const db of frames) {
    if (db > peak - 30) {
      sum += 10 ** (db / 10);
      n++;
    }
  }
  return n === 0 ? -Infinity : 10 * Math.log10(sum / n);
}

/** A copy scaled so its active level is `targetDb` dBFS. */
export function normalizeActive(x: Float32Array, targetDb: number): Float32Array {
  const level = activeLevelDb(x);
  if (!Number.isFinite(level)) return x.slice();
  return scale(x, dbToGain(targetDb - level));
}

/** A copy multiplied by `gain`. */
export function scale(x: Float32Array, gain: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! * gain;
  return y;
}

/** Add `src` into `dst` starting at sample `at` (clipped to dst's length). */
export function mixInto(dst: Float32Array, src: Float32Array, at: number, gain = 1): void {
  const end = Math.min(dst.length, at + src.length);
  for (let i = Math.max(0, at); i < end; i++) dst[i] = dst[i]! + src[i - at]! * gain;
}

/** Concatenate buffers. */
export function concat(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Silence of `ms` milliseconds. */
export function silence(ms: number): Float32Array {
  return new Float32Array(msToSamples(ms));
}

/** Gaussian white noise, `samples` long, unit variance before scaling to `levelDb` dBFS RMS. */
export function whiteNoise(rng: Rng, samples: number, levelDb: number): Float32Array {
  const g = dbToGain(levelDb);
  const y = new Float32Array(samples);
  for (let i = 0; i < samples; i++) y[i] = rng.gauss() * g;
  return y;
}

/**
 * Brown-ish room noise (white noise through a one-pole low-pass at ~200 Hz plus a little white),
 * scaled to `levelDb` dBFS RMS. Rumbly like an office or a car; not speech.
 */
export function roomNoise(rng: Rng, samples: number, levelDb: number): Float32Array {
  const y = new Float32Array(samples);
  const a = Math.exp((-2 * Math.PI * 200) / SAMPLE_RATE_HZ);
  let s = 0;
  for (let i = 0; i < samples; i++) {
    s = a * s + (1 - a) * rng.gauss();
    y[i] = s + 0.05 * rng.gauss();
  }
  const level = rmsDb(y);
  return scale(y, dbToGain(levelDb - level));
}

/** Apply `rampMs` raised-cosine fades at both ends, in place; returns x. */
export function fadeEnds(x: Float32Array, rampMs: number): Float32Array {
  const n = Math.min(msToSamples(rampMs), Math.floor(x.length / 2));
  for (let i = 0; i < n; i++) {
    const g = 0.5 - 0.5 * Math.cos((Math.PI * i) / n);
    x[i] = x[i]! * g;
    x[x.length - 1 - i] = x[x.length - 1 - i]! * g;
  }
  return x;
}
