/**
 * OpenAI (or any OpenAI-compatible server) through the official SDK (openai 7.x):
 * Chat Completions streaming with tools, and json_schema strict structured output.
 * Tool calls arrive as deltas keyed by `index` (first has id + name, later ones append
 * arguments); they are assembled here and emitted whole when the choice finishes.
 */
import OpenAI from "openai";
import type { ChatCompletionMessageParam, ChatCompletionTool } from "openai/resources/chat/completions";
import { ProviderError, ProviderErrorCode, isAbortError, isRetryableStatus } from "../errors.ts";
import { type GuardStop, guardStream } from "../stream-guard.ts";
import type { LlmEvent, LlmMessage, LlmPort, LlmSchema, LlmStreamRequest, LlmTool } from "./port.ts";

/** Options of the OpenAI adapter. */
export interface OpenAiAdapterOptions {
  readonly apiKey: string;
  /** API root including `/v1` (OPENAI_BASE_URL); "" = the real OpenAI. */
  readonly baseUrl: string;
  readonly model: string;
  /** Bound on the response headers, ms. */
  readonly connectTimeoutMs: number;
  /** Bound from the request to the first streamed event, ms. */
  readonly firstTokenTimeoutMs: number;
  /** Bound between streamed events, ms. */
  readonly idleTimeoutMs: number;
  /** Bound on a whole extraction request, ms. */
  readonly extractTimeoutMs: number;
}

/** Defaults: the real vendor, gpt-4o-mini, 5 s / 5 s / 5 s / 30 s. */
export const DEFAULT_OPENAI_OPTIONS: OpenAiAdapterOptions = Object.freeze({
  apiKey: "",
  baseUrl: "",
  model: "gpt-4o-mini",
  connectTimeoutMs: 5000,
  firstTokenTimeoutMs: 5000,
  idleTimeoutMs: 5000,
  extractTimeoutMs: 30_000,
});

/** Maps anything the SDK throws to a ProviderError. */
export function toOpenAiError(err: unknown): ProviderError {
  if (err instanceof ProviderError) return err;
  if (err instanceof OpenAI.APIUserAbortError || isAbortError(err)) {
    return new ProviderError({ provider: "openai", code: ProviderErrorCode.aborted, message: "openai request aborted", retryable: false, cause: err });
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new ProviderError({ provider: "openai", code: ProviderErrorCode.timeout, message: err.message, retryable: true, cause: err });
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new ProviderError({ provider: "openai", code: ProviderErrorCode.network, message: err.message, retryable: true, cause: err });
  }
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    const inner = err.error as { message?: unknown } | undefined;
    return new ProviderError({
      provider: "openai",
      code: typeof err.code === "string" ? err.code : (err.type ?? `http_${err.status}`),
      status: err.status,
      message: typeof inner?.message === "string" ? inner.message : err.message,
      retryable: isRetryableStatus(err.status),
      cause: err,
    });
  }
  return new ProviderError({
    provider: "openai",
    code: ProviderErrorCode.protocol,
    message: err instanceof Error ? err.message : String(err),
    retryable: false,
    cause: err,
  });
}

function toWire(m: LlmMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case "system":
    case "user":
      return { role: m.role, content: m.content };
    case "assistant":
      return {
        role: "assistant",
        content: m.content,
        ...(m.toolCalls && m.toolCalls.length > 0
          ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: "function" as const, function: { name: c.name, arguments: c.arguments } })) }
          : {}),
      };
    case "tool":
      return { role: "tool", tool_call_id: m.toolCallId, content: m.content };
  }
}

function toolWire(t: LlmTool): ChatCompletionTool {
  return { type: "function", function: { name: t.name, description: t.description, parameters: { ...t.parameters } } };
}

/** OpenAI implementation of the LLM port. */
export class OpenAiLlm implements LlmPort {
  readonly options: OpenAiAdapterOptions;
  readonly #client: OpenAI;

