import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../src/cli.ts";
import { openDb } from "../src/db/client.ts";
import { AccountsService } from "../src/services/accounts.ts";

describe("admin CLI", () => {
  test("creates accounts and keys, revokes keys, adds credits", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-cli-"));
    const env = { DATA_DIR: dir, DATABASE_PATH: join(dir, "g.db") };
    const run = (...args: string[]) => {
      const lines: string[] = [];
      const code = runCli(args, env, (l) => lines.push(l));
      return { code, lines };
    };
    const created = run("account", "create", "Acme");
    expect(created.code).toBe(0);
    const { account_id } = JSON.parse(created.lines[0]!);
    const key = created.lines[1]!.split(": ")[1]!;
    const check = () => new AccountsService(openDb({ path: env.DATABASE_PATH }));
    expect(check().authenticate(key)?.accountId).toBe(account_id);

    const second = run("key", "create", account_id, "--test");
    const testKey = second.lines[1]!.split(": ")[1]!;
    expect(testKey).toStartWith("sk_test_");
    expect(run("key", "revoke", testKey)).toEqual({ code: 0, lines: ["revoked"] });
    expect(check().authenticate(testKey)).toBeNull();
    expect(run("key", "revoke", testKey).code).toBe(1);

    expect(JSON.parse(run("credits", "add", account_id, "5000").lines[0]!)).toEqual({ account_id, balance_milli_cents: 5000 });
    expect(run("credits", "add", account_id, "0").lines[0]).toStartWith("error: invalid_field");
    expect(run("nonsense").code).toBe(2);
    expect(run("credits", "add", account_id, "-5").code).toBe(2);
  });
});

describe("account limits", () => {
  test("overrides the gateway defaults per account, and back", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-cli-"));
    const env = { DATA_DIR: dir, DATABASE_PATH: join(dir, "g.db") };
    const lines: string[] = [];
    const run = (...args: string[]) => runCli(args, env, (l) => lines.push(l));
    expect(run("account", "create", "x")).toBe(0);
    const id = JSON.parse(lines[0]!).account_id;
    expect(run("account", "limits", id, "--max-concurrent", "3", "--price-per-minute", "1500", "--calling-codes", "+44,1")).toBe(0);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ account_id: id, max_concurrent_calls: 3, price_per_minute_milli_cents: 1500, allowed_calling_codes: ["44", "1"] });
    expect(run("account", "limits", id, "--calling-codes", "*", "--max-concurrent", "default")).toBe(0);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ account_id: id, max_concurrent_calls: null, price_per_minute_milli_cents: 1500, allowed_calling_codes: ["*"] });
    expect(run("account", "limits", id, "--calling-codes", "1,abc")).toBe(1);
    expect(lines.at(-1)).toStartWith("error: invalid_field");
  });
});
