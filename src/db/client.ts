/**
 * Opens the SQLite database (bun:sqlite) and applies the committed drizzle-kit migrations.
 * bun:sqlite opens with journal_mode=delete and busy_timeout=0 (PROTOCOLS.md), so WAL, a busy
 * timeout and foreign keys are set here, before anything else touches the file.
 */
import { Database } from "bun:sqlite";
import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { drizzle, type BunSQLiteDatabase } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import * as schema from "./schema/index.ts";

export type Db = BunSQLiteDatabase<typeof schema> & { $client: Database };

export const MIGRATIONS_DIR = join(import.meta.dir, "..", "..", "drizzle");

export interface OpenDbOptions {
  /** File path or `:memory:`. */
  path: string;
  /** How long a writer waits for a lock before SQLITE_BUSY, in ms. */
  busyTimeoutMs?: number;
}

/** Opens the database, sets its pragmas and migrates it to the latest schema. */
export function openDb({ path, busyTimeoutMs = 5000 }: OpenDbOptions): Db {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path, { create: true, strict: true });
  sqlite.exec("PRAGMA journal_mode = WAL");
  sqlite.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  sqlite.exec("PRAGMA synchronous = NORMAL");
  sqlite.exec("PRAGMA foreign_keys = ON");
  const db = drizzle(sqlite, { schema }) as Db;
  assertJournalOrdered();
  migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  return db;
}

/**
 * drizzle's runtime migrator skips a migration whose timestamp is older than the last one applied
 * (PROTOCOLS.md, "Other traps"). A journal whose `when` values are not strictly increasing would
 * silently lose a migration on databases that already ran the later one, so refuse to start.
 */
export function assertJournalOrdered(dir = MIGRATIONS_DIR): void {
  const journal = JSON.parse(readFileSync(join(dir, "meta", "_journal.json"), "utf8")) as {
    entries: { idx: number; when: number; tag: string }[];
  };
  for (let i = 1; i < journal.entries.length; i++) {
    const prev = journal.entries[i - 1]!;
    const cur = journal.entries[i]!;
    if (cur.when <= prev.when) {
      throw new Error(`migration ${cur.tag} is dated before ${prev.tag}; regenerate it so timestamps increase`);
    }
  }
}

/** True when the database answers a trivial query. */
export function dbReachable(db: Db): boolean {
  try {
    return db.$client.query("select 1 as ok").get() !== null;
  } catch {
    return false;
  }
}
