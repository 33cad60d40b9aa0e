import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createAmd, type Amd, type AmdEvent } from "../../src/engine/amd.ts";
import { findMachineCue } from "../../src/engine/amd/cues.ts";
import { createVad } from "../../src/engine/vad.ts";
import { createFeatureExtractor } from "../../src/engine/audio/features.ts";
import { concatPcm, speechLike, tones } from "../../bench/lib/signals.ts";
import { frames } from "../../bench/lib/telephone.ts";
import { readFixture } from "../../bench/lib/fixture.ts";
import { runAmd } from "../../bench/lib/run-amd.ts";

const silence = (ms: number, seed = 1): Int16Array => tones([], ms, 0, 40, seed);

/** Push audio from `startMs`; returns the events and the audio time after the last frame. */
function feed(amd: Amd, pcm: Int16Array, startMs = 0): { events: AmdEvent[]; endMs: number } {
  const events: AmdEvent[] = [];
  let t = startMs;
  for (const f of frames(pcm)) {
    events.push(...amd.push(f, t));
    t += 20;
  }
  return { events, endMs: t };
}
const kinds = (evs: readonly AmdEvent[]) => evs.map((e) => (e.type === "verdict" ? `verdict:${e.verdict}` : e.type === "greetingEnded" ? `greetingEnded:${e.by}` : "beep"));

describe("AMD decisions on synthetic calls", () => {
  test("a short greeting then silence is a human, decided by deadline when no frames come", () => {
    const amd = createAmd();
    const { events, endMs } = feed(amd, concatPcm([silence(400), speechLike(700, 9000)]));
    const deadline = amd.nextDeadlineMs();
    // The driver wakes the detector at its deadline without audio.
    const later = deadline === null ? [] : amd.tick(deadline);
    expect({
      before: kinds(events),
      deadlineAfterEnd: deadline !== null && deadline > endMs && deadline <= endMs + 700,
      after: kinds(later),
      verdict: amd.verdict,
      nextDeadline: amd.nextDeadlineMs(),
    }).toEqual({ before: [], deadlineAfterEnd: true, after: ["verdict:human"], verdict: "human", nextDeadline: null });
  });

  test("a greeting that runs on is a machine, well before it ends", () => {
    const amd = createAmd({ maxHumanGreetingMs: 3000 });
    const { events } = feed(amd, concatPcm([silence(300), speechLike(6000, 9000)]));
    const v = events.find((e) => e.type === "verdict");
    expect({ verdict: amd.verdict, early: v !== undefined && v.atMs >= 3000 && v.atMs <= 3500 }).toEqual({ verdict: "machine", early: true });
  });

  test("a transcript cue decides machine at once; the beep later ends the greeting", () => {
    const amd = createAmd();
    const a = feed(amd, concatPcm([silence(300), speechLike(1200, 9000)]));
    const cue = amd.pushTranscript("hi you've reached Sam please leave a", a.endMs, false);
    const b = feed(amd, concatPcm([speechLike(800, 9000, 5), silence(500), tones([1000], 400, 6000), silence(600, 2)]), a.endMs);
    const ended = b.events.find((e) => e.type === "greetingEnded");
    expect({
      first: kinds(a.events),
      cue: cue.map((e) => (e.type === "verdict" ? [e.verdict, e.atMs, e.reason] : e.type)),
      then: kinds(b.events),
      endsAtBeepEnd: ended !== undefined && Math.abs(ended.atMs - (a.endMs + 1700)) <= 10,
    }).toEqual({
      first: [],
      cue: [["machine", a.endMs, 'transcript: "youve reached"']],
      then: ["beep", "greetingEnded:beep"],
      endsAtBeepEnd: true,
    });
  });

  test("a beep alone decides machine and ends the greeting at the beep's end", () => {
    const amd = createAmd();
    const { events } = feed(amd, concatPcm([silence(600), tones([850], 300, 6000), silence(400, 2)]));
    const ended = events.find((e) => e.type === "greetingEnded");
    expect({ kinds: kinds(events), at: ended?.type === "greetingEnded" ? Math.round(ended.atMs / 10) * 10 : null }).toEqual({
      kinds: ["beep", "verdict:machine", "greetingEnded:beep"],
      at: 900,
    });
  });

  test("after a machine verdict without a beep, silence ends the greeting", () => {
    const amd = createAmd({ greetingEndSilenceMs: 1500 });
    const a = feed(amd, concatPcm([silence(200), speechLike(1000, 9000)]));
    amd.pushTranscript("please leave a message", a.endMs, true);
    const b = feed(amd, silence(1000, 3), a.endMs);
    const d = amd.nextDeadlineMs();
    const c = d === null ? [] : amd.tick(d);
    const ended = c.find((e) => e.type === "greetingEnded");
    expect({
      duringSilence: kinds(b.events),
      ended: kinds(c),
      atGreetingEnd: ended?.type === "greetingEnded" && Math.abs(ended.atMs - a.endMs) <= 100,
    }).toEqual({ duringSilence: [], ended: ["greetingEnded:silence"], atGreetingEnd: true });
  });

  test("nobody speaks: unknown at the initial-silence deadline", () => {
    const amd = createAmd({ initialSilenceMs: 4000 });
    feed(amd, silence(1000));
    const d = amd.nextDeadlineMs();
    const evs = d === null ? [] : amd.tick(d);
    expect({ d, evs: kinds(evs) }).toEqual({ d: 4000, evs: ["verdict:unknown"] });
  });

  test("a tone in progress holds the human decision (the beep may be coming)", () => {
    const amd = createAmd();
    const { events } = feed(amd, concatPcm([silence(300), speechLike(600, 9000), silence(300), tones([1000], 1200, 6000), silence(300, 2)]));
    expect(kinds(events).slice(0, 2)).toEqual(["beep", "verdict:machine"]);
  });
});

