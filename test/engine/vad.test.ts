import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { createVad, DEFAULT_VAD_OPTIONS, type VadOptions } from "../../src/engine/vad.ts";
import { concatPcm, speechLike, tones } from "../../bench/lib/signals.ts";
import { frames } from "../../bench/lib/telephone.ts";
import { loadTenVad, TEN_VAD_DIR } from "../../bench/lib/ten-vad.ts";
import { confusion, count, scores } from "../../bench/lib/metrics.ts";
import { readFixture } from "../../bench/lib/fixture.ts";
import { vadDecisions } from "../../bench/lib/vad-decisions.ts";

/** Per-frame smoothed decisions as a string of 0/1. */
function decisions(pcm: Int16Array, opts: Partial<VadOptions> = {}): string {
  const vad = createVad(opts);
  return frames(pcm).map((f) => (vad.push(f).speech ? "1" : "0")).join("");
}
const ones = (s: string): number => s.split("").filter((c) => c === "1").length;
const silence = (ms: number): Int16Array => tones([], ms, 0, 30, ms);

describe("lazy voicing", () => {
  test("every frame's score is on the same side of every threshold with or without its voicing analysed", () => {
    // Recorded calls of the corpus: speech, noise, music, tones.
    const clips = readdirSync("corpus/calls")
      .filter((f) => f.endsWith(".ndjson"))
      .map((f) => `corpus/calls/${f}`);
    const { startThreshold, stayThreshold, clearScore } = DEFAULT_VAD_OPTIONS;
    const side = (score: number) => [score >= startThreshold, score >= stayThreshold, score < clearScore].join();
    let frameCount = 0;
    let skipped = 0;
    for (const path of clips) {
      const lazy = createVad();
      const eager = createVad({ lazyVoicing: false });
      let mismatches = 0;
      for (const f of frames(readFixture(path).pcm)) {
        const a = lazy.push(f);
        const b = eager.push(f);
        frameCount++;
        if (a.ungatedScore !== b.ungatedScore) skipped++;
        if (side(a.ungatedScore) !== side(b.ungatedScore) || a.speech !== b.speech || a.ungatedSpeech !== b.ungatedSpeech) mismatches++;
      }
      expect({ path, mismatches }).toEqual({ path, mismatches: 0 });
    }
    // The lazy path really skips: many frames report the neutral-voicing score.
    expect(skipped).toBeGreaterThan(frameCount / 10);
  });
});

describe("VAD on synthetic signals", () => {
  test.each([
    ["digital silence", new Int16Array(8000)],
    ["line hiss at −40 dBFS", tones([], 2000, 0, 570, 2)],
    ["loud white noise", tones([], 2000, 0, 8000, 3)],
    ["a 1 kHz tone", concatPcm([silence(300), tones([1000], 1500, 8000, 30)])],
    ["a 440 Hz tone", concatPcm([silence(300), tones([440], 1500, 8000, 30)])],
    ["DTMF 941+1336 Hz", concatPcm([silence(300), tones([941, 1336], 1500, 5000, 30)])],
  ])("%s is never speech", (_name, pcm) => {
    expect(ones(decisions(pcm))).toBe(0);
  });

  test("speech-like audio after silence is speech, with onset and hangover counted in frames", () => {
    const pcm = concatPcm([silence(600), speechLike(1000, 8000), silence(1000)]);
    const d = decisions(pcm, { onsetMs: 40, hangoverMs: 200 });
    const first = d.indexOf("1");
    const last = d.lastIndexOf("1");
    // Speech occupies frames 30..79; the decision starts 1 frame after the first speech-like
    // frame (onset 2 frames) and ends within the 10-frame hangover after the last.
    expect({ startsNear: first >= 30 && first <= 33, endsAfterHangover: last >= 80 && last <= 91, coverage: ones(d.slice(33, 78)) }).toEqual({
      startsNear: true,
      endsAfterHangover: true,
      coverage: 45,
    });
  });

  test("reports onset and offset exactly once per segment", () => {
    const vad = createVad();
    const pcm = concatPcm([silence(600), speechLike(800, 8000), silence(1200), speechLike(800, 8000, 9), silence(1200)]);
    let onsets = 0;
    let offsets = 0;
    for (const f of frames(pcm)) {
      const r = vad.push(f);
      onsets += r.onset ? 1 : 0;
      offsets += r.offset ? 1 : 0;
    }
    expect({ onsets, offsets }).toEqual({ onsets: 2, offsets: 2 });
  });

  test("the noise floor adapts: speech stays detectable over a louder steady background", () => {
    // 4.5 s of hiss at about −33 dBFS; speech-like audio from 2.5 s to 3.5 s on top of it.
    const mix = tones([], 4500, 0, 1500, 1);
    const speech = speechLike(1000, 12000);
    for (let i = 0; i < speech.length; i++) mix[20000 + i] = Math.max(-32768, Math.min(32767, mix[20000 + i]! + speech[i]!));
    const d = decisions(mix);
    expect({ backgroundSpeech: ones(d.slice(0, 125)), speech: ones(d.slice(127, 175)) > 40 }).toEqual({ backgroundSpeech: 0, speech: true });
  });

  test("millisecond options become frame counts: a longer hangover holds speech longer", () => {
    const pcm = concatPcm([silence(600), speechLike(600, 8000), silence(1500)]);
    // clearHangoverMs = hangoverMs: the one hangover applies whatever the pause looks like.
    const short = decisions(pcm, { hangoverMs: 100, clearHangoverMs: 100 });
    const long = decisions(pcm, { hangoverMs: 600, clearHangoverMs: 600 });
    expect(long.lastIndexOf("1") - short.lastIndexOf("1")).toBe(25);
  });

  test("a clear pause (frames far below speech) ends speech after clearHangoverMs, a doubtful one after hangoverMs", () => {
    const pcm = concatPcm([silence(600), speechLike(600, 8000), silence(1500)]);
    const clear = decisions(pcm, { hangoverMs: 600, clearHangoverMs: 100, clearScore: 0.15 });
    // clearScore 0: no frame counts as clearly not speech, so only the long hangover applies.
    const doubtful = decisions(pcm, { hangoverMs: 600, clearHangoverMs: 100, clearScore: 0 });
    expect(doubtful.lastIndexOf("1") - clear.lastIndexOf("1")).toBe(25);
  });
});

