/**
 * The telephone band: 300–3400 Hz, as a cascade of second-order Butterworth sections
 * (RBJ audio-EQ cookbook biquads), 4th order at each edge.
 */
import { SAMPLE_RATE_HZ } from "./audio.ts";

interface Biquad {
  b0: number;
  b1: number;
  b2: number;
  a1: number;
  a2: number;
}

function design(kind: "low" | "high", cutoffHz: number, q: number): Biquad {
  const w0 = (2 * Math.PI * cutoffHz) / SAMPLE_RATE_HZ;
  const cos = Math.cos(w0);
  const alpha = Math.sin(w0) / (2 * q);
  const a0 = 1 + alpha;
  const b1 = kind === "low" ? 1 - cos : -(1 + cos);
  const b0 = kind === "low" ? (1 - cos) / 2 : (1 + cos) / 2;
  return { b0: b0 / a0, b1: b1 / a0, b2: b0 / a0, a1: (-2 * cos) / a0, a2: (1 - alpha) / a0 };
}

function run(x: Float32Array, f: Biquad): Float32Array {
  const y = new Float32Array(x.length);
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = f.b0 * x0 + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    y[i] = y0;
  }
  return y;
}

/** Butterworth Q values of the two sections of a 4th-order filter. */
const Q4 = [0.5411961, 1.3065630] as const;

/** Band-limit to `lowHz`–`highHz` (defaults: the 300–3400 Hz telephone band). Returns a copy. */
export function telephoneBand(x: Float32Array, lowHz = 300, highHz = 3400): Float32Array {
  let y = x;
  for (const q of Q4) y = run(y, design("high", lowHz, q));
  for (const q of Q4) y = run(y, design("low", highHz, q));
  return y;
}
