/**
 * A deterministic stand-in for synthesised speech: mu-law 8 kHz audio whose length follows the
 * text (`msPerChar`) and whose envelope follows its letters (vowels loud, consonants softer,
 * spaces and punctuation short pauses), voiced on a gliding 110–150 Hz pitch with a few
 * harmonics. It is speech-like enough for a VAD and an echo check, and costs nothing to make.
 */
import { encodeMulawSample } from "../engine/audio/mulaw.ts";

/** Options. */
export interface SynthVoiceOptions {
  /** Speaking rate, ms of audio per character. Default 65 (about 15 characters a second). */
  msPerChar: number;
  /** Peak amplitude, PCM16 units. Default 6000. */
  peakLevel: number;
}

/** Defaults (see each field). */
export const DEFAULT_SYNTH_VOICE_OPTIONS: Readonly<SynthVoiceOptions> = Object.freeze({
  msPerChar: 65,
  peakLevel: 6000,
});

function charGain(c: string): number {
  if (/[aeiouy]/i.test(c)) return 1;
  if (/[a-z0-9]/i.test(c)) return 0.45;
  return 0; // space, punctuation
}

/** Audio for `text` (see the file comment). */
export function synthVoice(text: string, opts: Partial<SynthVoiceOptions> = {}): Uint8Array {
  const o = { ...DEFAULT_SYNTH_VOICE_OPTIONS, ...opts };
  const perChar = Math.max(1, Math.round((o.msPerChar * 8000) / 1000));
  const n = perChar * text.length;
  const out = new Uint8Array(n);
  const gains = Array.from(text, (c) => charGain(c) * o.peakLevel);
  let phase = 0;
  let gain = 0;
  for (let i = 0; i < n; i++) {
    const target = gains[(i / perChar) | 0]!;
    gain += (target - gain) * 0.004; // ~30 ms glide between letters
    const pitchHz = 130 + 20 * Math.sin((2 * Math.PI * i) / 8000 / 1.3);
    phase += (2 * Math.PI * pitchHz) / 8000;
    const s = Math.sin(phase) * 0.5 + Math.sin(2 * phase) * 0.3 + Math.sin(3 * phase) * 0.25 + Math.sin(5 * phase) * 0.12;
    out[i] = encodeMulawSample(Math.round(s * gain));
  }
  return out;
}
