/**
 * Produces one reply's audio: streams the LLM, cuts its text into phrases as they complete, asks
 * TTS for each phrase at once (in parallel with the LLM) and hands the audio over in order, chunk
 * by chunk, as it arrives. Runs the agent's tools and notices `[END_CALL]` / `end_call`.
 * Bounded everywhere: a provider that fails or stalls ends the reply with an apology, never silence.
 */
import type { AgentTool } from "../db/schema/agents.ts";
import { ProviderError } from "../providers/errors.ts";
import type { LlmMessage, LlmPort, LlmTool } from "../providers/llm/port.ts";
import type { TtsPort, TtsVoice } from "../providers/tts/port.ts";
import { ClauseSplitter } from "./clauses.ts";

export const END_CALL_TOKEN = "[END_CALL]";

/** Retries of a phrase whose speech synthesis failed before any audio (retryable errors only). */
const TTS_RETRIES = 1;

export const END_CALL_TOOL: LlmTool = Object.freeze({
  name: "end_call",
  description: "End the phone call after your last sentence has been spoken.",
  parameters: { type: "object", properties: { reason: { type: "string" } }, additionalProperties: false },
});

export interface ReplyOptions {
  /** Longest wait for a tool's HTTP answer. */
  toolTimeoutMs: number;
  /** Most tool rounds in one reply. */
  maxToolRounds: number;
  /** Said when the LLM fails or stalls. */
  apologyText: string;
}

export const DEFAULT_REPLY_OPTIONS: Readonly<ReplyOptions> = Object.freeze({
  toolTimeoutMs: 5_000,
  maxToolRounds: 3,
  apologyText: "Sorry, I'm having trouble hearing you right now. Could you say that again?",
});

/** Where a reply's output goes. */
export interface ReplySink {
  audio(chunk: Uint8Array, phraseText: string, phraseDone: boolean): void;
  firstToken?(): void;
  /** The first phrase is complete and goes to speech synthesis. */
  firstPhrase?(): void;
  firstTtsByte?(): void;
  /** A tool call and its result (for the transcript). */
  tool?(name: string, args: string, result: string): void;
}

export interface ReplyResult {
  /** Everything the agent meant to say (the heard part is decided by playout). */
  text: string;
  endCall: boolean;
  /** Messages the reply added before its final text (tool calls and results). */
  toolMessages: LlmMessage[];
  error: ProviderError | null;
}

export interface ReplyDeps {
  llm: LlmPort | null;
  tts: TtsPort;
  voice: TtsVoice;
  model: string;
  temperature: number;
  tools: readonly AgentTool[];
  /** POSTs a tool's arguments to its URL; resolves with the response text. */
  callTool: (tool: AgentTool, args: string, signal: AbortSignal) => Promise<string>;
  options?: Partial<ReplyOptions>;
}

/** Speaks a fixed text (greeting, voicemail message, apology). */
export async function speakText(deps: Pick<ReplyDeps, "tts" | "voice">, text: string, sink: ReplySink, signal: AbortSignal): Promise<void> {
  const splitter = new ClauseSplitter();
  const phrases = [...splitter.push(`${text} `), ...splitter.flush()];
  await speakPhrases(deps, phrases.map((p) => Promise.resolve(p)), sink, signal);
}

/** Synthesises phrases in order, each request started as soon as its text is known. */
async function speakPhrases(deps: Pick<ReplyDeps, "tts" | "voice">, phrases: Promise<string | null>[], sink: ReplySink, signal: AbortSignal, state = { firstByte: false }): Promise<void> {
  for (const next of phrases) {
    const text = await next;
    if (text === null || signal.aborted) return;
    let pending: Uint8Array | null = null;
    let emitted = false;
    for (let attempt = 0; ; attempt++) {
      try {
        for await (const chunk of deps.tts.synthesize(text, { voice: deps.voice, signal })) {
          if (signal.aborted) return;
          if (!state.firstByte) {
            state.firstByte = true;
            sink.firstTtsByte?.();
          }
          // Hold one chunk back so the last one can carry phraseDone.
          if (pending) {
            sink.audio(pending, text, false);
            emitted = true;
          }
          pending = chunk;
        }
        break;
      } catch (e) {
        // One retry of a phrase that failed before any of it was heard, when the vendor says a
        // retry may help (a 5xx, a 429, a dropped or stalled connection).
        if (signal.aborted || emitted || attempt >= TTS_RETRIES || !(e instanceof ProviderError) || !e.retryable) throw e;
        pending = null;
      }
    }
    if (pending && !signal.aborted) sink.audio(pending, text, true);
  }
}

/**
 * Streams a reply to `messages`. Phrases are synthesised while the LLM still writes; their TTS
 * requests start as each phrase completes and their audio is forwarded strictly in order.
 */
