/**
 * Synthetic tones heard on calls: voicemail beeps, DTMF digits (ITU-T Q.23 frequency pairs) and
 * the special-information tone triplet (ITU-T E.180/Q.35: 913.8, 1370.6, 1776.7 Hz).
 */
import { concat, dbToGain, fadeEnds, msToSamples, SAMPLE_RATE_HZ, silence } from "./audio.ts";

/** A sine of `hz` Hz, `ms` long, at `levelDb` dBFS RMS, with 5 ms fades. */
export function sine(hz: number, ms: number, levelDb: number, phase = 0): Float32Array {
  const n = msToSamples(ms);
  const amp = dbToGain(levelDb) * Math.SQRT2;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) y[i] = amp * Math.sin(phase + (2 * Math.PI * hz * i) / SAMPLE_RATE_HZ);
  return fadeEnds(y, 5);
}

/** DTMF low/high frequency pair (Hz) for each key (ITU-T Q.23). */
export const DTMF_HZ: Readonly<Record<string, readonly [number, number]>> = Object.freeze({
  "1": [697, 1209], "2": [697, 1336], "3": [697, 1477], A: [697, 1633],
  "4": [770, 1209], "5": [770, 1336], "6": [770, 1477], B: [770, 1633],
  "7": [852, 1209], "8": [852, 1336], "9": [852, 1477], C: [852, 1633],
  "*": [941, 1209], "0": [941, 1336], "#": [941, 1477], D: [941, 1633],
});

/** One DTMF key: both tones summed, each at `levelDb` dBFS RMS, `toneMs` long. */
export function dtmfDigit(key: string, toneMs: number, levelDb: number): Float32Array {
  const pair = DTMF_HZ[key];
  if (!pair) throw new Error(`not a DTMF key: ${key}`);
  const lo = sine(pair[0], toneMs, levelDb);
  const hi = sine(pair[1], toneMs, levelDb - 2); // high-group pre-emphasis ("twist") is ~2 dB
  for (let i = 0; i < lo.length; i++) lo[i] = lo[i]! + hi[i]!;
  return lo;
}

/** A DTMF key sequence with `toneMs` tones and `gapMs` silences between them. */
export function dtmfSequence(keys: string, toneMs: number, gapMs: number, levelDb: number): Float32Array {
  const parts: Float32Array[] = [];
  for (const key of keys) {
    if (parts.length > 0) parts.push(silence(gapMs));
    parts.push(dtmfDigit(key, toneMs, levelDb));
  }
  return concat(parts);
}

/** Special-information tone frequencies (Hz), in order. */
export const SIT_HZ = Object.freeze([913.8, 1370.6, 1776.7] as const);

/** The SIT triplet: three tones of `segmentMs` each (274 or 380 ms in practice), no gaps. */
export function sitTriplet(segmentMs: readonly [number, number, number], levelDb: number): Float32Array {
  return concat(SIT_HZ.map((hz, i) => sine(hz, segmentMs[i]!, levelDb)));
}
