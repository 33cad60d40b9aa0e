/**
 * Humans answering: a short "hello?" then silence, multi-word answers, "yeah?", noisy rooms with
 * music underneath, a long pause before answering, and real human speech from ten-vad.
 */
import { msToSamples, roomNoise } from "../audio.ts";
import { Scene } from "../scene.ts";
import { MOH_STEMS, musicOnHold, tenVadClip } from "../sources.ts";
import { lineNoiseFor, networkFor, pickVoice, tts, type SceneContext, type SceneResult } from "./context.ts";

const HELLOS = ["Hello?", "Hi.", "Hello, yes?", "Hello, who's this?", "Hallo?"] as const;
const MULTIWORD = [
  "Hello, this is Maria speaking.",
  "Hi, this is David, how can I help you?",
  "Good afternoon, Johnson residence.",
  "Yes, hello, this is Priya.",
  "Hello, Tom speaking, who's calling please?",
  "Hi there, you've got Ken, what's up?",
  "Morning, this is Lucy at the front desk.",
] as const;
const YEAHS = ["Yeah?", "Yep?", "Yeah, hello?", "Yes?"] as const;
const FOLLOW_UPS = ["Hello? Anyone there?", "Hello?", "Can you hear me?"] as const;

function humanScene(ctx: SceneContext, category: string, description: string): Scene {
  const scene = new Scene({ category, answeredBy: "human", description });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  return scene;
}

/**
 * Answer `text` after `answerMs`, wait 2.2–3 s in silence; with `mayRepeat`, half the time ask
 * again ("Hello? Anyone there?") and wait 1–1.6 s more.
 */
function answerThenWait(ctx: SceneContext, scene: Scene, text: string, answerMs: number, mayRepeat = true): number {
  const { rng } = ctx;
  const voice = pickVoice(rng);
  const levelDb = rng.range(-26, -16);
  const first = scene.say(answerMs, tts(scene, text, voice), { text, role: "utterance", levelDb });
  let end = first.endMs + rng.int(2200, 3000);
  if (mayRepeat && rng.chance(0.5)) {
    const again = rng.pick(FOLLOW_UPS);
    const second = scene.say(end, tts(scene, again, voice), { text: again, role: "utterance", levelDb });
    end = second.endMs + rng.int(1000, 1600);
  }
  return end;
}

/** "hello?" then silence. */
export function humanHello(ctx: SceneContext): SceneResult {
  const scene = humanScene(ctx, "human-hello", "human answers with a short hello, then waits");
  const end = answerThenWait(ctx, scene, ctx.rng.pick(HELLOS), ctx.rng.int(300, 1400));
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/** "hello, this is Maria speaking" and the like. */
export function humanMultiword(ctx: SceneContext): SceneResult {
  const scene = humanScene(ctx, "human-multiword", "human answers with a multi-word greeting, then waits");
  const end = answerThenWait(ctx, scene, ctx.rng.pick(MULTIWORD), ctx.rng.int(300, 1400));
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/** "yeah?" */
export function humanYeah(ctx: SceneContext): SceneResult {
  const scene = humanScene(ctx, "human-yeah", "human answers with a one-word 'yeah?', then waits");
  const end = answerThenWait(ctx, scene, ctx.rng.pick(YEAHS), ctx.rng.int(300, 1200));
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/** A long silence (2.5–5 s) before the human speaks. */
export function humanLateAnswer(ctx: SceneContext): SceneResult {
  const scene = humanScene(ctx, "human-late", "human picks up and says nothing for 2.5-5 s, then answers");
  const text = ctx.rng.chance(0.5) ? ctx.rng.pick(HELLOS) : ctx.rng.pick(MULTIWORD);
  const end = answerThenWait(ctx, scene, text, ctx.rng.int(2500, 4500), false);
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/** A noisy room: rumble at −40…−30 dBFS and music (asterisk music on hold) underneath. */
export function humanNoisy(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const scene = humanScene(ctx, "human-noisy", "human answers in a noisy room with music playing underneath");
  const text = rng.chance(0.5) ? rng.pick(HELLOS) : rng.pick(MULTIWORD);
  const end = answerThenWait(ctx, scene, text, rng.int(500, 1500), false);
  const stem = rng.pick(MOH_STEMS);
  const music = musicOnHold(ctx.paths, stem);
  const offset = msToSamples(rng.int(0, 60_000));
  scene.sources.push(`asterisk-moh-opsound-wav ${stem}`);
  scene.bed(0, end, music.subarray(offset), rng.range(-36, -28), "music");
  scene.bed(0, end, roomNoise(rng, msToSamples(end), 0), rng.range(-42, -32), "room");
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/**
 * Real human speech from ten-vad: the clip's first labelled speech run(s), up to ~2.5 s, cut at a
 * labelled pause, as the answer; then silence. Truth comes from ten-vad's manual labels.
 */
export function humanReal(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const scene = humanScene(ctx, "human-real", "real human speech (ten-vad clip), then silence");
  const n = (ctx.variant % 30) + 1;
  const clip = tenVadClip(ctx.paths, n);
  const firstRun = clip.speechMs[0];
  if (!firstRun) throw new Error(`${clip.name} has no speech`);
  // Take speech runs while the answer stays within 2.5 s; cut in the pause after the last one.
  let endMs = firstRun[1];
  for (const r of clip.speechMs.slice(1)) {
    if (r[1] - firstRun[0] > 2500) break;
    endMs = r[1];
  }
  const fromMs = Math.max(0, firstRun[0] - 100);
  const toMs = endMs + 60;
  const audio = clip.audio.slice(msToSamples(fromMs), msToSamples(toMs));
  const ranges = clip.speechMs
    .filter(([a]) => a < toMs)
    .map(([a, b]) => [a - fromMs, Math.min(b, endMs) - fromMs] as const);
  scene.sources.push(`ten-vad ${clip.name} ${fromMs}-${toMs} ms`);
  const placed = scene.say(rng.int(400, 1400), audio, {
    text: "(real speech, no transcript)",
    role: "utterance",
    levelDb: rng.range(-26, -18),
    manualSpeechMs: ranges,
  });
  return { scene, durationMs: placed.endMs + rng.int(2500, 3500), network: networkFor(ctx) };
}
