/**
 * The WebAssembly embedded in the engine is the one its text source assembles to: a change to a
 * `.wat` without `bun scripts/build-wasm.ts` (or an edit of the generated module) fails here.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { generated, WASM_SOURCES } from "../../scripts/build-wasm.ts";

const ROOT = join(import.meta.dir, "../..");

describe("embedded WebAssembly", () => {
  for (const source of WASM_SOURCES) {
    test(`${source.ts} is generated from ${source.wat}`, async () => {
      expect(readFileSync(join(ROOT, source.ts), "utf8")).toBe(await generated(source));
    });
  }
});
