/**
 * The turn recordings (category `turns-*`) the turn and barge-in benchmarks replay: the committed
 * ones, and the generated large set in bench/.cache/corpus when it exists
 * (`bun run corpus --large --out bench/.cache/corpus`).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { listFixtures } from "../../src/replay/golden.ts";
import { loadFixture } from "../../src/replay/load.ts";

export type Recording = { rel: string; fixture: ReturnType<typeof loadFixture> };

const ROOT = join(import.meta.dir, "..", "..");
const LARGE = "bench/.cache/corpus";

const isTurns = ({ fixture }: Recording): boolean => String(fixture.header.labels?.category ?? "").startsWith("turns");

/** Both sets, each in file order; `large` is empty when the set has not been generated. */
export function turnRecordings(): { committed: Recording[]; large: Recording[] } {
  const committed = listFixtures(ROOT)
    .map((rel) => ({ rel, fixture: loadFixture(join(ROOT, rel)) }))
    .filter(isTurns);
  const dir = join(ROOT, LARGE);
  const large = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.startsWith("turns-") && f.endsWith(".ndjson"))
        .sort()
        .map((f) => ({ rel: `${LARGE}/${f}`, fixture: loadFixture(join(dir, f)) }))
        .filter(isTurns)
    : [];
  return { committed, large };
}
