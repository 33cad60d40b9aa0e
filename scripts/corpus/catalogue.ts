/**
 * Which fixtures the generator writes: the committed set (small, hand-picked variants) and the
 * large benchmark set (many variants of every generator).
 */
import type { SceneGenerator } from "./scenes/context.ts";
import { humanHello, humanLateAnswer, humanMultiword, humanNoisy, humanReal, humanYeah } from "./scenes/humans.ts";
import {
  machineAsterisk, machineLongBeep, machineLongNoBeep, machineShortBeep, machineShortNoBeep,
} from "./scenes/machines.ts";
import { toneDtmf, toneMusic, toneSit } from "./scenes/tones.ts";
import { turnsBackchannel, turnsInterrupt, turnsNumber, turnsPause, turnsUm } from "./scenes/turns.ts";

/** One fixture to generate: its file stem, generator and variant number. */
export interface FixtureSpec {
  readonly name: string;
  readonly generate: SceneGenerator;
  readonly variant: number;
}

/** Generators by file-name prefix, with how many committed and large-set variants each gets. */
const GENERATORS: ReadonlyArray<readonly [string, SceneGenerator, number, number]> = [
  ["human-hello", humanHello, 2, 20],
  ["human-multiword", humanMultiword, 3, 30],
  ["human-yeah", humanYeah, 2, 15],
  ["human-late", humanLateAnswer, 1, 15],
  ["human-noisy", humanNoisy, 2, 20],
  ["human-real", humanReal, 2, 30],
  ["machine-long-beep", machineLongBeep, 2, 30],
  ["machine-short-beep", machineShortBeep, 3, 30],
  ["machine-long-nobeep", machineLongNoBeep, 1, 15],
  ["machine-short-nobeep", machineShortNoBeep, 1, 15],
  ["machine-asterisk", machineAsterisk, 3, 24],
  ["tone-dtmf", toneDtmf, 2, 12],
  ["tone-sit", toneSit, 1, 10],
  ["tone-music", toneMusic, 3, 15],
  ["turns-pause", turnsPause, 1, 15],
  ["turns-number", turnsNumber, 1, 15],
  ["turns-um", turnsUm, 1, 10],
  ["turns-backchannel", turnsBackchannel, 2, 20],
  ["turns-interrupt", turnsInterrupt, 2, 20],
];

/** The committed set (corpus/calls). */
export function committedSet(): FixtureSpec[] {
  return GENERATORS.flatMap(([prefix, generate, n]) =>
    Array.from({ length: n }, (_, v) => ({ name: `${prefix}-${String(v + 1).padStart(2, "0")}`, generate, variant: v })),
  );
}

/** The large benchmark set; variants continue after the committed ones so no file repeats. */
export function largeSet(): FixtureSpec[] {
  return GENERATORS.flatMap(([prefix, generate, , n]) =>
    Array.from({ length: n }, (_, v) => ({ name: `${prefix}-L${String(v + 1).padStart(3, "0")}`, generate, variant: v + 100 })),
  );
}
