/**
 * `bun run bench`: every benchmark, one after another (they measure CPU time: never in parallel).
 * Each prints its table and writes bench/results/<name>.json. `bun run bench vad amd` runs some.
 */
import { join } from "node:path";

const ALL = ["vad", "amd", "engine-cost", "replay-speed", "turns", "bargein", "tts-paths", "live"];
const chosen = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const names = chosen.length ? chosen : ALL;
const failed: string[] = [];
for (const name of names) {
  if (!ALL.includes(name)) {
    console.error(`unknown benchmark ${name}; known: ${ALL.join(", ")}`);
    process.exit(2);
  }
  console.log(`\n=== ${name} ===`);
  const proc = Bun.spawn(["bun", "run", join(import.meta.dir, `${name}.ts`), ...process.argv.slice(2).filter((a) => a.startsWith("-"))], { stdout: "inherit", stderr: "inherit" });
  if ((await proc.exited) !== 0) failed.push(name);
}
if (failed.length) {
  console.error(`failed: ${failed.join(", ")}`);
  process.exit(1);
}
