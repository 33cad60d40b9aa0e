/** The reply pipeline with ports as object literals (no sockets). */
import { describe, expect, test } from "bun:test";
import { ProviderError } from "../../src/providers/errors.ts";
import type { LlmEvent, LlmPort, LlmStreamRequest } from "../../src/providers/llm/port.ts";
import type { TtsPort } from "../../src/providers/tts/port.ts";
import { produceReply, speakText, type ReplyDeps } from "../../src/session/reply.ts";

const tts: TtsPort = {
  async *synthesize(text) {
    // two chunks per phrase: 8 bytes per character
    const bytes = new Uint8Array(text.length * 8).fill(0x7f);
    yield bytes.subarray(0, 8);
    yield bytes.subarray(8);
  },
};

function llm(script: (req: LlmStreamRequest, round: number) => LlmEvent[] | Error): LlmPort & { requests: LlmStreamRequest[] } {
  const requests: LlmStreamRequest[] = [];
  return {
    requests,
    async *stream(req) {
      requests.push({ ...req, messages: [...req.messages] });
      const out = script(req, requests.length - 1);
      if (out instanceof Error) throw out;
      for (const e of out) yield e;
    },
    extract: async () => ({}),
  };
}

const text = (...parts: string[]): LlmEvent[] => [...parts.map((delta) => ({ type: "text" as const, delta })), { type: "done", finishReason: "stop", usage: null }];

function deps(l: LlmPort, extra: Partial<ReplyDeps> = {}): ReplyDeps {
  return { llm: l, tts, voice: { voiceId: "v" }, model: "m", temperature: 0.5, tools: [], callTool: async () => "{}", ...extra };
}

function collect() {
  const audio: { phrase: string; bytes: number; done: boolean }[] = [];
  const marks: string[] = [];
  return {
    audio,
    marks,
    sink: {
      audio: (chunk: Uint8Array, phrase: string, done: boolean) => audio.push({ phrase, bytes: chunk.length, done }),
      firstToken: () => marks.push("token"),
      firstPhrase: () => marks.push("phrase"),
      firstTtsByte: () => marks.push("tts"),
    },
  };
}

