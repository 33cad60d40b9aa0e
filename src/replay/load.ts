/** Load a recording from disk (the one I/O step of replay). */
import { readFileSync } from "node:fs";
import { parseFixture, type Fixture } from "./fixture.ts";

/** Read and parse a fixture file; throws FixtureError (with the line) or an fs error. */
export function loadFixture(path: string): Fixture {
  return parseFixture(readFileSync(path, "utf8"));
}