describe("special information tones and a shared VAD", () => {
  const sitTriplet = (a: number, b: number): Int16Array =>
    concatPcm([tones([a], 274, 6000, 40, 2), tones([b], 274, 6000, 40, 3), tones([1776.7], 380, 6000, 40, 4)]);

  test.each([
    ["913.8/1370.6", 913.8, 1370.6],
    ["985.2/1428.5", 985.2, 1428.5],
  ])("a SIT (%s Hz, then 1776.7 Hz) is a machine before its second segment ends", (_name, a, b) => {
    const amd = createAmd();
    const { events } = feed(amd, concatPcm([silence(300), sitTriplet(a, b), silence(600)]));
    const v = events.find((e) => e.type === "verdict");
    expect(v?.type === "verdict" ? { verdict: v.verdict, reason: v.reason, early: v.atMs <= 300 + 548 } : null).toEqual({
      verdict: "machine",
      reason: "special information tone",
      early: true,
    });
  });

  test("one steady tone at a SIT frequency (a 914 Hz beep-like tone) is not a SIT", () => {
    const amd = createAmd();
    const { events } = feed(amd, concatPcm([silence(300), tones([913.8], 900, 6000, 40, 2), silence(300)]));
    expect(events.some((e) => e.type === "verdict" && e.reason === "special information tone")).toBe(false);
  });

  test("given the caller's VadFrame, the AMD decides exactly as with its own VAD", () => {
    const pcm = concatPcm([silence(400), speechLike(700, 9000), silence(1500), speechLike(4000, 9000, 5), silence(500)]);
    const own = createAmd();
    const shared = createAmd();
    const fx = createFeatureExtractor();
    const vad = createVad(shared.options.vad);
    const a: AmdEvent[] = [];
    const b: AmdEvent[] = [];
    let t = 0;
    for (const f of frames(pcm)) {
      a.push(...own.push(f, t));
      const ft = fx.compute(f);
      b.push(...shared.push(f, t, ft, vad.push(f, ft)));
      t += 20;
    }
    expect(b).toEqual(a);
    expect(a.length).toBeGreaterThan(0);
  });

  test("the engine's one VAD (music rejection on) serves the AMD: same events as its own music-blind VAD over music", () => {
    // Chords of steady partials, loud enough to put the VAD's music cue on, then speech over them.
    const n = 6000 * 8;
    const bed = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (const hz of [261.6, 329.6, 392.0]) for (let h = 1; h <= 3; h++) s += (1 / h) * Math.sin((2 * Math.PI * hz * h * i) / 8000);
      bed[i] = Math.round(900 * s);
    }
    const voice = concatPcm([silence(2500), speechLike(1200, 9000), silence(2300)]);
    const pcm = bed.map((s, i) => Math.max(-32768, Math.min(32767, s + (voice[i] ?? 0))));
    const own = createAmd();
    const shared = createAmd();
    const fx = createFeatureExtractor();
    const engineVad = createVad(); // the engine's defaults: rejectMusic true
    const a: AmdEvent[] = [];
    const b: AmdEvent[] = [];
    let t = 0;
    let musicFrames = 0;
    for (const f of frames(pcm)) {
      a.push(...own.push(f, t));
      const ft = fx.compute(f);
      const v = engineVad.push(f, ft);
      if (v.music) musicFrames++;
      b.push(...shared.push(f, t, ft, v));
      t += 20;
    }
    expect(musicFrames).toBeGreaterThan(0); // the gated stream really was in music
    expect(b).toEqual(a);
    expect(shared.verdict).toBe(own.verdict);
  });
});

