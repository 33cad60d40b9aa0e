/**
 * The engine is pure (ARCHITECTURE.md rule 1 and 5): nothing under src/engine/ may import I/O,
 * timers or clocks, nor anything outside src/engine/.
 */
import { describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ENGINE = resolve(import.meta.dir, "../../src/engine");

const FORBIDDEN: [RegExp, string][] = [
  [/\bDate\b/, "Date (a clock)"],
  [/\bperformance\b/, "performance (a clock)"],
  [/\b(setTimeout|setInterval|setImmediate|clearTimeout|clearInterval|queueMicrotask)\b/, "timers"],
  [/\bMath\.random\b/, "Math.random"],
  [/\bcrypto\b/, "crypto"],
  [/\bfetch\s*\(/, "fetch"],
  [/\b(WebSocket|XMLHttpRequest|EventSource)\b/, "sockets"],
  [/\bBun\s*\./, "Bun APIs"],
  [/\bprocess\s*\./, "process"],
  [/\brequire\s*\(/, "require"],
  [/\bimport\s*\(/, "dynamic import"],
  [/\bconsole\s*\./, "console (I/O)"],
];

/** Removes comments and the insides of string literals so prose cannot trip the checks. */
function code(source: string): string {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:])\/\/.*$/gm, "$1")
    .replace(/`(?:\\.|[^`\\])*`/g, "``")
    .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/'(?:\\.|[^'\\\n])*'/g, "''");
}

/** Every impurity of one engine source file, as readable strings. */
export function impurities(source: string, file: string): string[] {
  const found: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;"'`]*?from\s*["']([^"']+)["']|(?:^|\n)\s*import\s*["']([^"']+)["']/g)) {
    const spec = (m[1] ?? m[2])!;
    if (!spec.startsWith(".")) found.push(`imports ${spec}`);
    else {
      const target = resolve(dirname(file), spec);
      if (relative(ENGINE, target).startsWith("..")) found.push(`imports ${spec} from outside the engine`);
    }
  }
  const stripped = code(source);
  for (const [re, what] of FORBIDDEN) if (re.test(stripped)) found.push(`uses ${what}`);
  return found;
}

function engineFiles(dir = ENGINE): string[] {
  let out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(engineFiles(p));
    else if (/\.(ts|tsx|js|mjs)$/.test(entry.name)) out.push(p);
  }
  return out;
}

describe("engine purity", () => {
  test("the checker catches each kind of impurity", () => {
    const f = join(ENGINE, "x.ts");
    const rows: [string, string[]][] = [
      ['import { readFileSync } from "node:fs";', ["imports node:fs"]],
      ['import { Database } from "bun:sqlite";', ["imports bun:sqlite"]],
      ['import { x } from "../db/client.ts";', ["imports ../db/client.ts from outside the engine"]],
      ['import { decodeMulaw } from "./audio/mulaw.ts";', []],
      ['export * from "node:os";', ["imports node:os"]],
      ['export const words = [\n  "away from",\n  "x",\n];', []],
      ["const t = Date.now();", ["uses Date (a clock)"]],
      ["const t = performance.now();", ["uses performance (a clock)"]],
      ["setTimeout(() => {}, 5);", ["uses timers"]],
      ["const r = Math.random();", ["uses Math.random"]],
      ["await fetch(url);", ["uses fetch"]],
      ["new WebSocket(u);", ["uses sockets"]],
      ["Bun.write(p, d);", ["uses Bun APIs"]],
      ["const m = await import('./x.ts');", ["uses dynamic import"]],
      ["// Date.now() would be wrong here\nconst s = 'setTimeout';", []],
    ];
    for (const [src, expected] of rows) expect({ src, found: impurities(src, f) }).toEqual({ src, found: expected });
  });

  test("no file under src/engine imports I/O, timers or clocks", () => {
    const files = engineFiles();
    expect(files.length).toBeGreaterThan(0);
    const report = files.flatMap((f) => impurities(readFileSync(f, "utf8"), f).map((i) => `${relative(ENGINE, f)}: ${i}`));
    expect(report).toEqual([]);
  });
});
