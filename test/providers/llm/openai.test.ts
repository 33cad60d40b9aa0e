import { providerErrorOf } from "../../helpers/provider-error.ts";
import { afterEach, describe, expect, test } from "bun:test";
import type { LlmEvent } from "../../../src/providers/llm/port.ts";
import { OpenAiLlm } from "../../../src/providers/llm/openai.ts";
import { type OpenAiFake, startOpenAiFake } from "../../../src/sim/fakes/openai.ts";

const KEY = "sk-test";
let fake: OpenAiFake | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function all(it: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const out: LlmEvent[] = [];
  for await (const e of it) out.push(e);
  return out;
}


describe("OpenAI adapter against the SSE fake", () => {
  test("streams text deltas, then done with usage; the reply depends on the messages", async () => {
    fake = startOpenAiFake({
      apiKey: KEY,
      firstTokenDelayMs: 0,
      tokenIntervalMs: 0,
      reply: (b) => ({ text: `You said: ${String(b.messages?.at(-1)?.content)}.` }),
    });
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl, model: "gpt-test" });
    const events = await all(llm.stream({ messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi there" }] }));
    const text = events.flatMap((e) => (e.type === "text" ? [e.delta] : [])).join("");
    expect(text).toBe("You said: hi there.");
    expect(events.filter((e) => e.type === "text").length).toBeGreaterThan(3);
    expect(events.at(-1)).toEqual({ type: "done", finishReason: "stop", usage: { promptTokens: expect.any(Number), completionTokens: 6 } });
    expect(fake.requests[0]).toEqual({
      model: "gpt-test",
      messages: [
        { role: "system", content: "be brief" },
        { role: "user", content: "hi there" },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  test("tool-call deltas keyed by index are assembled into whole calls", async () => {
    fake = startOpenAiFake({
      apiKey: KEY,
      firstTokenDelayMs: 0,
      tokenIntervalMs: 0,
      reply: () => ({
        toolCalls: [
          { name: "book_slot", arguments: '{"day":"monday","time":"10:30"}' },
          { name: "end_call", arguments: "{}" },
        ],
      }),
    });
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl });
    const tools = [{ name: "book_slot", description: "Book", parameters: { type: "object", properties: {} } }];
    const events = await all(llm.stream({ messages: [{ role: "user", content: "monday 10:30" }], tools }));
    expect(events.map((e) => (e.type === "tool_call" ? { ...e, id: e.id.startsWith("call_") } : e.type === "done" ? e.finishReason : e))).toEqual([
      { type: "tool_call", id: true, name: "book_slot", arguments: '{"day":"monday","time":"10:30"}' },
      { type: "tool_call", id: true, name: "end_call", arguments: "{}" },
      "tool_calls",
    ]);
    expect(fake.requests[0]?.tools).toEqual([{ type: "function", function: { name: "book_slot", description: "Book", parameters: { type: "object", properties: {} } } }]);
  });

  test("assistant tool calls and tool results go back in OpenAI's wire shape", async () => {
    fake = startOpenAiFake({ apiKey: KEY, firstTokenDelayMs: 0, tokenIntervalMs: 0 });
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl });
    await all(
      llm.stream({
        messages: [
          { role: "assistant", content: null, toolCalls: [{ id: "call_1", name: "lookup", arguments: "{}" }] },
          { role: "tool", toolCallId: "call_1", content: '{"ok":true}' },
        ],
      }),
    );
    expect(fake.requests[0]?.messages as unknown).toEqual([
      { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
      { role: "tool", tool_call_id: "call_1", content: '{"ok":true}' },
    ]);
  });

  test("extract uses json_schema strict and returns the parsed object", async () => {
    fake = startOpenAiFake({ apiKey: KEY, reply: (b) => ({ json: { interested: b.response_format?.json_schema?.strict === true, callback_day: "friday" } }) });
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl });
    const schema = {
      name: "result",
      schema: { type: "object", properties: { interested: { type: "boolean" }, callback_day: { type: "string" } }, required: ["interested", "callback_day"], additionalProperties: false },
    };
    expect(await llm.extract(schema, [{ role: "user", content: "transcript…" }])).toEqual({ interested: true, callback_day: "friday" });
    expect(fake.requests[0]?.response_format).toEqual({ type: "json_schema", json_schema: { ...schema, strict: true } });
  });

  test("errors keep OpenAI's code and retryability", async () => {
    fake = startOpenAiFake({ apiKey: KEY, firstTokenDelayMs: 0 });
    const wrong = new OpenAiLlm({ apiKey: "bad", baseUrl: fake.baseUrl });
    expect((await providerErrorOf(all(wrong.stream({ messages: [{ role: "user", content: "x" }] })))).toJSON()).toEqual({
      provider: "openai",
      code: "invalid_api_key",
      status: 401,
      message: "Incorrect API key provided.",
      retryable: false,
    });
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl });
    fake.failNext(429, "Rate limit reached", "requests", "rate_limit_exceeded");
    const e = await providerErrorOf(all(llm.stream({ messages: [{ role: "user", content: "x" }] })));
    expect([e.code, e.status, e.retryable]).toEqual(["rate_limit_exceeded", 429, true]);
    fake.failNext(500, "The server had an error", "server_error");
    const e2 = await providerErrorOf(llm.extract({ name: "r", schema: {} }, [{ role: "user", content: "x" }]));
    expect([e2.code, e2.status, e2.retryable]).toEqual(["server_error", 500, true]);
  });

  test("a stalled stream hits the first-token timeout", async () => {
    fake = startOpenAiFake({ apiKey: KEY });
    fake.stallNext();
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl, firstTokenTimeoutMs: 40 });
    const e = await providerErrorOf(all(llm.stream({ messages: [{ role: "user", content: "x" }] })));
    expect([e.code, e.retryable, e.message]).toEqual(["timeout", true, "openai: no token within 40 ms"]);
  });

  test("abort mid-stream stops with an aborted error", async () => {
    fake = startOpenAiFake({ apiKey: KEY, firstTokenDelayMs: 0, tokenIntervalMs: 5, reply: () => ({ text: "one two three four five six seven" }) });
    const llm = new OpenAiLlm({ apiKey: KEY, baseUrl: fake.baseUrl });
    const ac = new AbortController();
    let texts = 0;
    const e = await providerErrorOf(
      (async () => {
        for await (const ev of llm.stream({ messages: [{ role: "user", content: "x" }], signal: ac.signal })) {
          if (ev.type === "text" && ev.delta !== "") {
            texts++;
            ac.abort();
          }
        }
      })(),
    );
    expect([texts, e.code]).toEqual([1, "aborted"]);
  });
});