describe("reply pipeline", () => {
  test("phrases are spoken in order as they complete, each ending with phraseDone", async () => {
    const c = collect();
    const r = await produceReply(deps(llm(() => text("Sure, ", "I can help. ", "When would you like to come in?"))), [], c.sink, new AbortController().signal);
    expect(r).toEqual({ text: "Sure, I can help. When would you like to come in?", endCall: false, toolMessages: [], error: null });
    expect(c.audio.map((a) => [a.phrase, a.done])).toEqual([
      ["Sure, I can help.", false],
      ["Sure, I can help.", true],
      ["When would you like to come in?", false],
      ["When would you like to come in?", true],
    ]);
    expect(c.marks).toEqual(["token", "phrase", "tts"]);
  });

  test("[END_CALL] is never spoken and ends the call", async () => {
    const c = collect();
    const r = await produceReply(deps(llm(() => text("Goodbye! ", "[END_", "CALL]"))), [], c.sink, new AbortController().signal);
    expect({ text: r.text, end: r.endCall }).toEqual({ text: "Goodbye!", end: true });
    expect(c.audio.every((a) => !a.phrase.includes("END"))).toBe(true);
  });

  test("a tool is called with its arguments and its result goes back to the model", async () => {
    const calls: string[] = [];
    const model = llm((req, round) =>
      round === 0
        ? [{ type: "tool_call", id: "t1", name: "lookup", arguments: '{"id":"42"}' }, { type: "done", finishReason: "tool_calls", usage: null }]
        : text(`Your order ${JSON.stringify(req.messages.at(-1))} is on its way.`),
    );
    const tools = [{ name: "lookup", description: "find", parameters: { type: "object" }, url: "http://tools.test/lookup" }];
    const c = collect();
    const r = await produceReply(deps(model, { tools, callTool: async (_t, args) => (calls.push(args), '{"status":"shipped"}') }), [{ role: "user", content: "where is it?" }], c.sink, new AbortController().signal);
    expect(calls).toEqual(['{"id":"42"}']);
    expect(model.requests[1]!.messages.at(-1)).toEqual({ role: "tool", toolCallId: "t1", content: '{"status":"shipped"}' });
    expect(r.toolMessages.map((m) => m.role)).toEqual(["assistant", "tool"]);
    expect(model.requests[0]!.tools!.map((t) => t.name)).toEqual(["end_call", "lookup"]);
  });

  test("a tool that hangs is bounded; the end_call tool ends the call", async () => {
    const model = llm((_req, round) =>
      round === 0
        ? [{ type: "tool_call", id: "t1", name: "slow", arguments: "{}" }, { type: "done", finishReason: "tool_calls", usage: null }]
        : [{ type: "text", delta: "Bye." }, { type: "tool_call", id: "t2", name: "end_call", arguments: "{}" }, { type: "done", finishReason: "tool_calls", usage: null }],
    );
    const tools = [{ name: "slow", description: "", parameters: { type: "object" }, url: "http://tools.test/slow" }];
    const hang = (_t: unknown, _a: string, signal: AbortSignal) => new Promise<string>((_, rej) => signal.addEventListener("abort", () => rej(new Error("aborted"))));
    const r = await produceReply(deps(model, { tools, callTool: hang, options: { toolTimeoutMs: 5 } }), [], collect().sink, new AbortController().signal);
    expect(model.requests[1]!.messages.at(-1)).toEqual({ role: "tool", toolCallId: "t1", content: JSON.stringify({ error: "the tool did not answer within 5 ms" }) });
    expect(r.endCall).toBe(true);
  });

  test("an LLM failure before any text is an apology, with the error kept", async () => {
    const c = collect();
    const err = new ProviderError({ provider: "openai", code: "timeout", message: "no first token", retryable: true });
    const r = await produceReply(deps(llm(() => err), { options: { apologyText: "Sorry, one moment." } }), [], c.sink, new AbortController().signal);
    expect({ text: r.text, code: r.error?.code }).toEqual({ text: "Sorry, one moment.", code: "timeout" });
    expect(c.audio.at(-1)).toEqual({ phrase: "Sorry, one moment.", bytes: 18 * 8 - 8, done: true });
  });

  test("a phrase whose synthesis fails retryably before any audio is tried once more", async () => {
    let calls = 0;
    const flaky: TtsPort = {
      async *synthesize(text, o) {
        if (calls++ === 0) throw new ProviderError({ provider: "elevenlabs", code: 503, status: 503, message: "busy", retryable: true });
        yield* tts.synthesize(text, o);
      },
    };
    const c = collect();
    await speakText({ tts: flaky, voice: { voiceId: "v" } }, "Hello there.", c.sink, new AbortController().signal);
    expect({ calls, phrases: c.audio.map((a) => [a.phrase, a.done]) }).toEqual({ calls: 2, phrases: [["Hello there.", false], ["Hello there.", true]] });
    const fatal: TtsPort = {
      // eslint-disable-next-line require-yield
      async *synthesize() {
        throw new ProviderError({ provider: "elevenlabs", code: 401, status: 401, message: "bad key", retryable: false });
      },
    };
    expect(speakText({ tts: fatal, voice: { voiceId: "v" } }, "Hi.", collect().sink, new AbortController().signal)).rejects.toThrow("bad key");
  });

  test("abort stops the audio at once", async () => {
    const ctl = new AbortController();
    const c = collect();
    const sink = { ...c.sink, audio: (chunk: Uint8Array, phrase: string, done: boolean) => (c.audio.push({ phrase, bytes: chunk.length, done }), ctl.abort()) };
    await produceReply(deps(llm(() => text("One. ", "Two. ", "Three."))), [], sink, ctl.signal);
    expect(c.audio.length).toBe(1);
    await speakText({ tts, voice: { voiceId: "v" } }, "Hello there. Bye.", sink, ctl.signal);
    expect(c.audio.length).toBe(1);
  });
});
