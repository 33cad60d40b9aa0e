/**
 * What every scene generator receives: its own random stream, the input paths, and helpers to
 * pick a voice, a level and a line-noise setting. A generator returns the scene, how long the
 * call lasts and how rough its network is.
 */
import { concat, FRAME_SAMPLES, silence } from "../audio.ts";
import type { InputPaths } from "../inputs.ts";
import type { NetworkProfile } from "../network.ts";
import { SMOOTH_NETWORK } from "../network.ts";
import type { Rng } from "../prng.ts";
import type { Scene } from "../scene.ts";
import { speak, type Voice } from "../sources.ts";
import { energySpeechFrames } from "../speech-frames.ts";

/** Inputs of a generator. */
export interface SceneContext {
  readonly rng: Rng;
  readonly paths: InputPaths;
  /** Variant number: committed fixtures use small ones; the large set sweeps many. */
  readonly variant: number;
}

/** Output of a generator. */
export interface SceneResult {
  readonly scene: Scene;
  readonly durationMs: number;
  readonly network: NetworkProfile;
}

/** A generator of one category. */
export type SceneGenerator = (ctx: SceneContext) => SceneResult;

/** espeak-ng voice+variant names used for callers and greetings. */
export const VOICE_NAMES = Object.freeze([
  "en-us+f2", "en-us+f3", "en-us+f4", "en-us+m2", "en-us+m3", "en-us+m4", "en-gb+f3", "en-gb+m5", "en-029+m1",
] as const);

/** A random voice with a rate of 140–185 words per minute and pitch 35–65. */
export function pickVoice(rng: Rng): Voice {
  return { name: rng.pick(VOICE_NAMES), wordsPerMinute: rng.int(140, 185), pitch: rng.int(35, 65) };
}

/** Speak and record the voice in the scene's sources. */
export function tts(scene: Scene, text: string, voice: Voice): Float32Array {
  const tag = `espeak-ng ${voice.name} ${voice.wordsPerMinute}wpm p${voice.pitch}`;
  if (!scene.sources.includes(tag)) scene.sources.push(tag);
  return speak(text, voice);
}

/** Drop leading and trailing non-speech frames (energy truth) from a clean source. */
export function trimSpeech(x: Float32Array): Float32Array {
  const flags = energySpeechFrames(x);
  const first = flags.indexOf(true);
  const last = flags.lastIndexOf(true);
  if (first < 0) return new Float32Array(0);
  return x.slice(first * FRAME_SAMPLES, (last + 1) * FRAME_SAMPLES);
}

/** Trimmed parts joined with the given gaps (ms) between them (one fewer gap than parts). */
export function joinSpeech(parts: readonly Float32Array[], gapsMs: readonly number[]): Float32Array {
  const out: Float32Array[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(silence(gapsMs[i - 1] ?? 150));
    out.push(trimSpeech(p));
  });
  return concat(out);
}

/** Line noise level for a variant: cycles −60, −45, −35 dBFS, with a small random offset. */
export function lineNoiseFor(ctx: SceneContext): number {
  const base = [-60, -45, -35][ctx.variant % 3]!;
  return base + Math.round(ctx.rng.range(-2, 2));
}

/** Network roughness for a variant: smooth, stalls, or stalls plus reorders and duplicates. */
export function networkFor(ctx: SceneContext): NetworkProfile {
  const rng = ctx.rng;
  const kind = (ctx.variant + 1) % 3;
  const base = { ...SMOOTH_NETWORK, latencyMs: rng.int(20, 60), jitterMs: Math.round(rng.range(5, 30)) / 10 };
  if (kind === 0) return base;
  if (kind === 1) return { ...base, stalls: rng.int(1, 2), stallMinMs: 200, stallMaxMs: 900 };
  return { ...base, stalls: rng.int(1, 2), stallMinMs: 150, stallMaxMs: 1500, reorders: rng.int(1, 3), duplicates: rng.int(1, 3) };
}
