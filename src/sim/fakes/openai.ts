/**
 * A fake of OpenAI's Chat Completions (`POST /v1/chat/completions`): SSE streaming with a
 * configurable time to first token and token rate, scripted replies (a function of the
 * messages), tool-call deltas keyed by `index`, `data: [DONE]`, `include_usage`, non-streaming
 * json_schema structured output, and OpenAI's `{"error":{message,type,param,code}}` errors.
 */

/** A scripted reply: text, tool calls, or (for structured output) a JSON value. */
export interface ScriptedReply {
  readonly text?: string;
  readonly toolCalls?: ReadonlyArray<{ readonly name: string; readonly arguments: string }>;
  /** Returned as the message content (JSON) for `response_format: json_schema`. */
  readonly json?: unknown;
}

/** What a reply function sees: the request body as sent. */
export interface ChatRequestBody {
  readonly model?: string;
  readonly messages?: ReadonlyArray<{ readonly role: string; readonly content?: unknown }>;
  readonly stream?: boolean;
  readonly tools?: unknown[];
  readonly response_format?: { readonly type?: string; readonly json_schema?: { readonly name?: string; readonly strict?: boolean } };
  readonly stream_options?: { readonly include_usage?: boolean };
}

/** Options of the OpenAI fake. */
export interface OpenAiFakeOptions {
  readonly apiKey: string;
  readonly reply: (body: ChatRequestBody) => ScriptedReply;
  /** Wall delay before the first streamed token, ms. */
  readonly firstTokenDelayMs: number;
  /** Wall delay between tokens, ms (0 = back to back). */
  readonly tokenIntervalMs: number;
}

/** Defaults: 300 ms to first token, 10 ms per token, a fixed greeting. */
export const DEFAULT_OPENAI_FAKE_OPTIONS: OpenAiFakeOptions = Object.freeze({
  apiKey: "fake-openai-key",
  reply: () => ({ text: "Hello! How can I help you today?" }),
  firstTokenDelayMs: 300,
  tokenIntervalMs: 10,
});

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

/** Splits text into word-ish tokens the way a tokenizer roughly would ("Hello", "!", " How"). */
export function tokenize(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}']+|\s*[^\s\p{L}\p{N}']|\s+$/gu) ?? [];
}

function openAiError(status: number, message: string, type: string, code: string | null): Response {
  return Response.json({ error: { message, type, param: null, code } }, { status });
}

/** The running fake. */
export class OpenAiFake implements AsyncDisposable {
  readonly options: OpenAiFakeOptions;
  readonly requests: ChatRequestBody[] = [];
  readonly #server: ReturnType<typeof Bun.serve>;
  readonly #injected: Array<{ status: number; message: string; type: string; code: string | null } | "stall"> = [];
  readonly #stalled: Array<() => void> = [];

  constructor(overrides: Partial<OpenAiFakeOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_OPENAI_FAKE_OPTIONS, ...overrides });
    this.#server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: (req) => this.#handle(req) });
  }

  /** `http://127.0.0.1:PORT/v1`, the SDK's `baseURL`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.port}/v1`;
  }

  /** The next request fails with this OpenAI error. */
  failNext(status: number, message: string, type: string, code: string | null = null): void {
    this.#injected.push({ status, message, type, code });
  }

  /** The next streaming request sends headers, then nothing until the fake stops. */
  stallNext(): void {
    this.#injected.push("stall");
  }

  async stop(): Promise<void> {
    for (const r of this.#stalled.splice(0)) r();
    await this.#server.stop(true);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    if (req.method !== "POST" || url.pathname !== "/v1/chat/completions") {
      return openAiError(404, `Unknown request URL: ${req.method} ${url.pathname}`, "invalid_request_error", "unknown_url");
    }
    if (req.headers.get("authorization") !== `Bearer ${this.options.apiKey}`) {
      return openAiError(401, "Incorrect API key provided.", "invalid_request_error", "invalid_api_key");
    }
    let body: ChatRequestBody;
    try {
      body = (await req.json()) as ChatRequestBody;
    } catch {
      return openAiError(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
    }
    this.requests.push(body);
    const injected = this.#injected.shift();
    if (injected && injected !== "stall") return openAiError(injected.status, injected.message, injected.type, injected.code);
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return openAiError(400, "'messages' must contain at least one message.", "invalid_request_error", null);
    }
    const reply = this.options.reply(body);
    const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model ?? "gpt-4o-mini";
    const promptTokens = JSON.stringify(body.messages).length >> 2;
    if (!body.stream) return this.#complete(body, reply, { id, created, model, promptTokens });

    const tokens = tokenize(reply.text ?? "");
    const toolCalls = reply.toolCalls ?? [];
    const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
      `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_fake", choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    const { firstTokenDelayMs, tokenIntervalMs } = this.options;
    const stall = injected === "stall" ? () => new Promise<void>((r) => this.#stalled.push(r)) : null;
    const enc = new TextEncoder();
    let cancelled = false;
    const stream = new ReadableStream<Uint8Array>({
      start: async (controller) => {
        const send = (s: string): void => {
          if (!cancelled) controller.enqueue(enc.encode(s));
        };
        if (stall) {
          await stall();
          if (!cancelled) controller.close();
          return;
        }
        await sleep(firstTokenDelayMs);
        send(chunk({ role: "assistant", content: "", refusal: null }, null));
        let completionTokens = 0;
        for (const [i, t] of tokens.entries()) {
          if (i > 0) await sleep(tokenIntervalMs);
          send(chunk({ content: t }, null));
          completionTokens++;
        }
        for (const [index, call] of toolCalls.entries()) {
          const callId = `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;
          send(chunk({ tool_calls: [{ index, id: callId, type: "function", function: { name: call.name, arguments: "" } }] }, null));
          // Arguments arrive in pieces, as OpenAI streams them.
          for (let p = 0; p < call.arguments.length; p += 8) {
            await sleep(tokenIntervalMs);
            send(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(p, p + 8) } }] }, null));
            completionTokens++;
          }
        }
        send(chunk({}, toolCalls.length > 0 ? "tool_calls" : "stop"));
        if (body.stream_options?.include_usage) {
          send(
            `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "fp_fake", choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens } })}\n\n`,
          );
        }
        send("data: [DONE]\n\n");
        if (!cancelled) controller.close();
      },
      cancel: () => {
        cancelled = true;
      },
    });
    return new Response(stream, { headers: { "Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache" } });
  }

  #complete(body: ChatRequestBody, reply: ScriptedReply, meta: { id: string; created: number; model: string; promptTokens: number }): Response {
    const structured = body.response_format?.type === "json_schema";
    const content = structured ? JSON.stringify(reply.json ?? {}) : (reply.text ?? "");
    const completionTokens = content.length >> 2;
    return Response.json({
      id: meta.id,
      object: "chat.completion",
      created: meta.created,
      model: meta.model,
      system_fingerprint: "fp_fake",
      choices: [{ index: 0, message: { role: "assistant", content, refusal: null }, logprobs: null, finish_reason: "stop" }],
      usage: { prompt_tokens: meta.promptTokens, completion_tokens: completionTokens, total_tokens: meta.promptTokens + completionTokens },
    });
  }
}

/** Starts the fake on 127.0.0.1, port 0. */
export function startOpenAiFake(overrides: Partial<OpenAiFakeOptions> = {}): OpenAiFake {
  return new OpenAiFake(overrides);
}
