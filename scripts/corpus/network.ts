/**
 * Arrival times (`t`) of Twilio media frames as the gateway's websocket sees them: 20 ms pacing
 * with small jitter, stalls that end in a burst (every held frame arrives at once), and a few
 * frames reordered or delivered twice. Audio time (media.timestamp) is never changed here.
 */
import { FRAME_MS } from "./audio.ts";
import type { Rng } from "./prng.ts";

/** How rough the network is. */
export interface NetworkProfile {
  /** One-way latency after a frame's 20 ms of audio is complete, ms. */
  readonly latencyMs: number;
  /** Standard deviation of per-frame jitter, ms (absolute value added to latency). */
  readonly jitterMs: number;
  /** Number of stalls. */
  readonly stalls: number;
  /** Stall length range, ms. */
  readonly stallMinMs: number;
  readonly stallMaxMs: number;
  /** Number of adjacent-pair swaps. */
  readonly reorders: number;
  /** Number of frames delivered twice. */
  readonly duplicates: number;
}

/** A smooth network: 20–60 ms latency, ~1.5 ms jitter, nothing else. */
export const SMOOTH_NETWORK: NetworkProfile = Object.freeze({
  latencyMs: 40, jitterMs: 1.5, stalls: 0, stallMinMs: 0, stallMaxMs: 0, reorders: 0, duplicates: 0,
});

/** One delivered frame: index (chunk − 1) and arrival ms. */
export interface Arrival {
  readonly frame: number;
  readonly tMs: number;
}

/** What the network did, for the labels. */
export interface NetworkLabel {
  readonly latencyMs: number;
  readonly jitterMs: number;
  /** Each stall: arrival ms of the burst that ended it, how long nothing arrived, frames held. */
  readonly stalls: Array<{ burstAtMs: number; stallMs: number; frames: number }>;
  /** Chunks (1-based) that arrived after their successor. */
  readonly reorderedChunks: number[];
  /** Chunks (1-based) that arrived twice. */
  readonly duplicatedChunks: number[];
}

/**
 * Arrival order and times of `frames` media frames whose stream started at `streamStartMs`
 * (arrival time of `start`). Returns arrivals sorted by non-decreasing t, and the label.
 */
export function simulateArrivals(
  rng: Rng,
  frames: number,
  streamStartMs: number,
  profile: NetworkProfile,
): { arrivals: Arrival[]; label: NetworkLabel } {
  const t: number[] = [];
  let prev = streamStartMs;
  for (let k = 0; k < frames; k++) {
    const nominal = streamStartMs + (k + 1) * FRAME_MS + profile.latencyMs + Math.abs(rng.gauss()) * profile.jitterMs;
    prev = Math.max(prev, Math.round(nominal));
    t.push(prev);
  }
  const stalls: NetworkLabel["stalls"] = [];
  // Stalls: one per equal share of the call, after the first second, never overlapping; every
  // frame due while the stall lasts arrives at its end, in one burst.
  let minFrame = 50;
  for (let s = 0; s < profile.stalls && frames > 100; s++) {
    const lastStart = Math.floor(50 + ((frames - 90) * (s + 1)) / profile.stalls);
    if (lastStart <= minFrame) break;
    const lenMs = Math.round(rng.range(profile.stallMinMs, profile.stallMaxMs));
    const first = rng.int(minFrame, lastStart);
    const before = t[first - 1] ?? streamStartMs;
    const endT = t[first]! + lenMs;
    let k = first;
    while (k < frames && t[k]! < endT) t[k++] = endT;
    stalls.push({ burstAtMs: endT, stallMs: endT - before, frames: k - first });
    minFrame = k + 25;
  }
  stalls.sort((a, b) => a.burstAtMs - b.burstAtMs);
  const order: number[] = Array.from({ length: frames }, (_, k) => k);
  const reordered: number[] = [];
  for (let r = 0; r < profile.reorders && frames > 60; r++) {
    const k = rng.int(20, frames - 3);
    if (reordered.includes(k + 1) || reordered.includes(k) || reordered.includes(k + 2)) continue;
    // Swap which frame travels in slots k and k+1: frame k arrives after frame k+1.
    const a = order[k]!;
    order[k] = order[k + 1]!;
    order[k + 1] = a;
    reordered.push(a + 1);
  }
  const arrivals: Arrival[] = order.map((frame, slot) => ({ frame, tMs: t[slot]! }));
  const duplicated: number[] = [];
  for (let d = 0; d < profile.duplicates && frames > 60; d++) {
    const slot = rng.int(20, frames - 3);
    const original = arrivals[slot]!;
    if (duplicated.includes(original.frame + 1)) continue;
    const again = slot + rng.int(0, 2);
    const at = arrivals[Math.min(again, arrivals.length - 1)]!.tMs;
    arrivals.splice(again + 1, 0, { frame: original.frame, tMs: at });
    duplicated.push(original.frame + 1);
  }
  return {
    arrivals,
    label: {
      latencyMs: profile.latencyMs,
      jitterMs: profile.jitterMs,
      stalls,
      reorderedChunks: reordered.sort((a, b) => a - b),
      duplicatedChunks: duplicated.sort((a, b) => a - b),
    },
  };
}
