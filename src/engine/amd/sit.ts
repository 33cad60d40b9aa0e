/**
 * Special information tones (SIT) before a carrier intercept message ("The number you have
 * dialed is not in service…"): three rising steady tones, each 274 or 380 ms, first segment
 * 913.8 or 985.2 Hz, second 1370.6 or 1428.5 Hz, third 1776.7 Hz (ITU-T E.180 Suppl. 2 /
 * Telcordia GR-1162). No person answers with them, so a SIT is a machine verdict about 0.7 s
 * after it starts, long before the recorded message can be transcribed.
 *
 * Streaming over the shared frame features; counts in frames. Pure.
 */
import type { FrameFeatures } from "../audio/features.ts";

/** The three SIT segments, each a list of allowed frequencies in Hz. */
const SEGMENTS_HZ: readonly (readonly number[])[] = Object.freeze([
  Object.freeze([913.8, 985.2]),
  Object.freeze([1370.6, 1428.5]),
  Object.freeze([1776.7]),
]);

/** Options of the SIT detector. */
export interface SitOptions {
  /** Largest distance of the frame's strongest peak from a SIT frequency, Hz. Default 40. */
  toleranceHz: number;
  /** Least share of the power in that peak (a pure tone), 0..1. Default 0.7. */
  minPeakRatio: number;
  /** Least frames of one segment (20 ms each). Default 6 (120 ms, segments last ≥ 274 ms). */
  minSegmentFrames: number;
  /** Most frames between two segments (they follow each other at once). Default 3. */
  maxGapFrames: number;
  /** Segments needed, in rising order, to report a SIT (2 or 3). Default 2. */
  segmentsNeeded: number;
}

/** Defaults. */
export const DEFAULT_SIT_OPTIONS: Readonly<SitOptions> = Object.freeze({
  toleranceHz: 40,
  minPeakRatio: 0.7,
  minSegmentFrames: 6,
  maxGapFrames: 3,
  segmentsNeeded: 2,
});

/** A streaming SIT detector. */
export interface SitDetector {
  /** Push the next frame's features; true on the frame the SIT is recognised (once). */
  push(f: FrameFeatures): boolean;
  /** Whether a SIT was recognised. */
  readonly found: boolean;
}

/** Which SIT segment a frame's peak belongs to (0..2), or −1. */
function segmentOf(f: FrameFeatures, o: Readonly<SitOptions>): number {
  if (f.peakRatio < o.minPeakRatio) return -1;
  for (let s = 0; s < SEGMENTS_HZ.length; s++) {
    for (const hz of SEGMENTS_HZ[s]!) if (Math.abs(f.peakHz - hz) <= o.toleranceHz) return s;
  }
  return -1;
}

/** Create a SIT detector. */
export function createSitDetector(opts: Partial<SitOptions> = {}): SitDetector {
  const o: Readonly<SitOptions> = Object.freeze({ ...DEFAULT_SIT_OPTIONS, ...opts });
  let current = -1; // segment of the current run of frames
  let runFrames = 0;
  let lastDone = -1; // last completed segment in the rising sequence
  let done = 0; // completed segments in sequence
  let gap = 0; // frames since the last completed segment's run ended
  let found = false;
  return {
    push(f: FrameFeatures): boolean {
      if (found) return false;
      const s = segmentOf(f, o);
      if (s === current && s >= 0) {
        runFrames++;
      } else {
        current = s;
        runFrames = s >= 0 ? 1 : 0;
      }
      if (s < 0) {
        if (++gap > o.maxGapFrames) {
          done = 0;
          lastDone = -1;
        }
      } else if (runFrames === o.minSegmentFrames) {
        // A segment completes: it continues the sequence when it is the next one up.
        if (s === lastDone + 1 && (done === 0 || gap <= o.maxGapFrames + o.minSegmentFrames)) done++;
        else done = s === 0 ? 1 : 0;
        lastDone = done > 0 ? s : -1;
        gap = 0;
        if (done >= o.segmentsNeeded) {
          found = true;
          return true;
        }
      } else if (runFrames > o.minSegmentFrames) {
        gap = 0;
      }
      return false;
    },
    get found() {
      return found;
    },
  };
}