  constructor(overrides: Partial<OpenAiAdapterOptions> & { readonly apiKey: string }) {
    this.options = Object.freeze({ ...DEFAULT_OPENAI_OPTIONS, ...overrides });
    this.#client = new OpenAI({
      apiKey: this.options.apiKey,
      maxRetries: 0,
      timeout: this.options.connectTimeoutMs,
      ...(this.options.baseUrl !== "" ? { baseURL: this.options.baseUrl } : {}),
    });
  }

  stream(req: LlmStreamRequest): AsyncIterable<LlmEvent> {
    const controller = new AbortController();
    const client = this.#client;
    const model = req.model ?? this.options.model;
    const outer = req.signal;
    const body = async function* (): AsyncGenerator<LlmEvent> {
      const onAbort = (): void => controller.abort();
      outer?.addEventListener("abort", onAbort, { once: true });
      try {
        const stream = await client.chat.completions.create(
          {
            model,
            messages: req.messages.map(toWire),
            stream: true,
            stream_options: { include_usage: true },
            ...(req.tools && req.tools.length > 0 ? { tools: req.tools.map(toolWire) } : {}),
            ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
          },
          { signal: controller.signal },
        );
        const calls = new Map<number, { id: string; name: string; arguments: string }>();
        let finishReason: string | null = null;
        let usage: { promptTokens: number; completionTokens: number } | null = null;
        for await (const chunk of stream) {
          if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
          const choice = chunk.choices[0];
          if (!choice) continue;
          const delta = choice.delta;
          if (delta?.content) yield { type: "text", delta: delta.content };
          for (const tc of delta?.tool_calls ?? []) {
            const entry = calls.get(tc.index) ?? { id: "", name: "", arguments: "" };
            if (tc.id) entry.id = tc.id;
            if (tc.function?.name) entry.name += tc.function.name;
            if (tc.function?.arguments) entry.arguments += tc.function.arguments;
            calls.set(tc.index, entry);
          }
          if (choice.finish_reason) {
            finishReason = choice.finish_reason;
            for (const [, c] of [...calls].sort((a, b) => a[0] - b[0])) yield { type: "tool_call", ...c };
            calls.clear();
          }
        }
        yield { type: "done", finishReason: finishReason ?? "unknown", usage };
      } catch (err) {
        throw toOpenAiError(err);
      } finally {
        outer?.removeEventListener("abort", onAbort);
        controller.abort();
      }
    };
    return guardStream(body(), {
      firstItemTimeoutMs: this.options.firstTokenTimeoutMs,
      idleTimeoutMs: this.options.idleTimeoutMs,
      signal: outer,
      onStop: () => controller.abort(),
      error: (stop: GuardStop) =>
        new ProviderError({
          provider: "openai",
          code: stop === "aborted" ? ProviderErrorCode.aborted : ProviderErrorCode.timeout,
          message:
            stop === "aborted"
              ? "openai stream aborted"
              : stop === "first_item_timeout"
                ? `openai: no token within ${this.options.firstTokenTimeoutMs} ms`
                : `openai: stream stalled for ${this.options.idleTimeoutMs} ms`,
          retryable: stop !== "aborted",
        }),
    });
  }

  async extract(schema: LlmSchema, messages: readonly LlmMessage[], opts: { readonly model?: string; readonly signal?: AbortSignal } = {}): Promise<unknown> {
    try {
      const res = await this.#client.chat.completions.create(
        {
          model: opts.model ?? this.options.model,
          messages: messages.map(toWire),
          response_format: { type: "json_schema", json_schema: { name: schema.name, schema: { ...schema.schema }, strict: true } },
        },
        { timeout: this.options.extractTimeoutMs, ...(opts.signal ? { signal: opts.signal } : {}) },
      );
      const choice = res.choices[0];
      const refusal = choice?.message.refusal;
      if (refusal) throw new ProviderError({ provider: "openai", code: "refusal", message: refusal, retryable: false });
      const content = choice?.message.content;
      if (!content) throw new ProviderError({ provider: "openai", code: ProviderErrorCode.protocol, message: "openai: empty extraction", retryable: true });
      try {
        return JSON.parse(content) as unknown;
      } catch {
        throw new ProviderError({ provider: "openai", code: ProviderErrorCode.protocol, message: "openai: extraction is not JSON", retryable: true });
      }
    } catch (err) {
      throw toOpenAiError(err);
    }
  }
}
