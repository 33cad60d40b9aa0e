import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ROOT = join(import.meta.dir, "..", "..");
const cli = (...args: string[]) => Bun.spawnSync(["bun", "src/replay/cli.ts", ...args], { cwd: ROOT });

describe("replay CLI", () => {
  test("prints exactly one JSON object with the report's fields", () => {
    const r = cli("test/fixtures/network-disorder.ndjson", "--json");
    const text = r.stdout.toString();
    const report = JSON.parse(text);
    expect([r.exitCode, text.trim().split("\n").length, Object.keys(report)]).toEqual([
      0,
      1,
      ["fixture", "durationMs", "vad", "amd", "turns", "bargeIns", "resumes", "sent"],
    ]);
  });

  test("a bad file exits non-zero with one line naming the line number", () => {
    const dir = mkdtempSync(join(tmpdir(), "replay-"));
    const file = join(dir, "bad.ndjson");
    writeFileSync(file, '{"kind":"header","version":1,"encoding":"audio/x-mulaw","sampleRate":8000}\n{"kind":"twilio","t":1}\n');
    const r = cli(file, "--json");
    const err = r.stderr.toString();
    expect([r.exitCode, r.stdout.toString(), err.trim().split("\n").length, err.includes("line 2")]).toEqual([1, "", 1, true]);
  });
});
