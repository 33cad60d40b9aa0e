import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { assertJournalOrdered, MIGRATIONS_DIR, openDb } from "../../src/db/client.ts";

describe("database", () => {
  test("opens with WAL, a busy timeout and foreign keys, fully migrated", () => {
    const dir = mkdtempSync(join(tmpdir(), "gw-db-"));
    const db = openDb({ path: join(dir, "x.db") });
    const q = (sql: string) => Object.values(db.$client.query(sql).get() as object)[0];
    expect([q("PRAGMA journal_mode"), q("PRAGMA busy_timeout"), q("PRAGMA foreign_keys")]).toEqual(["wal", 5000, 1]);
    const tables = (db.$client.query("select name from sqlite_master where type='table' order by name").all() as { name: string }[]).map((r) => r.name);
    expect(tables).toContain("agents");
    expect(tables).toContain("phone_numbers");
    db.$client.close();
    // re-opening applies nothing twice
    const again = openDb({ path: join(dir, "x.db") });
    const applied = again.$client.query("select count(*) as n from __drizzle_migrations").get() as { n: number };
    const journal = JSON.parse(readFileSync(join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8"));
    expect(applied.n).toBe(journal.entries.length);
  });

  test("a journal whose timestamps go backwards is refused", () => {
    expect(() => assertJournalOrdered()).not.toThrow();
    const dir = mkdtempSync(join(tmpdir(), "gw-mig-"));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    const path = join(dir, "meta/_journal.json");
    const journal = JSON.parse(readFileSync(path, "utf8"));
    journal.entries.push({ ...journal.entries[0], idx: journal.entries.length, tag: "9999_late", when: journal.entries[0].when - 1 });
    writeFileSync(path, JSON.stringify(journal));
    expect(() => assertJournalOrdered(dir)).toThrow(/9999_late/);
  });
});
