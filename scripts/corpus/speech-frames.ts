/**
 * Frame-level speech truth from a clean source signal (before any noise): a 20 ms frame is speech
 * when its RMS is within `relativeDb` of the loudest frame and above `floorDb`; gaps of at most
 * `bridgeFrames` are bridged (stop consonants) and each run is extended by `hangoverFrames`.
 */
import { FRAME_MS, FRAME_SAMPLES, rmsDb } from "./audio.ts";

/** Options of the energy labeller. */
export interface SpeechFrameOptions {
  /** Frames quieter than (loudest frame − relativeDb) are not speech. */
  readonly relativeDb: number;
  /** Absolute floor in dBFS RMS. */
  readonly floorDb: number;
  /** Non-speech gaps of at most this many frames between speech frames become speech. */
  readonly bridgeFrames: number;
  /** Frames of speech added after each run. */
  readonly hangoverFrames: number;
}

/** Defaults: 35 dB below the peak frame, floor −55 dBFS, bridge 80 ms, hangover 20 ms. */
export const DEFAULT_SPEECH_FRAME_OPTIONS: SpeechFrameOptions = Object.freeze({
  relativeDb: 35,
  floorDb: -55,
  bridgeFrames: 4,
  hangoverFrames: 1,
});

/** Per-frame speech flags of a clean signal, frames aligned to its first sample. */
export function energySpeechFrames(x: Float32Array, overrides: Partial<SpeechFrameOptions> = {}): boolean[] {
  const o = { ...DEFAULT_SPEECH_FRAME_OPTIONS, ...overrides };
  const frames = Math.ceil(x.length / FRAME_SAMPLES);
  const db: number[] = [];
  for (let f = 0; f < frames; f++) {
    db.push(rmsDb(x, f * FRAME_SAMPLES, Math.min(x.length, (f + 1) * FRAME_SAMPLES)));
  }
  const peak = Math.max(-200, ...db);
  const thr = Math.max(peak - o.relativeDb, o.floorDb);
  const flags = db.map((d) => d > thr);
  bridge(flags, o.bridgeFrames);
  return hangover(flags, o.hangoverFrames);
}

/** Per-frame flags from labelled ranges (ms): a frame is speech when its midpoint is inside one. */
export function rangeSpeechFrames(rangesMs: ReadonlyArray<readonly [number, number]>, frames: number): boolean[] {
  const flags: boolean[] = [];
  for (let f = 0; f < frames; f++) {
    const mid = f * FRAME_MS + FRAME_MS / 2;
    flags.push(rangesMs.some(([a, b]) => mid >= a && mid < b));
  }
  return flags;
}

function bridge(flags: boolean[], maxGap: number): void {
  let lastSpeech = -1;
  for (let f = 0; f < flags.length; f++) {
    if (!flags[f]) continue;
    if (lastSpeech >= 0 && f - lastSpeech - 1 <= maxGap) {
      for (let g = lastSpeech + 1; g < f; g++) flags[g] = true;
    }
    lastSpeech = f;
  }
}

function hangover(flags: boolean[], frames: number): boolean[] {
  const out = flags.slice();
  for (let f = 0; f < flags.length; f++) {
    if (flags[f] && !flags[f + 1]) {
      for (let h = 1; h <= frames && f + h < out.length; h++) out[f + h] = true;
    }
  }
  return out;
}

/** Merge per-frame flags (frame 0 at `offsetMs`) into [startMs, endMs) ranges. */
export function framesToRanges(flags: readonly boolean[], offsetMs = 0): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = -1;
  for (let f = 0; f <= flags.length; f++) {
    const on = f < flags.length && flags[f] === true;
    if (on && start < 0) start = f;
    if (!on && start >= 0) {
      ranges.push([offsetMs + start * FRAME_MS, offsetMs + f * FRAME_MS]);
      start = -1;
    }
  }
  return ranges;
}

/** Union of ranges, sorted, touching ranges merged. */
export function unionRanges(ranges: ReadonlyArray<readonly [number, number]>): Array<[number, number]> {
  const sorted = ranges.map(([a, b]) => [a, b] as [number, number]).sort((p, q) => p[0] - q[0]);
  const out: Array<[number, number]> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push(r);
  }
  return out;
}
