import { describe, expect, test } from "bun:test";
import { testGateway } from "../helpers/gateway.ts";

describe("every resource is scoped to its account", () => {
  test("another account's ids answer 404 on every route, and lists never show them", async () => {
    using gw = testGateway();
    const agent = (await gw.request("POST", "/v1/agents", { body: { name: "A's", type: "outbound" } })).body;
    const pn = (await gw.request("POST", "/v1/phone-numbers", { body: { number: "+14155550100", agent_id: agent.id } })).body;
    const asB = { key: gw.keyB };
    const routes: [string, string, unknown?][] = [
      ["GET", `/v1/agents/${agent.id}`],
      ["PATCH", `/v1/agents/${agent.id}`, { name: "stolen" }],
      ["DELETE", `/v1/agents/${agent.id}`],
      ["GET", `/v1/phone-numbers/${pn.id}`],
      ["PATCH", `/v1/phone-numbers/${pn.id}`, { label: "stolen" }],
      ["DELETE", `/v1/phone-numbers/${pn.id}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await gw.request(method, path, { ...asB, body });
      expect({ route: `${method} ${path}`, status: res.status, code: res.body.error?.code }).toEqual({
        route: `${method} ${path}`,
        status: 404,
        code: path.includes("/agents/") ? "agent_not_found" : "phone_number_not_found",
      });
    }
    expect((await gw.request("GET", "/v1/agents", asB)).body.data).toEqual([]);
    expect((await gw.request("GET", "/v1/phone-numbers", asB)).body.data).toEqual([]);
    // B cannot attach A's agent to its own number, nor point its agent at A's number
    const bad = await gw.request("POST", "/v1/phone-numbers", { ...asB, body: { number: "+14155550199", agent_id: agent.id } });
    expect(bad.body.error).toMatchObject({ code: "invalid_field", details: { field: "agent_id" } });
    const bAgent = await gw.request("POST", "/v1/agents", { ...asB, body: { name: "B", type: "outbound", primary_number_id: pn.id } });
    expect(bAgent.body.error).toMatchObject({ code: "invalid_field", details: { field: "primary_number_id" } });
    // nothing of A changed
    expect((await gw.request("GET", `/v1/agents/${agent.id}`)).body).toEqual(agent);
    expect((await gw.request("GET", `/v1/phone-numbers/${pn.id}`)).body).toEqual(pn);
  });
});
