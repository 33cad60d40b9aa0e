/**
 * LLM port: streaming chat with tools for the conversation, and a one-shot structured
 * extraction for post-call results. Shapes follow Chat Completions, which any
 * OpenAI-compatible server speaks.
 */

/** A conversation message. */
export type LlmMessage =
  | { readonly role: "system" | "user"; readonly content: string }
  | {
      readonly role: "assistant";
      readonly content: string | null;
      readonly toolCalls?: ReadonlyArray<{ readonly id: string; readonly name: string; readonly arguments: string }>;
    }
  | { readonly role: "tool"; readonly toolCallId: string; readonly content: string };

/** A function the model may call. `parameters` is a JSON schema object. */
export interface LlmTool {
  readonly name: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** Token counts of one completion. */
export interface LlmUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** Streamed output. Tool calls are emitted whole, once their arguments are complete. */
export type LlmEvent =
  | { readonly type: "text"; readonly delta: string }
  | { readonly type: "tool_call"; readonly id: string; readonly name: string; readonly arguments: string }
  | { readonly type: "done"; readonly finishReason: string; readonly usage: LlmUsage | null };

/** One streaming request. */
export interface LlmStreamRequest {
  readonly messages: readonly LlmMessage[];
  readonly tools?: readonly LlmTool[];
  readonly model?: string;
  readonly temperature?: number;
  readonly signal?: AbortSignal;
}

/** JSON schema for extraction (strict: every property required, no additional properties). */
export interface LlmSchema {
  readonly name: string;
  readonly schema: Readonly<Record<string, unknown>>;
}

export interface LlmPort {
  stream(req: LlmStreamRequest): AsyncIterable<LlmEvent>;
  /** Parsed JSON object conforming to `schema` (validated by the server's strict mode). */
  extract(schema: LlmSchema, messages: readonly LlmMessage[], opts?: { readonly model?: string; readonly signal?: AbortSignal }): Promise<unknown>;
}
