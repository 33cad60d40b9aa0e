/**
 * Conversation turns (all humans): mid-sentence pauses of 400–900 ms, "um", a phone number read
 * digit by digit, a finished turn followed by 3–4 s of silence (where the agent answers on
 * replay), backchannels 1.5–3 s after the caller finished (over the agent's reply), and a caller
 * who interrupts with a full sentence 1.5–2.5 s after their previous utterance ended.
 */
import { Scene, type Placed } from "../scene.ts";
import type { Voice } from "../sources.ts";
import { lineNoiseFor, networkFor, pickVoice, tts, type SceneContext, type SceneResult } from "./context.ts";

/** One caller with a fixed voice and level. */
class Caller {
  private readonly voice: Voice;
  private readonly levelDb: number;

  constructor(private readonly ctx: SceneContext, readonly scene: Scene) {
    this.voice = pickVoice(ctx.rng);
    this.levelDb = ctx.rng.range(-25, -17);
  }

  /** Say `pieces` in a row; `pauses[i]` ms between piece i and i+1; the last piece completes. */
  turn(atMs: number, pieces: readonly string[], pausesMs: readonly number[], interrupts = false): Placed {
    let at = atMs;
    let first: Placed | null = null;
    let last: Placed | null = null;
    pieces.forEach((text, i) => {
      const placed = this.scene.say(at, tts(this.scene, text, this.voice), {
        text,
        role: "utterance",
        complete: i === pieces.length - 1,
        levelDb: this.levelDb + this.ctx.rng.range(-1.5, 1.5),
        ...(interrupts && i === 0 ? { interrupts: true } : {}),
      });
      first ??= placed;
      last = placed;
      at = placed.endMs + (pausesMs[i] ?? 0);
    });
    if (!first || !last) throw new Error("empty turn");
    return { startMs: (first as Placed).startMs, endMs: (last as Placed).endMs };
  }

  /** A backchannel ("mhm", "yeah", "okay") at `atMs`. */
  backchannel(atMs: number, text: string): Placed {
    return this.scene.say(atMs, tts(this.scene, text, this.voice), {
      text, role: "backchannel", levelDb: this.levelDb - this.ctx.rng.range(2, 6),
    });
  }

  /** Silence after a finished turn, while the agent would reply: 3–4 s. */
  agentGapMs(): number {
    return this.ctx.rng.int(3000, 3600);
  }

  /** A mid-sentence pause: 400–900 ms. */
  pauseMs(): number {
    return this.ctx.rng.int(400, 900);
  }
}

function turnScene(ctx: SceneContext, category: string, description: string): Caller {
  const scene = new Scene({ category, answeredBy: "human", description });
  scene.lineNoiseDb = lineNoiseFor(ctx);
  return new Caller(ctx, scene);
}

const PAUSED_SENTENCES = [
  [["I'd like to book an appointment", "for next Tuesday,", "in the afternoon if possible."], "Around three would be great."],
  [["So the problem is", "my internet keeps dropping", "every evening around eight."], "Yes, I already restarted the router."],
  [["I was wondering if", "you could tell me", "when my package will arrive."], "The order number is on the email."],
  [["We need to change", "the delivery address", "to our new office."], "It's forty two Elm Street."],
] as const;

/** Mid-sentence pauses, a finished sentence, 3–4 s of silence, then a second turn. */
export function turnsPause(ctx: SceneContext): SceneResult {
  const c = turnScene(ctx, "turns-pause", "caller pauses mid-sentence (400-900 ms), finishes, waits for the agent, speaks again");
  const [pieces, next] = PAUSED_SENTENCES[ctx.variant % PAUSED_SENTENCES.length]!;
  const t1 = c.turn(ctx.rng.int(300, 800), pieces, pieces.map(() => c.pauseMs()));
  const t2 = c.turn(t1.endMs + c.agentGapMs(), [next], []);
  return { scene: c.scene, durationMs: t2.endMs + ctx.rng.int(800, 1200), network: networkFor(ctx) };
}

