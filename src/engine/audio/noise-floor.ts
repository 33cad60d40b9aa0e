/**
 * Adaptive noise floor by minimum statistics: the floor is the lowest smoothed frame energy seen
 * over a sliding window (a few seconds), plus a small bias. Speech always has short dips between
 * syllables, so the minimum follows the background, not the talker; a louder room raises the
 * floor within one window, a quieter one lowers it at once.
 */

/** Options of the noise-floor tracker; all counts in frames. */
export interface NoiseFloorOptions {
  /** Frames per sub-window of the minimum search. */
  subWindowFrames: number;
  /** Number of sub-windows; window = subWindowFrames × subWindows frames. */
  subWindows: number;
  /** dB added to the minimum (the minimum of noise sits below its mean). */
  biasDb: number;
  /** Lowest floor reported, dBFS. */
  minFloorDb: number;
  /** Floor before any audio, dBFS. */
  initialFloorDb: number;
  /** Weight of the newest frame in the 1-pole energy smoother, 0..1. */
  smoothing: number;
}

/** A sliding-minimum noise floor tracker over frame energies in dB. */
export interface NoiseFloor {
  /**
   * Feed one frame's energy (dBFS); returns the new floor (dBFS). `noiseLike` marks a frame
   * whose spectrum looks like noise (flat, aperiodic): before the first sub-window closes, such
   * frames may lift the floor above the initial guess (a call that opens on a noisy line).
   */
  push(energyDb: number, noiseLike?: boolean): number;
  /** Current floor in dBFS. */
  readonly floorDb: number;
  /** Before the first sub-window closes (the only time `noiseLike` is read). */
  readonly warming: boolean;
}

/** Create a tracker. */
export function createNoiseFloor(o: Readonly<NoiseFloorOptions>): NoiseFloor {
  const mins = new Float64Array(o.subWindows);
  let filled = 0; // sub-windows completed
  let slot = 0;
  let inSlot = 0;
  let curMin = Infinity;
  let doneMin = Infinity; // lowest of the completed sub-windows, updated when one closes
  let smoothed = Number.NaN;
  let floor = o.initialFloorDb;
  let warmNoiseMin = Infinity; // lowest smoothed energy of noise-like frames during warm-up

  return {
    push(energyDb: number, noiseLike = false): number {
      smoothed = Number.isNaN(smoothed) ? energyDb : smoothed + o.smoothing * (energyDb - smoothed);
      if (filled === 0 && noiseLike && smoothed < warmNoiseMin) warmNoiseMin = smoothed;
      if (smoothed < curMin) curMin = smoothed;
      inSlot++;
      if (inSlot >= o.subWindowFrames) {
        mins[slot] = curMin;
        slot = (slot + 1) % o.subWindows;
        filled = Math.min(o.subWindows, filled + 1);
        inSlot = 0;
        curMin = Infinity;
        // Slots 0..filled−1 hold completed sub-windows (all of them once the ring has wrapped).
        doneMin = Infinity;
        for (let i = 0; i < filled; i++) if (mins[i]! < doneMin) doneMin = mins[i]!;
      }
      let m = curMin < doneMin ? curMin : doneMin;
      if (filled === 0) {
        // Before the first sub-window closes, the initial guess caps the floor (a call that
        // opens with speech must not take that speech for the background) unless frames that
        // look like noise show the background is louder.
        if (!Number.isFinite(warmNoiseMin)) m = Math.min(m, o.initialFloorDb - o.biasDb);
      }
      floor = Math.max(o.minFloorDb, m + o.biasDb);
      return floor;
    },
    get floorDb() {
      return floor;
    },
    get warming() {
      return filled === 0;
    },
  };
}
