import { describe, expect, test } from "bun:test";
import { testGateway } from "../helpers/gateway.ts";

describe("cursor pagination", () => {
  test("walks every item once, in creation order, with has_more on each page", async () => {
    using gw = testGateway();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push((await gw.request("POST", "/v1/agents", { body: { name: `a${i}`, type: "outbound" } })).body.id);
    const seen: string[] = [];
    const hasMore: boolean[] = [];
    let cursor: string | undefined;
    for (;;) {
      const res = await gw.request("GET", `/v1/agents?limit=3${cursor ? `&starting_after=${cursor}` : ""}`);
      seen.push(...res.body.data.map((a: { id: string }) => a.id));
      hasMore.push(res.body.has_more);
      if (!res.body.has_more) break;
      cursor = seen.at(-1);
    }
    expect(seen).toEqual(ids);
    expect(hasMore).toEqual([true, true, false]);
  });

  test("edges: exact page size, the last item as cursor, limits out of range, unknown cursor", async () => {
    using gw = testGateway();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await gw.request("POST", "/v1/phone-numbers", { body: { number: `+1415555010${i}` } })).body.id);
    const exact = await gw.request("GET", "/v1/phone-numbers?limit=3");
    expect({ n: exact.body.data.length, has_more: exact.body.has_more }).toEqual({ n: 3, has_more: false });
    const afterLast = await gw.request("GET", `/v1/phone-numbers?starting_after=${ids[2]}`);
    expect(afterLast.body).toEqual({ object: "list", data: [], has_more: false });
    const defaults = await gw.request("GET", "/v1/phone-numbers");
    expect(defaults.body.data.length).toBe(3);
    for (const limit of ["0", "101", "abc", "2.5"]) {
      const res = await gw.request("GET", `/v1/phone-numbers?limit=${limit}`);
      expect({ limit, status: res.status, code: res.body.error?.code, field: res.body.error?.details?.field }).toEqual({ limit, status: 400, code: "invalid_field", field: "limit" });
    }
    const unknown = await gw.request("GET", "/v1/phone-numbers?starting_after=pn_nope");
    expect(unknown.body.error).toMatchObject({ code: "invalid_field", details: { field: "starting_after" } });
    // another account's id is not a cursor either
    const foreign = await gw.request("GET", `/v1/phone-numbers?starting_after=${ids[0]}`, { key: gw.keyB });
    expect(foreign.status).toBe(400);
  });
});
