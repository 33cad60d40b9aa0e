/**
 * Answering machines: long (8–15 s) and short (2–3 s) greetings, with a beep of 400–2000 Hz
 * lasting 0.15–1.5 s (or asterisk's real 700 Hz beep.wav) or with silence after; and asterisk's
 * own recorded voicemail prompts ("The person at extension … is unavailable…").
 */
import { join } from "node:path";
import { Scene } from "../scene.ts";
import { asteriskPrompt, readAudioFile } from "../sources.ts";
import { sine } from "../tones.ts";
import {
  joinSpeech, lineNoiseFor, networkFor, pickVoice, tts, type SceneContext, type SceneResult,
} from "./context.ts";

const LONG_GREETINGS = [
  "Hi, you've reached Sarah Johnson. I can't take your call right now. Please leave your name and number after the tone, and I'll call you back.",
  "Hello, you have reached Mark and Lisa. We can't come to the phone right now, but leave your name and number and we will call you back. Thanks!",
  "Thank you for calling Greenfield Dental. Our office is currently closed. Please leave a message after the tone and we will return your call on the next business day.",
  "The person you are trying to reach is not available. At the tone, please record your message. When you have finished recording, you may hang up.",
  "Hey, it's Jamie. Sorry I missed you, I'm probably out on a job site. Leave me a message with your number and I'll call you back tonight.",
] as const;
const SHORT_GREETINGS = [
  "Hi, it's Mike. Leave a message.",
  "You've reached Anna. Please leave a message.",
  "Please leave a message after the tone.",
  "Hi, this is Raj, leave a message.",
  "Not here right now, leave a message.",
] as const;

/** Beep frequencies of the corpus, Hz; 700 means asterisk's real beep.wav. */
export const BEEP_HZ = Object.freeze([400, 440, 700, 850, 1000, 1400, 2000] as const);

/** Beep frequency orders per category, so the few committed fixtures cover all of BEEP_HZ. */
const LONG_BEEP_ORDER = [400, 2000, 1000, 440, 850, 1400, 700] as const;
const SHORT_BEEP_ORDER = [850, 1000, 1400, 440, 2000, 400, 700] as const;
const ASTERISK_BEEP_ORDER = [700, 440, 2000, 700, 1400, 850, 1000, 400] as const;

/** A voicemail beep: 700 Hz is the real recording; others are sines of `durationMs` at −14…−8 dBFS. */
function beepAudio(ctx: SceneContext, scene: Scene, hz: number, durationMs: number): Float32Array {
  if (hz === 700) {
    scene.sources.push("asterisk-core-sounds-en-wav beep.wav");
    return readAudioFile(join(ctx.paths.asteriskSoundsDir, "beep.wav"));
  }
  return sine(hz, durationMs, ctx.rng.range(-14, -8));
}

interface MachineOptions {
  readonly category: string;
  readonly texts: readonly string[];
  readonly beep: boolean;
  /** Beep frequency per variant (cycled). */
  readonly beepOrder: readonly number[];
}