const DIGIT_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"] as const;

/** A phone number read digit by digit in groups, with pauses inside and between the groups. */
export function turnsNumber(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const c = turnScene(ctx, "turns-number", "caller reads a phone number digit by digit with pauses, then waits");
  const groups = [3, 3, 4].map((n) => Array.from({ length: n }, () => DIGIT_WORDS[rng.int(0, 9)]!).join(" "));
  const pieces = ["Sure, my number is", ...groups.map((g, i) => (i < groups.length - 1 ? `${g},` : `${g}.`))];
  const t1 = c.turn(rng.int(300, 800), pieces, pieces.map(() => c.pauseMs()));
  const t2 = c.turn(t1.endMs + c.agentGapMs(), ["That's my cell phone."], []);
  return { scene: c.scene, durationMs: t2.endMs + rng.int(800, 1200), network: networkFor(ctx) };
}

/** "Um" and hesitations before and inside the sentence. */
export function turnsUm(ctx: SceneContext): SceneResult {
  const c = turnScene(ctx, "turns-um", "caller hesitates with 'um' and pauses, finishes, waits, speaks again");
  const t1 = c.turn(ctx.rng.int(300, 800), ["Um,", "I was calling about,", "um,", "my order from last week."], [
    c.pauseMs(), c.pauseMs(), c.pauseMs(),
  ]);
  const t2 = c.turn(t1.endMs + c.agentGapMs(), ["It hasn't arrived."], []);
  return { scene: c.scene, durationMs: t2.endMs + ctx.rng.int(800, 1200), network: networkFor(ctx) };
}

const BACKCHANNELS = ["mhm", "uh-huh", "yeah", "okay"] as const;
const OPENERS = [
  "Hi, I'm calling about the invoice I received yesterday.",
  "Hello, I'd like to ask about my account balance.",
  "Yes, I got a message that my prescription is ready.",
] as const;

/** A finished question, then backchannels 1.5–3 s later (over the agent's reply), then a reply. */
export function turnsBackchannel(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const c = turnScene(ctx, "turns-backchannel", "caller finishes, then backchannels (mhm/yeah/okay) while the agent would be speaking");
  const t1 = c.turn(rng.int(300, 800), [OPENERS[ctx.variant % OPENERS.length]!], []);
  let at = t1.endMs + rng.int(1500, 3000);
  const count = 1 + (ctx.variant % 2);
  let last: Placed = t1;
  for (let i = 0; i < count; i++) {
    last = c.backchannel(at, rng.pick(BACKCHANNELS));
    at = last.endMs + rng.int(1500, 2500);
  }
  const t2 = c.turn(last.endMs + rng.int(2000, 3000), ["Okay, thanks."], []);
  return { scene: c.scene, durationMs: t2.endMs + rng.int(800, 1200), network: networkFor(ctx) };
}

const INTERRUPTIONS = [
  "Sorry, actually, can we do Wednesday instead?",
  "Wait, no, that's not what I meant.",
  "Hold on, I need to check something first.",
] as const;

/** A caller who starts a full sentence 1.5–2.5 s after finishing, i.e. over the agent's reply. */
export function turnsInterrupt(ctx: SceneContext): SceneResult {
  const { rng } = ctx;
  const c = turnScene(ctx, "turns-interrupt", "caller finishes, then interrupts the agent's reply with a full sentence");
  const t1 = c.turn(rng.int(300, 800), [OPENERS[(ctx.variant + 1) % OPENERS.length]!], []);
  const t2 = c.turn(t1.endMs + rng.int(1500, 2500), [INTERRUPTIONS[ctx.variant % INTERRUPTIONS.length]!], [], true);
  return { scene: c.scene, durationMs: t2.endMs + rng.int(1500, 2500), network: networkFor(ctx) };
}