describe("settled segment boundaries", () => {
  /** Each frame's live decision and the settledAt of its onset/offset frames. */
  function trace(pcm: Int16Array, opts: Partial<VadOptions> = {}) {
    const vad = createVad(opts);
    const live: number[] = [];
    const onsets: Array<[number, number]> = []; // [frame, settledAt]
    const offsets: Array<[number, number]> = [];
    let other = 0; // frames with neither flag whose settledAt is not −1
    frames(pcm).forEach((f, i) => {
      const r = vad.push(f);
      live.push(r.speech ? 1 : 0);
      if (r.onset) onsets.push([i, r.settledAt]);
      else if (r.offset) offsets.push([i, r.settledAt]);
      else if (r.settledAt !== -1) other++;
    });
    return { live, onsets, offsets, other };
  }
  const burst = concatPcm([silence(600), speechLike(1000, 8000), silence(1000)]);

  test("a segment starts preRollMs before its first speech-like frame and, after a clear pause, ends endPadMs after the first clear frame", () => {
    const t = trace(burst, { onsetMs: 40, preRollMs: 60, hangoverMs: 240, clearHangoverMs: 100, endPadMs: 40 });
    const [[onFrame, start]] = t.onsets as [[number, number]];
    const [[offFrame, end]] = t.offsets as [[number, number]];
    // Onset declared on the 2nd speech-like frame. The 5 clear frames that ended the segment run
    // up to the offset frame itself, so the first of them is offFrame − 4.
    expect({ start, end, other: t.other, onsets: t.onsets.length, offsets: t.offsets.length }).toEqual({
      start: onFrame - 1 - 3,
      end: offFrame - 4 + 2,
      other: 0,
      onsets: 1,
      offsets: 1,
    });
  });

  test("no pre-roll and an end pad reaching the offset leave the live boundaries (longer pads are capped there)", () => {
    for (const endPadMs of [80, 1000]) {
      const t = trace(burst, { preRollMs: 0, endPadMs, onsetMs: 20, clearHangoverMs: 100 });
      expect({ start: t.onsets[0]![1], end: t.offsets[0]![1] }).toEqual({ start: t.onsets[0]![0], end: t.offsets[0]![0] });
    }
  });

  test("a segment that ended on doubtful frames (the full hangover) settles where the live decision ended", () => {
    const t = trace(burst, { clearScore: 0 });
    expect(t.offsets[0]![1]).toBe(t.offsets[0]![0]);
  });

  test("a long pre-roll never reaches into the previous segment or before the first frame", () => {
    const pcm = concatPcm([silence(100), speechLike(600, 8000), silence(400), speechLike(600, 8000, 9), silence(800)]);
    const t = trace(pcm, { preRollMs: 2000 });
    expect(t.onsets.length).toBe(2);
    expect(t.onsets[0]![1]).toBe(0);
    expect(t.onsets[1]![1]).toBe(t.offsets[0]![1]);
  });
});

