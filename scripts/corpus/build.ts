/**
 * Builds the labelled corpus of recorded calls (fixture format of ../shared/FIXTURES.md).
 *
 *   bun run scripts/corpus/build.ts            # committed set → corpus/calls
 *   bun run scripts/corpus/build.ts --large    # benchmark set → bench/.cache/corpus (not committed)
 *   options: --seed <text> (default corpus-v1), --only <substring of the file name>
 *
 * Installs nothing: checks for espeak-ng, sox, the asterisk recordings and ten-vad, and prints the
 * apt command for whatever is missing. Same command, same inputs → byte-identical files.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { committedSet, largeSet } from "./catalogue.ts";
import { fixtureText } from "./fixture.ts";
import { defaultInputPaths, missingInputs } from "./inputs.ts";
import { Rng } from "./prng.ts";

interface Args {
  readonly large: boolean;
  readonly out: string;
  readonly seed: string;
  readonly only: string | null;
}

function parseArgs(argv: readonly string[], root: string): Args {
  let large = false;
  let out: string | null = null;
  let seed = "corpus-v1";
  let only: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--large") large = true;
    else if (a === "--out") out = value();
    else if (a === "--seed") seed = value();
    else if (a === "--only") only = value();
    else throw new Error(`unknown argument: ${a}`);
  }
  // The large set never lands in the committed corpus by default: its directory is replaced.
  return { large, out: resolve(root, out ?? (large ? join("bench", ".cache", "corpus") : join("corpus", "calls"))), seed, only };
}

function main(): number {
  const root = resolve(import.meta.dir, "..", "..");
  const args = parseArgs(Bun.argv.slice(2), root);
  const paths = defaultInputPaths(root);
  const missing = missingInputs(paths);
  if (missing.length > 0) {
    for (const line of missing) console.error(line);
    return 1;
  }
  mkdirSync(args.out, { recursive: true });
  const specs = (args.large ? largeSet() : committedSet()).filter((s) => args.only === null || s.name.includes(args.only));
  const written = new Set<string>();
  const rows: string[] = [];
  let totalBytes = 0;
  let totalMs = 0;
  for (const spec of specs) {
    const rng = new Rng(`${args.seed}/${spec.name}`);
    const { scene, durationMs, network } = spec.generate({ rng, paths, variant: spec.variant });
    // Committed and large fixtures last at least 5 s (the corpus's 5–20 s range).
    const rendered = scene.render(rng, Math.max(durationMs, 5000));
    const text = fixtureText(rng, {
      description: `${spec.name}: ${scene.info.description}`,
      labels: rendered.labels,
      pcm: rendered.pcm,
      network,
    });
    const file = `${spec.name}.ndjson`;
    writeFileSync(join(args.out, file), text);
    written.add(file);
    totalBytes += text.length;
    totalMs += rendered.durationMs;
    const beep = rendered.labels.beepStartMs;
    rows.push(
      `${spec.name.padEnd(26)} ${scene.info.answeredBy.padEnd(8)} ${(rendered.durationMs / 1000).toFixed(2).padStart(6)} s` +
        `  beep ${String(beep ?? "-").padStart(6)}  ${(text.length / 1024).toFixed(0).padStart(5)} KiB`,
    );
  }
  if (args.only === null) {
    // The output folder belongs to the generator: remove fixtures it no longer produces.
    for (const f of readdirSync(args.out)) {
      if (f.endsWith(".ndjson") && !written.has(f)) rmSync(join(args.out, f));
    }
  }
  console.log(`${"fixture".padEnd(26)} ${"answered".padEnd(8)} duration  beepStartMs       size`);
  for (const r of rows) console.log(r);
  console.log(
    `${specs.length} fixtures, ${(totalMs / 1000).toFixed(1)} s of audio, ${(totalBytes / 1024 / 1024).toFixed(2)} MiB → ${args.out}`,
  );
  return 0;
}

process.exit(main());