function greetingMachine(ctx: SceneContext, o: MachineOptions): SceneResult {
  const { rng } = ctx;
  const describe = o.beep ? "greeting, beep, then silence" : "greeting, then silence (no beep)";
  const scene = new Scene({ category: o.category, answeredBy: "machine", description: `answering machine: ${describe}` });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  const text = o.texts[ctx.variant % o.texts.length]!;
  // Recorded greetings are read slowly: long ones at 125–160 words per minute (8–15 s).
  const picked = pickVoice(rng);
  const voice = o.texts === LONG_GREETINGS ? { ...picked, wordsPerMinute: rng.int(125, 160) } : picked;
  const greeting = scene.say(rng.int(150, 900), tts(scene, text, voice), {
    text, role: "greeting", levelDb: rng.range(-24, -14),
  });
  let end = greeting.endMs + rng.int(300, 1200);
  if (o.beep) {
    const hz = o.beepOrder[ctx.variant % o.beepOrder.length]!;
    const durationMs = rng.int(150, 1500);
    const beep = scene.voicemailBeep(end, beepAudio(ctx, scene, hz, durationMs), hz);
    end = beep.endMs + rng.int(900, 1400);
  } else {
    end += rng.int(2000, 3000);
  }
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/** Long greeting (8–15 s), beep, silence. */
export function machineLongBeep(ctx: SceneContext): SceneResult {
  return greetingMachine(ctx, { category: "machine-long-beep", texts: LONG_GREETINGS, beep: true, beepOrder: LONG_BEEP_ORDER });
}

/** Short greeting (2–3 s), beep, silence. */
export function machineShortBeep(ctx: SceneContext): SceneResult {
  return greetingMachine(ctx, { category: "machine-short-beep", texts: SHORT_GREETINGS, beep: true, beepOrder: SHORT_BEEP_ORDER });
}

/** Long greeting, then silence, no beep. */
export function machineLongNoBeep(ctx: SceneContext): SceneResult {
  return greetingMachine(ctx, { category: "machine-long-nobeep", texts: LONG_GREETINGS, beep: false, beepOrder: [] });
}

/** Short greeting, then silence, no beep. */
export function machineShortNoBeep(ctx: SceneContext): SceneResult {
  return greetingMachine(ctx, { category: "machine-short-nobeep", texts: SHORT_GREETINGS, beep: false, beepOrder: [] });
}

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;

/**
 * Asterisk's voicemail prompts, real recordings. Variant mod 3: 0 — the default greeting "The
 * person at extension <digits> is unavailable / is on the phone. Please leave your message after
 * the tone. When done, hang up, or press the pound key." then a beep; 1 — only the "Please leave
 * your message…" prompt, then a beep; 2 — "The person at extension <digits> is unavailable."
 * then silence (no beep).
 */
export function machineAsterisk(ctx: SceneContext): SceneResult {
  const { rng, paths } = ctx;
  const withBeep = ctx.variant % 3 !== 2;
  const scene = new Scene({
    category: "machine-asterisk",
    answeredBy: "machine",
    description: `asterisk voicemail prompts (real recordings)${withBeep ? ", beep" : ", no beep"}, then silence`,
  });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  const digits = Array.from({ length: rng.int(2, 4) }, () => rng.int(0, 9));
  const status = rng.chance(0.7) ? "vm-isunavail" : "vm-isonphone";
  const kind = ctx.variant % 3;
  const person = ["vm-theperson", ...digits.map((d) => `digits/${d}`), status];
  const names = kind === 0 ? [...person, "vm-intro"] : kind === 1 ? ["vm-intro"] : person;
  scene.sources.push(`asterisk-core-sounds-en-wav ${names.join(" ")}`);
  const parts = names.map((n) => asteriskPrompt(paths, n));
  const gaps = names.slice(1).map(() => rng.int(60, 220));
  const personText = `The person at extension ${digits.map((d) => DIGIT_WORDS[d]).join(" ")} ${
    status === "vm-isunavail" ? "is unavailable." : "is on the phone."
  }`;
  const introText = "Please leave your message after the tone. When done, hang up, or press the pound key.";
  const text = kind === 0 ? `${personText} ${introText}` : kind === 1 ? introText : personText;
  const greeting = scene.say(rng.int(150, 700), joinSpeech(parts, gaps), {
    text, role: "greeting", levelDb: rng.range(-22, -16),
  });
  let end = greeting.endMs + rng.int(250, 700);
  if (withBeep) {
    const hz = ASTERISK_BEEP_ORDER[ctx.variant % ASTERISK_BEEP_ORDER.length]!;
    const beep = scene.voicemailBeep(end, beepAudio(ctx, scene, hz, rng.int(150, 1500)), hz);
    end = beep.endMs + rng.int(900, 1400);
  } else {
    end += rng.int(2000, 3000);
  }
  return { scene, durationMs: end, network: networkFor(ctx) };
}
