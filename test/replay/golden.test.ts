/**
 * Replays every recording in the repository (corpus/calls/, test/fixtures/) through the engine
 * and compares the whole report with its committed golden file. After an intended change:
 * `bun run replay --update-golden`, then review the diff of the golden files.
 */
import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { goldenPathFor, listFixtures } from "../../src/replay/golden.ts";
import { loadFixture } from "../../src/replay/load.ts";
import { replayFixture } from "../../src/replay/runner.ts";

const ROOT = join(import.meta.dir, "..", "..");
const fixtures = listFixtures(ROOT);

describe("golden replays", () => {
  test("there are recordings to replay", () => expect(fixtures.length).toBeGreaterThan(0));
  for (const rel of fixtures) {
    test(rel, () => {
      const goldenPath = join(ROOT, goldenPathFor(rel));
      const report = replayFixture(loadFixture(join(ROOT, rel)), rel).report;
      const golden = existsSync(goldenPath) ? JSON.parse(readFileSync(goldenPath, "utf8")) : { missing: goldenPath };
      expect(report).toEqual(golden);
    });
  }
});

describe("scripted STT through Deepgram's wire JSON", () => {
  // Replay hands the scripted STT's events straight to the engine; the wire path (encode, then
  // parseDeepgramMessage, as a live message comes) must not change a single engine event.
  for (const rel of fixtures) {
    test(rel, () => {
      const fixture = loadFixture(join(ROOT, rel));
      const direct = replayFixture(fixture, rel);
      const wire = replayFixture(fixture, rel, { sttWire: true });
      expect(wire.events).toEqual(direct.events);
      expect(wire.report).toEqual(direct.report);
    });
  }
});
