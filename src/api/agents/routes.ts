import { Elysia, t } from "elysia";
import { auth } from "../auth.ts";
import type { ApiDeps } from "../context.ts";
import { listOf, PageQuery } from "../pagination.ts";
import { Agent, AgentCreate, AgentUpdate } from "./model.ts";
import { agentJson, AgentsService } from "./service.ts";

export function agentsRoutes(deps: ApiDeps, service = new AgentsService(deps.db, deps.secrets, deps.now)) {
  const detail = { tags: ["Agents"] };
  return new Elysia({ prefix: "/v1/agents" })
    .use(auth(deps.accounts))
    .post("/", ({ accountId, body, set }) => {
      set.status = 201;
      return agentJson(service.create(accountId, body));
    }, { body: AgentCreate, parse: "json", response: { 201: Agent }, detail: { ...detail, summary: "Create an agent" } })
    .get("/", ({ accountId, query }) => {
      const p = service.list(accountId, query);
      return { ...p, data: p.data.map(agentJson) };
    }, { query: PageQuery, response: listOf(Agent), detail: { ...detail, summary: "List agents" } })
    .get("/:id", ({ accountId, params }) => agentJson(service.get(accountId, params.id)), {
      params: t.Object({ id: t.String() }),
      response: Agent,
      detail: { ...detail, summary: "Get an agent" },
    })
    .patch("/:id", ({ accountId, params, body }) => agentJson(service.update(accountId, params.id, body)), {
      params: t.Object({ id: t.String() }),
      body: AgentUpdate,
      parse: "json",
      response: Agent,
      detail: { ...detail, summary: "Update an agent" },
    })
    .delete("/:id", ({ accountId, params }) => {
      service.delete(accountId, params.id);
      return { id: params.id, object: "agent" as const, deleted: true as const };
    }, { params: t.Object({ id: t.String() }), detail: { ...detail, summary: "Delete an agent" } });
}
