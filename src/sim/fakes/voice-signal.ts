/**
 * A voiced-like mu-law signal for fake TTS: a 120 Hz glottal-ish tone with harmonics, amplitude
 * shaped in ~200 ms syllables, so voice-activity detectors see speech, not silence.
 * Deterministic: the same (text length, offset) always yields the same bytes.
 */
import { encodeMulawSample } from "../../engine/audio/mulaw.ts";

const SAMPLE_RATE_HZ = 8000;
const F0_HZ = 120;
const SYLLABLE_MS = 200;

/** Mu-law samples `fromSample`..`toSample` (exclusive) of the fake voice. */
export function voicedMulaw(fromSample: number, toSample: number): Uint8Array {
  const out = new Uint8Array(Math.max(0, toSample - fromSample));
  const syllableSamples = (SYLLABLE_MS * SAMPLE_RATE_HZ) / 1000;
  for (let i = 0; i < out.length; i++) {
    const n = fromSample + i;
    const t = n / SAMPLE_RATE_HZ;
    const phase = (n % syllableSamples) / syllableSamples;
    // Rises and falls within each syllable, never fully silent mid-word.
    const envelope = 0.25 + 0.75 * Math.sin(Math.PI * phase);
    let s = 0;
    for (let h = 1; h <= 5; h++) s += Math.sin(2 * Math.PI * F0_HZ * h * t) / h;
    out[i] = encodeMulawSample(Math.round(6000 * envelope * s));
  }
  return out;
}

/** Audio length the fake gives to `text`, ms. */
export function speechMsFor(text: string, msPerChar: number): number {
  return Math.round(text.trim().length * msPerChar);
}