export async function produceReply(deps: ReplyDeps, messages: readonly LlmMessage[], sink: ReplySink, signal: AbortSignal): Promise<ReplyResult> {
  const o = { ...DEFAULT_REPLY_OPTIONS, ...deps.options };
  const tools: LlmTool[] = [END_CALL_TOOL, ...deps.tools.map((t) => ({ name: t.name, description: t.description, parameters: t.parameters }))];
  const convo: LlmMessage[] = [...messages];
  const toolMessages: LlmMessage[] = [];
  let text = "";
  let endCall = false;
  let error: ProviderError | null = null;
  let firstToken = false;

  // The speaker consumes phrases in order while the LLM loop produces them.
  const queue = new PhraseQueue();
  let phrases = 0;
  const ttsState = { firstByte: false };
  // A synthesis failure is kept and rethrown once the LLM loop is over (never an unhandled rejection).
  let speakError: unknown = null;
  const speaker = (async () => {
    for await (const phrase of queue) {
      if (signal.aborted || speakError) return;
      await speakPhrases(deps, [Promise.resolve(phrase)], sink, signal, ttsState);
    }
  })().catch((e: unknown) => {
    speakError = e;
  });
  const emitPhrase = (phrase: string) => {
    const clean = phrase.replaceAll(END_CALL_TOKEN, "").trim();
    if (!clean) return;
    if (phrases++ === 0) sink.firstPhrase?.();
    queue.push(clean);
  };

  const splitter = new ClauseSplitter();
  try {
    if (!deps.llm) throw new ProviderError({ provider: "openai", code: "not_configured", message: "no LLM is configured", retryable: false });
    for (let round = 0; round <= o.maxToolRounds; round++) {
      const calls: { id: string; name: string; arguments: string }[] = [];
      let roundText = "";
      for await (const ev of deps.llm.stream({ messages: convo, tools, model: deps.model, temperature: deps.temperature, signal })) {
        if (ev.type === "text") {
          if (!firstToken) {
            firstToken = true;
            sink.firstToken?.();
          }
          roundText += ev.delta;
          text += ev.delta;
          if (text.includes(END_CALL_TOKEN)) endCall = true;
          for (const p of splitter.push(ev.delta)) emitPhrase(p);
        } else if (ev.type === "tool_call") {
          if (!firstToken) {
            firstToken = true;
            sink.firstToken?.();
          }
          calls.push({ id: ev.id, name: ev.name, arguments: ev.arguments });
        }
      }
      if (calls.length === 0) break;
      const assistant: LlmMessage = { role: "assistant", content: roundText || null, toolCalls: calls };
      convo.push(assistant);
      toolMessages.push(assistant);
      for (const call of calls) {
        let result: string;
        if (call.name === END_CALL_TOOL.name) {
          endCall = true;
          result = "The call will end after your last sentence.";
        } else {
          const tool = deps.tools.find((t) => t.name === call.name);
          result = tool ? await runTool(deps, o, tool, call.arguments, signal) : JSON.stringify({ error: `unknown tool ${call.name}` });
        }
        sink.tool?.(call.name, call.arguments, result);
        const msg: LlmMessage = { role: "tool", toolCallId: call.id, content: result };
        convo.push(msg);
        toolMessages.push(msg);
      }
      if (endCall && calls.every((c) => c.name === END_CALL_TOOL.name)) break;
    }
    for (const p of splitter.flush()) emitPhrase(p);
  } catch (e) {
    if (!signal.aborted) {
      error = e instanceof ProviderError ? e : new ProviderError({ provider: "openai", code: "protocol", message: String(e), retryable: false });
      // Whatever was said stays; if nothing was, apologise so the caller is never left in silence.
      for (const p of splitter.flush()) emitPhrase(p);
      if (!text.trim()) {
        text = o.apologyText;
        emitPhrase(o.apologyText);
      }
    }
  } finally {
    queue.end();
  }
  await speaker;
  if (speakError) throw speakError;
  return { text: text.replaceAll(END_CALL_TOKEN, "").trim(), endCall, toolMessages, error };
}

/** Phrases handed from the LLM loop to the speaker, in order. */
class PhraseQueue implements AsyncIterable<string> {
  private readonly items: string[] = [];
  private done = false;
  private wake: (() => void) | null = null;

  push(phrase: string): void {
    this.items.push(phrase);
    this.wake?.();
  }

  end(): void {
    this.done = true;
    this.wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string> {
    for (;;) {
      const next = this.items.shift();
      if (next !== undefined) yield next;
      else if (this.done) return;
      else {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
      }
    }
  }
}

async function runTool(deps: ReplyDeps, o: ReplyOptions, tool: AgentTool, args: string, signal: AbortSignal): Promise<string> {
  const ctl = new AbortController();
  const onAbort = () => ctl.abort();
  signal.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => ctl.abort(), o.toolTimeoutMs);
  try {
    return await deps.callTool(tool, args, ctl.signal);
  } catch (e) {
    return JSON.stringify({ error: ctl.signal.aborted && !signal.aborted ? `the tool did not answer within ${o.toolTimeoutMs} ms` : String(e) });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
  }
}

/** The default tool runner: POST the JSON arguments to the tool's URL. */
export async function postTool(tool: AgentTool, args: string, signal: AbortSignal): Promise<string> {
  const res = await fetch(tool.url, { method: "POST", headers: { "content-type": "application/json" }, body: args || "{}", signal, redirect: "manual" });
  const body = (await res.text()).slice(0, 8_000);
  if (!res.ok) return JSON.stringify({ error: `HTTP ${res.status}`, body });
  return body;
}
