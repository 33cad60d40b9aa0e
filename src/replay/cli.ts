/**
 * `bun run replay <file.ndjson> [--json]`: replay one recorded call and print its report (one
 * JSON object; `--json` prints it on one line). Exit 1 with a one-line error naming the line on
 * a file that is not a valid recording.
 * `bun run replay --update-golden`: rewrite the golden report of every fixture in the repository.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { FixtureError } from "./fixture.ts";
import { goldenPathFor, listFixtures } from "./golden.ts";
import { loadFixture } from "./load.ts";
import { replayFixture } from "./runner.ts";

const ROOT = join(import.meta.dir, "..", "..");

function main(argv: readonly string[]): number {
  const json = argv.includes("--json");
  if (argv.includes("--update-golden")) {
    for (const rel of listFixtures(ROOT)) {
      const report = replayFixture(loadFixture(join(ROOT, rel)), rel).report;
      const out = join(ROOT, goldenPathFor(rel));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
      process.stdout.write(`${relative(ROOT, out)}\n`);
    }
    return 0;
  }
  const file = argv.find((a) => !a.startsWith("--"));
  if (!file) {
    process.stderr.write("usage: bun run replay <file.ndjson> [--json] | --update-golden\n");
    return 2;
  }
  let fixture;
  try {
    fixture = loadFixture(file);
  } catch (err) {
    if (err instanceof FixtureError) process.stderr.write(`${file}: ${err.message}\n`);
    else process.stderr.write(`${file}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}\n`);
    return 1;
  }
  const report = replayFixture(fixture, file).report;
  process.stdout.write(`${json ? JSON.stringify(report) : JSON.stringify(report, null, 2)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
