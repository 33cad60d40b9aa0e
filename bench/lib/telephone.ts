/**
 * Carry wideband audio through a telephone channel the way the corpus README prescribes:
 * low-pass below 3.4 kHz, resample to 8 kHz, mu-law encode and decode.
 */
import { decodeMulaw, encodeMulaw } from "../../src/engine/audio/mulaw.ts";
import { createDecimator } from "../../src/engine/audio/resample.ts";

/** Convert PCM16 at `sampleRateHz` (8000 or an integer multiple) to mu-law-decoded 8 kHz PCM16. */
export function toTelephone(samples: Int16Array, sampleRateHz: number): Int16Array {
  const narrow = sampleRateHz === 8000 ? samples : createDecimator({ inputRateHz: sampleRateHz }).process(samples);
  return decodeMulaw(encodeMulaw(narrow));
}

/** Split PCM16 into whole frames of `frameSamples` (the last partial frame is zero-padded). */
export function frames(samples: Int16Array, frameSamples = 160): Int16Array[] {
  const out: Int16Array[] = [];
  for (let i = 0; i < samples.length; i += frameSamples) {
    const f = new Int16Array(frameSamples);
    f.set(samples.subarray(i, Math.min(samples.length, i + frameSamples)));
    out.push(f);
  }
  return out;
}