describe("transcript cues", () => {
  test.each([
    ["Hi, you've reached Anna.", "youve reached"],
    ["Please leave a message after the tone", "leave a message"],
    ["I CAN'T COME TO THE PHONE right now", "cant come to the phone"],
    ["The number you have dialed is not in service", "the number you have dialed"],
    ["Hello? Who's this?", null],
    ["Yeah, I can't hear you, call me back", null],
  ])("%p → %p", (text, cue) => {
    expect(findMachineCue(text)).toBe(cue);
  });
});

const CORPUS = join(import.meta.dir, "..", "..", "corpus", "calls");
const fixtureFiles = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith(".ndjson")).sort() : [];

describe.skipIf(fixtureFiles.length === 0)("AMD on the committed fixture corpus", () => {
  const fixtures = fixtureFiles.map((f) => readFixture(join(CORPUS, f))).filter((f) => f.labels.answeredBy !== undefined);

  test("with transcripts, at least 90 % of verdicts match the labels", () => {
    const right = fixtures.filter((fx) => runAmd(fx, true).verdict === fx.labels.answeredBy).length;
    expect(right / fixtures.length).toBeGreaterThanOrEqual(0.9);
  });

  test("expecting transcripts, hold music before a person speaks is not a greeting; music alone is still a machine", () => {
    const byName = (n: string) => fixtures.find((fx) => fx.path.endsWith(n))!;
    const hold = byName("tone-music-01.ndjson"); // hold music 0–2.8 s, then a person
    const musicOnly = byName("tone-music-02.ndjson");
    const humanOverMusic = fixtures.filter((fx) => fx.path.includes("human-noisy"));
    // Without the rule the music was the start of a long greeting.
    expect(runAmd(hold, true, { expectTranscripts: false }).verdict).toBe("machine");
    expect({
      hold: runAmd(hold, true).verdict,
      musicOnly: runAmd(musicOnly, true).verdict,
      humanOverMusic: humanOverMusic.map((fx) => runAmd(fx, true).verdict),
    }).toEqual({ hold: "human", musicOnly: "machine", humanOverMusic: humanOverMusic.map(() => "human") });
  });

  test("every labelled beep is found within 40 ms, and no other", () => {
    const rows = fixtures.map((fx) => {
      const r = runAmd(fx, true);
      const labelled = fx.labels.beepStartMs ?? null;
      return { file: fx.path.split("/").pop(), labelled: labelled !== null, found: r.beep !== null, within40: labelled === null || (r.beep !== null && Math.abs(r.beep.startMs - labelled) <= 40) };
    });
    expect(rows.filter((r) => r.labelled !== r.found || !r.within40)).toEqual([]);
  });

  test("a message never starts before the machine's greeting or beep has ended", () => {
    const early = fixtures
      .filter((fx) => fx.labels.answeredBy === "machine")
      .map((fx) => ({ fx, r: runAmd(fx, true) }))
      .filter(({ fx, r }) => {
        if (r.greetingEnded === null) return false;
        const mustWait = fx.labels.beepStartMs ?? fx.labels.greetingEndMs ?? 0;
        return r.greetingEnded.detectedAtMs < mustWait;
      })
      .map(({ fx }) => fx.path);
    expect(early).toEqual([]);
  });
});
