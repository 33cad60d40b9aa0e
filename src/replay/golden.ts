/** Where the recordings of the repository and their golden reports live. */
import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** Folders (repository-relative) whose `*.ndjson` files are replayed by the golden test. */
export const FIXTURE_DIRS: readonly string[] = Object.freeze(["corpus/calls", "test/fixtures"]);

/** Every fixture path (repository-relative, sorted) under `root`. */
export function listFixtures(root: string): string[] {
  const out: string[] = [];
  for (const dir of FIXTURE_DIRS) {
    const abs = join(root, dir);
    if (!existsSync(abs)) continue;
    for (const f of readdirSync(abs)) if (f.endsWith(".ndjson")) out.push(`${dir}/${f}`);
  }
  return out.sort();
}

/** The golden report beside a fixture: corpus/golden/<name>.json, else <dir>/golden/<name>.json. */
export function goldenPathFor(fixturePath: string): string {
  const name = basename(fixturePath, ".ndjson");
  const dir = dirname(fixturePath);
  if (dir.endsWith("corpus/calls")) return join(dirname(dir), "golden", `${name}.json`);
  return join(dir, "golden", `${name}.json`);
}
