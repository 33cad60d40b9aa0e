import { Elysia, t } from "elysia";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { listOf, PageQuery } from "../pagination.ts";
import { PhoneNumber, PhoneNumberCreate, PhoneNumberUpdate } from "./model.ts";
import { phoneNumberJson, PhoneNumbersService } from "./service.ts";

export function phoneNumbersRoutes(deps: ApiDeps, service = new PhoneNumbersService(deps.db, deps.secrets, deps.now)) {
  const detail = { tags: ["Phone numbers"] };
  const params = t.Object({ id: t.String() });
  return new Elysia({ prefix: "/v1/phone-numbers" })
    .use(auth(deps.accounts))
    .post("/", ({ accountId, body, set }) => {
      set.status = 201;
      return phoneNumberJson(service.create(accountId, body));
    }, { body: PhoneNumberCreate, parse: "json", response: { 201: PhoneNumber }, detail: { ...detail, summary: "Register a phone number" } })
    .get("/", ({ accountId, query }) => {
      const p = service.list(accountId, query);
      return { ...p, data: p.data.map(phoneNumberJson) };
    }, { query: PageQuery, response: listOf(PhoneNumber), detail: { ...detail, summary: "List phone numbers" } })
    .get("/:id", ({ accountId, params }) => phoneNumberJson(service.get(accountId, params.id)), {
      params,
      response: PhoneNumber,
      detail: { ...detail, summary: "Get a phone number" },
    })
    .patch("/:id", ({ accountId, params, body }) => phoneNumberJson(service.update(accountId, params.id, body)), {
      params,
      body: PhoneNumberUpdate,
      parse: "json",
      response: PhoneNumber,
      detail: { ...detail, summary: "Update a phone number" },
    })
    .delete("/:id", ({ accountId, params }) => {
      service.delete(accountId, params.id);
      return { id: params.id, object: "phone_number" as const, deleted: true as const };
    }, { params, detail: { ...detail, summary: "Delete a phone number" } });
}
