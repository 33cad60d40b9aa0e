import { describe, expect, test } from "bun:test";
import { testGateway } from "../helpers/gateway.ts";

describe("OpenAPI document", () => {
  test("is generated from the TypeBox schemas: request and response bodies of every feature", async () => {
    using gw = testGateway();
    const res = await gw.request("GET", "/docs/json", { key: null });
    expect(res.status).toBe(200);
    const paths = res.body.paths;
    for (const p of ["/v1/agents/", "/v1/phone-numbers/", "/v1/calls", "/v1/webhook_endpoints"]) {
      const schema = paths[p].post.requestBody.content["application/json"].schema;
      expect({ p, type: schema.type, hasProps: Object.keys(schema.properties ?? {}).length >= 2 }).toEqual({ p, type: "object", hasProps: true });
    }
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["/v1/calls/{id}/transcript/stream", "/compat/nixflex/v1/calls/outbound", "/v1/billing/ledger", "/healthz", "/readyz"]));
    const html = await gw.app.handle(new Request("http://localhost/docs"));
    expect((await html.text()).toLowerCase()).toContain("<html");
  });
});
