/** Cursor pagination shared by every list: `limit` and `starting_after`, answering `has_more`. */
import { t, type Static } from "elysia";

export const PageQuery = t.Object({
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 100, default: 20, description: "page size, 1–100", "x-field": "limit" })),
  starting_after: t.Optional(t.String({ minLength: 1, description: "id of the last item of the previous page", "x-field": "starting_after" })),
});
export type PageQuery = Static<typeof PageQuery>;

export const listOf = <S extends Parameters<typeof t.Array>[0]>(item: S) =>
  t.Object({ object: t.Literal("list"), data: t.Array(item), has_more: t.Boolean() });
