/**
 * Drop-in endpoints for the hosted APIs users migrate from. Each is a thin translation onto the
 * same dispatch service, under its own prefix, keeping that API's request names, response shape
 * and error style, so a client only changes its base URL.
 */
import { Elysia } from "elysia";
import type { ApiDeps } from "../context.ts";
import { agentphoneRoutes } from "./agentphone.ts";
import { agntixRoutes } from "./agntix.ts";
import { nixflexRoutes } from "./nixflex.ts";

export function compatRoutes(deps: ApiDeps) {
  return new Elysia().use(nixflexRoutes(deps)).use(agentphoneRoutes(deps)).use(agntixRoutes(deps));
}
