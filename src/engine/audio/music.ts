/**
 * Music detection for the voice-activity detector: hold music is loud, voiced and harmonic, so
 * loudness and voicing cues alone call it speech. What music has and speech lacks is stillness
 * of its partials: a held note or chord keeps its spectral peaks in the very same bins for
 * hundreds of ms, and the spectrum changes little from frame to frame between note changes.
 * A talker's harmonics glide with the pitch, formants move every syllable, and the 4–8 Hz
 * syllable rhythm keeps the spectrum changing.
 *
 * Per frame it reads two features of the shared extractor: `steadyPeakShare` (power in peaks
 * that held their bin ≥ 120 ms) and `spectralFlux`. A slow average (about 1 s) of each decides
 * when music starts, a fast one (about 200 ms) when it stops, with hysteresis counted in
 * frames, so one note change does not end the music and one held vowel does not start it.
 *
 * Some voices hold their lower harmonics still too (a slow, level talker; speech over a quiet
 * bed), and their steady share reaches a chord's. What still tells them apart is the rhythm of
 * change: music alternates held notes (flux near 0) with attacks (flux near 1), so its flux
 * swings widely around its mean, while speech changes at an even pace, every frame a little.
 * Music is entered only when the flux's mean absolute deviation (same slow average) is wide, or
 * when still partials hold most of the power.
 *
 * Pure: no clock; time is the count of frames pushed.
 */
import type { FrameFeatures } from "./features.ts";

/** Options of the music detector; counts in frames. */
export interface MusicOptions {
  /** Frames of the slow (entry) averages (time constant). Default 40 (0.8 s). */
  slowFrames: number;
  /** Frames of the fast (exit) average (time constant). Default 8 (160 ms). */
  fastFrames: number;
  /** Slow mean steady-peak share at or above which a frame looks like music, 0..1. Default 0.13. */
  enterSteadyShare: number;
  /** Slow mean spectral flux at or below which a frame looks like music, 0..1. Default 0.53. */
  enterMaxFlux: number;
  /** Consecutive music-like frames needed to enter music. Default 10 (200 ms). */
  enterFrames: number;
  /** Fast mean steady-peak share below which a frame no longer looks like music. Default 0.06. */
  exitSteadyShare: number;
  /** Consecutive non-music frames needed to leave music. Default 8 (160 ms). */
  exitFrames: number;
  /** Frames quieter than this (dBFS, speech band) do not move the averages. Default −55. */
  minLevelDb: number;
  /**
   * Slow mean absolute deviation of the spectral flux at or above which a frame looks like
   * music (held notes and attacks), 0..1. Speech on ten-vad stays below 0.065 wherever it holds
   * steady partials; Debian's hold music sits at 0.08–0.19. Default 0.07.
   */
  enterMinFluxSpread: number;
  /**
   * Slow mean steady-peak share at or above which a frame looks like music whatever the flux's
   * spread: most of the power held in still partials is a chord, not a voice. Default 0.35.
   */
  enterSteadyShareAlone: number;
}

/** Defaults, set on Debian's music on hold against the ten-vad speech (see bench/vad.ts). */
export const DEFAULT_MUSIC_OPTIONS: Readonly<MusicOptions> = Object.freeze({
  slowFrames: 40,
  fastFrames: 8,
  enterSteadyShare: 0.13,
  enterMaxFlux: 0.53,
  enterFrames: 10,
  exitSteadyShare: 0.06,
  exitFrames: 8,
  minLevelDb: -55,
  enterMinFluxSpread: 0.07,
  enterSteadyShareAlone: 0.35,
});

/** A streaming music detector (one per audio stream). */
export interface MusicDetector {
  /** Push the features of the next frame; returns whether the stream is in music now. */
  push(f: FrameFeatures): boolean;
  /** Current state. */
  readonly music: boolean;
}

/** Create a music detector. */
export function createMusicDetector(opts: Partial<MusicOptions> = {}): MusicDetector {
  const o: Readonly<MusicOptions> = Object.freeze({ ...DEFAULT_MUSIC_OPTIONS, ...opts });
  const slow = 1 / Math.max(1, o.slowFrames);
  const fast = 1 / Math.max(1, o.fastFrames);
  let steadySlow = 0;
  let fluxSlow = 0.6; // start on the speech side: no music until evidence accumulates
  let steadyFast = 0;
  let fluxSpread = 0; // no music until the flux has been seen to swing
  let music = false;
  let run = 0;
  return {
    push(f: FrameFeatures): boolean {
      if (f.speechBandDb >= o.minLevelDb) {
        steadySlow += slow * (f.steadyPeakShare - steadySlow);
        fluxSlow += slow * (f.spectralFlux - fluxSlow);
        steadyFast += fast * (f.steadyPeakShare - steadyFast);
        const dev = f.spectralFlux - fluxSlow;
        fluxSpread += slow * ((dev < 0 ? -dev : dev) - fluxSpread);
      }
      const looksMusic = music
        ? steadyFast >= o.exitSteadyShare
        : steadySlow >= o.enterSteadyShare &&
          fluxSlow <= o.enterMaxFlux &&
          steadyFast >= o.exitSteadyShare &&
          (fluxSpread >= o.enterMinFluxSpread || steadySlow >= o.enterSteadyShareAlone);
      if (looksMusic !== music) {
        run++;
        if (run >= (music ? o.exitFrames : o.enterFrames)) {
          music = !music;
          run = 0;
        }
      } else {
        run = 0;
      }
      return music;
    },
    get music() {
      return music;
    },
  };
}
