import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import type { FrameFeatures } from "../../src/engine/audio/features.ts";
import { createMusicDetector, DEFAULT_MUSIC_OPTIONS } from "../../src/engine/audio/music.ts";
import { createVad } from "../../src/engine/vad.ts";
import { loadTenVad, TEN_VAD_DIR } from "../../bench/lib/ten-vad.ts";

/** The three features the music detector reads; the rest of a frame does not matter to it. */
function frame(steadyPeakShare: number, spectralFlux: number): FrameFeatures {
  return { speechBandDb: -30, steadyPeakShare, spectralFlux } as FrameFeatures;
}

/** Frames (after 3 s of a pattern) the detector spends in music, out of the next 100. */
function musicFrames(pattern: (i: number) => FrameFeatures, opts = {}): number {
  const m = createMusicDetector(opts);
  let inMusic = 0;
  for (let i = 0; i < 250; i++) if (m.push(pattern(i)) && i >= 150) inMusic++;
  return inMusic;
}

describe("music detector: the rhythm of spectral change", () => {
  // Held notes with an attack every 8th frame: flux near 0, then near 1; a fifth of the power
  // in still partials. This is how hold music looks to the extractor.
  const notes = (i: number) => frame(0.2, i % 8 === 0 ? 0.95 : 0.05 + 0.02 * (i % 3));
  // The same steady share, but the spectrum changes a little every frame, as a level voice does.
  const evenVoice = (i: number) => frame(0.2, 0.4 + 0.02 * (i % 3));

  test("held notes and attacks are music", () => {
    expect(musicFrames(notes)).toBe(100);
  });

  test("a voice with as much steady power but an even pace of change is not music", () => {
    expect(musicFrames(evenVoice)).toBe(0);
  });

  test("the even voice was music before the flux-spread rule (the rule is what keeps it out)", () => {
    expect(musicFrames(evenVoice, { enterMinFluxSpread: 0 })).toBe(100);
  });

  test("still partials holding most of the power are music whatever the pace of change", () => {
    const chord = (i: number) => frame(DEFAULT_MUSIC_OPTIONS.enterSteadyShareAlone + 0.1, 0.4 + 0.02 * (i % 3));
    expect(musicFrames(chord)).toBe(100);
  });
});

describe.skipIf(!existsSync(TEN_VAD_DIR))("music gate on real speech (ten-vad, telephone chain)", () => {
  test("the gate never closes over labelled speech: no speech frame is lost to it", () => {
    let lost = 0;
    let speechFrames = 0;
    for (const clip of loadTenVad()) {
      const vad = createVad();
      clip.frames.forEach((f, i) => {
        const r = vad.push(f);
        if (!clip.labels[i]) return;
        speechFrames++;
        if (r.music && !r.speech && r.ungatedSpeech) lost++;
      });
    }
    expect(speechFrames).toBeGreaterThan(9000);
    expect(lost).toBe(0);
  });
});
