/**
 * Tricky non-beep sounds: DTMF digits in the inbound audio, the special-information tone triplet
 * before an intercept message, and music. None of these carries a voicemail beep.
 */
import { msToSamples } from "../audio.ts";
import { Scene } from "../scene.ts";
import { asteriskPrompt, MOH_STEMS, musicOnHold } from "../sources.ts";
import { dtmfSequence, SIT_HZ, sitTriplet } from "../tones.ts";
import { lineNoiseFor, networkFor, pickVoice, tts, type SceneContext, type SceneResult } from "./context.ts";

/** A human says hello, then presses keys (or presses a key, then speaks). */
export function toneDtmf(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const scene = new Scene({ category: "tone-dtmf", answeredBy: "human", description: "human with DTMF key presses in the audio" });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  const voice = pickVoice(rng);
  const levelDb = rng.range(-24, -16);
  const keys = rng.pick(["1", "0", "123", "5#", "9", "*2", "4711"]);
  const keysAudio = () => dtmfSequence(keys, rng.int(70, 160), rng.int(70, 160), rng.range(-14, -8));
  let end: number;
  if (ctx.variant % 2 === 0) {
    const hello = scene.say(rng.int(400, 1200), tts(scene, "Hello?", voice), { text: "Hello?", role: "utterance", levelDb });
    const tones = scene.tone(hello.endMs + rng.int(800, 1500), keysAudio(), { kind: "dtmf", digits: keys });
    end = tones.endMs + rng.int(2500, 3500);
  } else {
    const tones = scene.tone(rng.int(300, 900), keysAudio(), { kind: "dtmf", digits: keys });
    const text = "Oops, sorry. Hello?";
    const hello = scene.say(tones.endMs + rng.int(500, 1000), tts(scene, text, voice), { text, role: "utterance", levelDb });
    end = hello.endMs + rng.int(3000, 4000);
  }
  return { scene, durationMs: end, network: networkFor(ctx) };
}

/** SIT triplet, then an intercept recording ("The number you have dialed is not in service…"). */
export function toneSit(ctx: SceneContext): SceneResult {
  const { rng, paths } = ctx;
  const scene = new Scene({ category: "tone-sit", answeredBy: "machine", description: "special-information tone then intercept message; no beep" });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  const seg = (): number => rng.pick([274, 380]);
  const sit = scene.tone(rng.int(200, 600), sitTriplet([seg(), seg(), seg()], rng.range(-20, -14)), { kind: "sit", hz: [...SIT_HZ] });
  const text = "The number you have dialed is not in service. Please check the number and try again.";
  let audio: Float32Array;
  if (ctx.variant % 2 === 0) {
    scene.sources.push("asterisk-core-sounds-en-wav ss-noservice");
    audio = asteriskPrompt(paths, "ss-noservice");
  } else {
    audio = tts(scene, text, pickVoice(rng));
  }
  const msg = scene.say(sit.endMs + rng.int(100, 400), audio, { text, role: "greeting", levelDb: rng.range(-22, -16) });
  return { scene, durationMs: msg.endMs + rng.int(1000, 1500), network: networkFor(ctx) };
}

/**
 * Music: variant 0 — hold music, then a human picks up; 1 — music only; 2 — a greeting over
 * music with no beep.
 */
export function toneMusic(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const kind = ctx.variant % 3;
  const scene = new Scene({
    category: "tone-music",
    answeredBy: kind === 0 ? "human" : "machine",
    description: ["hold music, then a human answers", "music only, nobody speaks", "greeting over music, no beep"][kind]!,
  });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  const stem = rng.pick(MOH_STEMS);
  scene.sources.push(`asterisk-moh-opsound-wav ${stem}`);
  const music = musicOnHold(ctx.paths, stem).subarray(msToSamples(rng.int(0, 60_000)));
  const voice = pickVoice(rng);
  let end: number;
  if (kind === 0) {
    const musicEnd = rng.int(2000, 3200);
    scene.bed(0, musicEnd, music, rng.range(-24, -18), "music");
    const text = "Hi, sorry to keep you waiting, this is Alex.";
    const said = scene.say(musicEnd + rng.int(200, 600), tts(scene, text, voice), { text, role: "utterance", levelDb: rng.range(-24, -16) });
    end = said.endMs + rng.int(2500, 3200);
  } else if (kind === 1) {
    end = 5000;
    scene.bed(0, end, music, rng.range(-24, -16), "music");
  } else {
    const text = "Thanks for calling. Please leave a message.";
    const said = scene.say(rng.int(300, 800), tts(scene, text, voice), { text, role: "greeting", levelDb: rng.range(-22, -16) });
    end = said.endMs + rng.int(3000, 3500);
    scene.bed(0, said.endMs + 400, music, rng.range(-32, -26), "music");
  }
  return { scene, durationMs: end, network: networkFor(ctx) };
}
