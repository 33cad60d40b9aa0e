/**
 * Barge-in on a speakerphone line: the recorded interruptions replayed with our own played audio
 * mixed back into the inbound stream (attenuated, delayed). The caller talking over the agent must
 * still silence it within 200 ms of audio, and the echo alone must never cut a reply.
 */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { listFixtures } from "../../src/replay/golden.ts";
import { loadFixture } from "../../src/replay/load.ts";
import { replayFixture, type EchoPath } from "../../src/replay/runner.ts";

const ROOT = join(import.meta.dir, "..", "..");
type Span = { startMs: number; endMs: number; interrupts?: boolean };

const interruptFixtures = listFixtures(ROOT).filter((rel) => rel.includes("turns-interrupt"));
const echoes: [string, EchoPath][] = [
  ["−12 dB, 80 ms", { gainDb: -12, delayMs: 80 }],
  ["−6 dB, 200 ms", { gainDb: -6, delayMs: 200 }],
];

describe("barge-in over our own echo", () => {
  test("there are interruption recordings", () => expect(interruptFixtures.length).toBeGreaterThan(0));
  for (const [name, echo] of echoes) {
    for (const rel of interruptFixtures) {
      test(`${rel}, echo ${name}: cleared within 200 ms, only where the caller spoke`, () => {
        const fixture = loadFixture(join(ROOT, rel));
        const utts = ((fixture.header.labels?.utterances ?? []) as Span[]).filter((u) => u.interrupts);
        expect(utts.length).toBeGreaterThan(0);
        const r = replayFixture(fixture, rel, { engine: { amd: false }, echo });
        const cuts = r.events.flatMap((e) => (e.type === "bargeIn" ? [e] : []));
        for (const u of utts) {
          const cut = cuts.find((c) => c.speechStartAudioMs >= u.startMs - 100 && c.speechStartAudioMs < u.endMs);
          expect({ utterance: u.startMs, clearAfterMs: cut ? cut.clearAudioMs - u.startMs : null }).toEqual({
            utterance: u.startMs,
            clearAfterMs: expect.any(Number),
          });
          expect(cut!.clearAudioMs - u.startMs).toBeLessThanOrEqual(200);
        }
        // Every cut starts inside the caller's own speech (an interruption), never in echo alone.
        for (const c of cuts) expect(utts.some((u) => c.speechStartAudioMs >= u.startMs - 100 && c.speechStartAudioMs < u.endMs)).toBe(true);
      });
    }
  }
});
