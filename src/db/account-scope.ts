/**
 * Reading an account's own rows: a lookup that never returns another account's row, and the
 * cursor pagination shared by every list: ids sort by creation (UUIDv7), so a page
 * is "ids after (or, newest first, before) the cursor", fetched with one extra row to learn
 * `has_more`. A cursor that is not one of the account's own rows is refused.
 */
import { and, asc, desc, eq, gt, lt, type InferSelectModel, type SQL } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { invalidField, notFound } from "../lib/errors.ts";
import type { Db } from "./client.ts";

export interface PageQuery {
  limit?: number;
  starting_after?: string;
}

export interface Page<T> {
  object: "list";
  data: T[];
  has_more: boolean;
}

type AccountTable = SQLiteTable & { id: SQLiteColumn; accountId: SQLiteColumn };

/** The account's row with this id, or null (another account's id is simply not found). */
export function findOwned<T extends AccountTable>(db: Db, table: T, accountId: string, id: string): InferSelectModel<T> | null {
  return (db.select().from(table as SQLiteTable).where(and(eq(table.accountId, accountId), eq(table.id, id))).get() as InferSelectModel<T> | undefined) ?? null;
}

/** The account's row with this id; a 404 naming `noun` when there is none (or it is another's). */
export function getOwned<T extends AccountTable>(db: Db, table: T, accountId: string, id: string, noun: string): InferSelectModel<T> {
  const row = findOwned(db, table, accountId, id);
  if (!row) throw notFound(noun, id);
  return row;
}

export function accountPage<T extends AccountTable>(
  db: Db,
  table: T,
  accountId: string,
  q: PageQuery,
  opts: { noun: string; newestFirst?: boolean; where?: (SQL | undefined)[] },
): Page<InferSelectModel<T>> {
  const limit = q.limit ?? 20;
  const mine = eq(table.accountId, accountId);
  const where: (SQL | undefined)[] = [mine, ...(opts.where ?? [])];
  if (q.starting_after) {
    const exists = db.select({ id: table.id }).from(table as SQLiteTable).where(and(mine, eq(table.id, q.starting_after))).get();
    if (!exists) throw invalidField("starting_after", `no such ${opts.noun}`);
    where.push(opts.newestFirst ? lt(table.id, q.starting_after) : gt(table.id, q.starting_after));
  }
  const rows = db
    .select()
    .from(table as SQLiteTable)
    .where(and(...where))
    .orderBy(opts.newestFirst ? desc(table.id) : asc(table.id))
    .limit(limit + 1)
    .all() as InferSelectModel<T>[];
  return { object: "list", data: rows.slice(0, limit), has_more: rows.length > limit };
}