describe.skipIf(!existsSync(TEN_VAD_DIR))("VAD on the ten-vad corpus (telephone chain)", () => {
  test("the settled decision agrees with the human labels better than the live one", () => {
    const live = confusion();
    const settled = confusion();
    for (const clip of loadTenVad()) {
      const d = vadDecisions(clip.frames);
      clip.labels.forEach((l, i) => {
        count(live, d.live[i] === 1, l);
        count(settled, d.settled[i] === 1, l);
      });
    }
    const a = scores(live);
    const b = scores(settled);
    expect({ f1: b.f1 > a.f1, mcc: b.mcc > a.mcc, balancedAccuracy: b.balancedAccuracy > a.balancedAccuracy }).toEqual({
      f1: true,
      mcc: true,
      balancedAccuracy: true,
    });
  });

  test("beats the WebRTC VAD's MCC (0.50) on the whole set", () => {
    const c = confusion();
    for (const clip of loadTenVad()) {
      const vad = createVad();
      clip.frames.forEach((f, i) => count(c, vad.push(f).speech, clip.labels[i]!));
    }
    const s = scores(c);
    expect({ mccAboveWebRtc: s.mcc > 0.5, f1AboveAlwaysSpeech: s.f1 > 0.862 }).toEqual({ mccAboveWebRtc: true, f1AboveAlwaysSpeech: true });
  });
});

describe("music is not speech", () => {
  /** A chord of steady partials (each note with 3 harmonics), changing every 800 ms. */
  function chords(ms: number): Int16Array {
    const n = Math.round(ms * 8);
    const out = new Int16Array(n);
    const progression = [
      [261.6, 329.6, 392.0],
      [220.0, 261.6, 329.6],
      [174.6, 220.0, 261.6],
      [196.0, 246.9, 293.7],
    ];
    for (let i = 0; i < n; i++) {
      const notes = progression[Math.floor(i / 6400) % progression.length]!;
      let s = 0;
      for (const hz of notes) for (let h = 1; h <= 3; h++) s += (1 / h) * Math.sin((2 * Math.PI * hz * h * i) / 8000);
      out[i] = Math.round(1800 * s);
    }
    return out;
  }

  test("a synthetic chord progression with steady partials is music, and not speech after the first second", () => {
    const vad = createVad();
    const res = frames(chords(6000)).map((f) => vad.push(f));
    const late = res.slice(50);
    expect({ speech: late.filter((r) => r.speech).length, music: late.every((r) => r.music) }).toEqual({ speech: 0, music: true });
  });

  test("without the music cue the same chords are called speech (the cue is what rejects them)", () => {
    const vad = createVad({ rejectMusic: false });
    const late = frames(chords(6000)).map((f) => vad.push(f).speech).slice(50);
    expect(late.filter(Boolean).length).toBeGreaterThan(late.length / 4);
  });

  test("the ungated decision ignores the music cue: over chords it is exactly a VAD without music rejection", () => {
    const gated = createVad();
    const open = createVad({ rejectMusic: false });
    const pcm = chords(6000);
    const got = frames(pcm).map((f) => {
      const r = gated.push(f);
      return { speech: r.ungatedSpeech, raw: r.ungatedRaw, score: r.ungatedScore };
    });
    const want = frames(pcm).map((f) => {
      const r = open.push(f);
      return { speech: r.speech, raw: r.raw, score: r.score };
    });
    expect(got).toEqual(want);
    // ...while the gated decision is not speech: the two streams really differ here.
    expect(got.slice(50).some((r) => r.speech)).toBe(true);
  });

  test("outside music the ungated decision is the gated one", () => {
    const vad = createVad();
    const res = frames(concatPcm([silence(300), speechLike(1500, 8000), silence(600)])).map((f) => {
      const r = vad.push(f);
      expect(r.music).toBe(false);
      return [r.speech, r.raw, r.score];
    });
    const vad2 = createVad();
    const ungated = frames(concatPcm([silence(300), speechLike(1500, 8000), silence(600)])).map((f) => {
      const r = vad2.push(f);
      return [r.ungatedSpeech, r.ungatedRaw, r.ungatedScore];
    });
    expect(ungated).toEqual(res);
    expect(res.some((r) => r[0])).toBe(true);
  });

  test("speech-like audio is not music", () => {
    const vad = createVad();
    const res = frames(concatPcm([silence(300), speechLike(3000, 8000)])).map((f) => vad.push(f));
    expect(res.filter((r) => r.music).length).toBe(0);
  });

  const musicFixture = "corpus/calls/tone-music-02.ndjson";
  test.skipIf(!existsSync(musicFixture))("corpus hold music (tone-music-02, music only): under 10 % speech once the cue has had 1.5 s", () => {
    const fx = readFixture(musicFixture);
    const vad = createVad();
    const fr = frames(fx.pcm);
    const late = fr.map((f) => vad.push(f).speech).slice(75);
    expect(late.filter(Boolean).length / late.length).toBeLessThan(0.1);
  });
});
