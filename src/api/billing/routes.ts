import { Elysia, t } from "elysia";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { listOf, PageQuery } from "../pagination.ts";

const LedgerEntry = t.Object({
  id: t.String(),
  object: t.Literal("ledger_entry"),
  kind: t.UnionEnum(["credit", "reservation", "settlement", "release", "adjustment"]),
  amount_milli_cents: t.Integer(),
  call_id: t.Union([t.String(), t.Null()]),
  description: t.Union([t.String(), t.Null()]),
  created_at: t.String(),
});

export function billingRoutes(deps: ApiDeps) {
  const detail = { tags: ["Billing"] };
  return new Elysia({ prefix: "/v1/billing" })
    .use(auth(deps.accounts))
    .get("/balance", ({ accountId }) => deps.billing.balance(accountId), {
      response: t.Object({ object: t.Literal("balance"), balance_milli_cents: t.Integer(), reserved_milli_cents: t.Integer(), available_milli_cents: t.Integer() }),
      detail: { ...detail, summary: "Balance, and what active calls hold in reservation" },
    })
    .get("/ledger", ({ accountId, query }) => {
      const p = deps.billing.ledger(accountId, query);
      return {
        ...p,
        data: p.data.map((e) => ({
          id: e.id,
          object: "ledger_entry" as const,
          kind: e.kind,
          amount_milli_cents: e.amountMilliCents,
          call_id: e.callId,
          description: e.description,
          created_at: new Date(e.createdAtMs).toISOString(),
        })),
      };
    }, { query: PageQuery, response: listOf(LedgerEntry), detail: { ...detail, summary: "Every balance movement, oldest first" } });
}
