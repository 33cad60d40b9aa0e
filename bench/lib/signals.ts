/** Synthetic telephone signals for benchmarks and tests (deterministic). */

/** A seeded PRNG (mulberry32) in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sum of sines (Hz) with peak amplitude `amplitude` each, `durationMs` at 8 kHz, plus white noise. */
export function tones(freqsHz: readonly number[], durationMs: number, amplitude: number, noiseAmplitude = 0, seed = 1): Int16Array {
  const n = Math.round(durationMs * 8);
  const rnd = prng(seed);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    let v = (rnd() - 0.5) * 2 * noiseAmplitude;
    for (const f of freqsHz) v += amplitude * Math.sin((2 * Math.PI * f * i) / 8000);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return out;
}

/** Concatenate PCM16 buffers. */
export function concatPcm(parts: readonly Int16Array[]): Int16Array {
  const out = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * A crude voiced "speech-like" signal: a glottal pulse train whose pitch glides (100–220 Hz),
 * through two moving formant resonators, amplitude-modulated at a syllable rate of ~4 Hz,
 * scaled to a peak of `amplitude`.
 */
export function speechLike(durationMs: number, amplitude: number, seed = 3): Int16Array {
  const n = Math.round(durationMs * 8);
  const rnd = prng(seed);
  const buf = new Float64Array(n);
  let phase = 0;
  const res = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = i / 8000;
    const f0 = 140 + 60 * Math.sin(2 * Math.PI * 0.7 * t) + 20 * Math.sin(2 * Math.PI * 3.1 * t);
    phase += f0 / 8000;
    let src = 0;
    if (phase >= 1) {
      phase -= 1;
      src = 1;
    }
    src += (rnd() - 0.5) * 0.05;
    let y = 0;
    const formants = [600 + 250 * Math.sin(2 * Math.PI * 2.3 * t), 1600 + 500 * Math.sin(2 * Math.PI * 1.7 * t + 1)];
    for (let k = 0; k < 2; k++) {
      const r = 0.97;
      const w = (2 * Math.PI * formants[k]!) / 8000;
      const v = src + 2 * r * Math.cos(w) * res[2 * k]! - r * r * res[2 * k + 1]!;
      res[2 * k + 1] = res[2 * k]!;
      res[2 * k] = v;
      y += v;
    }
    const env = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    buf[i] = y * env;
  }
  let peak = 1e-9;
  for (let i = 0; i < n; i++) peak = Math.max(peak, Math.abs(buf[i]!));
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((buf[i]! / peak) * amplitude);
  return out;
}
