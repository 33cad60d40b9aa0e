/**
 * Post-call extraction: when a call ends, its `returns` JSON Schema is filled from the transcript
 * by the LLM's structured output, with a short summary, stored as `result`/`summary` with
 * `extraction_status` pending → completed | failed (`extraction_error` says why). A refused,
 * malformed or timed-out extraction is `failed`, never a crash. Either way the call's held
 * `call.completed` webhook is then released (calls without a schema release it at once).
 */
import Ajv2020 from "ajv/dist/2020.js";
import { and, asc, eq, lte } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { calls, callTurns } from "../db/schema/index.ts";
import type { Logger } from "../lib/logger.ts";
import type { LlmMessage, LlmSchema } from "../providers/llm/port.ts";
import type { Tx } from "./billing.ts";
import type { CallRow } from "./call-events.ts";

/** The LLM port's structured-output call (LlmPort.extract). */
export type Extractor = (schema: LlmSchema, messages: readonly LlmMessage[], opts?: { readonly signal?: AbortSignal }) => Promise<unknown>;

export interface ExtractionOptions {
  /** Bound on one extraction, ms. */
  timeoutMs: number;
  /** The sweep leaves a call alone this long after it ended (the live session extracts it), ms. */
  sweepGraceMs: number;
  /** Calls examined per sweep. */
  sweepBatch: number;
}

/** Defaults: 60 s per extraction; the sweep waits 2 min. */
export const DEFAULT_EXTRACTION_OPTIONS: ExtractionOptions = Object.freeze({ timeoutMs: 60_000, sweepGraceMs: 120_000, sweepBatch: 50 });

export interface ExtractionDeps {
  db: Db;
  extract: Extractor;
  /** Releases the call's held end-of-call webhooks (WebhookOutbox.release), in the caller's transaction. */
  release: (tx: Tx, callId: string, nowMs: number) => void;
  /** Calls whose end-of-call webhooks are held (WebhookOutbox.heldCalls). */
  heldCalls?: (tx: Tx) => string[];
  log: Logger;
  now?: () => number;
}

/** What `extractCall` did. `skipped`: no schema (webhooks released) or no such call. */
export interface ExtractionOutcome {
  status: "completed" | "failed" | "skipped";
  error: string | null;
}

export class ExtractionService {
  readonly options: ExtractionOptions;
  private readonly now: () => number;
  private readonly inflight = new Map<string, Promise<ExtractionOutcome>>();

  constructor(
    private readonly deps: ExtractionDeps,
    overrides: Partial<ExtractionOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_EXTRACTION_OPTIONS, ...overrides });
    this.now = deps.now ?? Date.now;
  }

  /** Runs the post-call step of a call once (concurrent calls share one run). Never throws. */
  extractCall(callId: string): Promise<ExtractionOutcome> {
    const running = this.inflight.get(callId);
    if (running) return running;
    const run = this.run(callId)
      .catch((e: unknown) => this.finish(callId, { status: "failed", error: `internal error: ${reason(e)}` }, null))
      .finally(() => this.inflight.delete(callId));
    this.inflight.set(callId, run);
    return run;
  }

  /**
   * The safety net: calls whose webhooks are still held, or whose extraction a dead process left
   * `pending`, are processed once they have been over for `sweepGraceMs`. Returns how many.
   */
  async resume(): Promise<number> {
    const cutoff = this.now() - this.options.sweepGraceMs;
    const { db } = this.deps;
    const held = this.deps.heldCalls?.(db) ?? [];
    const stale = db
      .select({ id: calls.id })
      .from(calls)
      .where(and(eq(calls.extractionStatus, "pending"), lte(calls.updatedAtMs, cutoff)))
      .orderBy(asc(calls.id))
      .limit(this.options.sweepBatch)
      .all()
      .map((r) => r.id);
    let n = 0;
    for (const id of new Set([...held, ...stale])) {
      if (this.inflight.has(id)) continue;
      const call = db.select({ endedAtMs: calls.endedAtMs, updatedAtMs: calls.updatedAtMs }).from(calls).where(eq(calls.id, id)).get();
      if (!call || (call.endedAtMs ?? call.updatedAtMs) > cutoff) continue;
      await this.extractCall(id);
      n++;
    }
    return n;
  }

  private async run(callId: string): Promise<ExtractionOutcome> {
    const { db } = this.deps;
    const call = db.select().from(calls).where(eq(calls.id, callId)).get();
    if (!call) return { status: "skipped", error: "no such call" };
    if (call.extractionStatus === "completed" || call.extractionStatus === "failed") {
      return this.finish(callId, { status: call.extractionStatus, error: call.extractionError }, undefined);
    }
    if (!call.returns) return this.finish(callId, { status: "skipped", error: null }, undefined);
    const nowMs = this.now();
    db.update(calls).set({ extractionStatus: "pending", extractionError: null, updatedAtMs: nowMs }).where(eq(calls.id, callId)).run();
    const messages = transcriptMessages(db, call);
    if (!messages) return this.finish(callId, { status: "failed", error: "the call has no transcript to extract from" }, null);
    let raw: unknown;
    try {
      raw = await this.withTimeout((signal) => this.deps.extract(extractionSchema(call.returns!), messages, { signal }));
    } catch (e) {
      return this.finish(callId, { status: "failed", error: `extraction failed: ${reason(e)}` }, null);
    }
    const checked = checkExtraction(call.returns, raw);
    if ("error" in checked) return this.finish(callId, { status: "failed", error: checked.error }, null);
    return this.finish(callId, { status: "completed", error: null }, checked);
  }

  /**
   * Stores the outcome (`stored` undefined = leave the call's fields as they are) and releases the
   * webhooks, in one transaction.
   */
  private finish(callId: string, outcome: ExtractionOutcome, stored: { result: unknown; summary: string } | null | undefined): ExtractionOutcome {
    const nowMs = this.now();
    this.deps.db.transaction((tx) => {
      if (stored !== undefined && outcome.status !== "skipped") {
        tx.update(calls)
          .set({ extractionStatus: outcome.status, extractionError: outcome.error, result: stored?.result ?? null, summary: stored?.summary ?? null, updatedAtMs: nowMs })
          .where(eq(calls.id, callId))
          .run();
      }
      if (tx.select({ id: calls.id }).from(calls).where(eq(calls.id, callId)).get()) this.deps.release(tx, callId, nowMs);
    });
    if (outcome.status === "failed") this.deps.log.warn({ call_id: callId, error: outcome.error }, "post-call extraction failed");
    return outcome;
  }

  private async withTimeout<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort();
        reject(new Error(`no answer within ${this.options.timeoutMs} ms`));
      }, this.options.timeoutMs);
    });
    try {
      return await Promise.race([fn(controller.signal), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The transcript as the extraction prompt, or null when nothing was said. */
function transcriptMessages(db: Db, call: CallRow): LlmMessage[] | null {
  const turns = db.select().from(callTurns).where(eq(callTurns.callId, call.id)).orderBy(asc(callTurns.seq)).all();
  const lines = turns
    .map((t) => {
      const who = t.role === "user" ? "Caller" : t.role === "agent" ? "Agent" : t.role === "tool" ? "Tool" : "Keypad";
      // For agent turns, what the caller actually heard.
      const text = t.role === "agent" ? (t.heardText ?? t.text) : t.text;
      return text.trim() ? `${who}: ${text.trim()}${t.interrupted ? " [interrupted]" : ""}` : "";
    })
    .filter(Boolean);
  if (lines.length === 0) return null;
  return [
    {
      role: "system",
      content:
        "You analyse a finished phone call between an AI agent and a person. Fill `result` from the transcript " +
        "according to its JSON schema, using null for anything the call did not establish, and write `summary`: " +
        "at most three sentences on what happened.",
    },
    { role: "user", content: `The agent's task:\n${call.instructions}\n\nTranscript:\n${lines.join("\n")}` },
  ];
}

/**
 * The schema sent to the model: `{result: <returns>, summary}` in the form strict structured output
 * needs (every property required, no additional properties); properties the user's schema left
 * optional become nullable, and their nulls are dropped again before validation.
 */
export function extractionSchema(returns: Record<string, unknown>): LlmSchema {
  return {
    name: "call_extraction",
    schema: {
      type: "object",
      properties: { result: strictSchema(returns), summary: { type: "string", description: "at most three sentences" } },
      required: ["result", "summary"],
      additionalProperties: false,
    },
  };
}

function strictSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(strictSchema);
  if (!isObject(s)) return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === "properties" && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([p, ps]) => [p, strictSchema(ps)]));
    else if (k === "enum" || k === "const" || k === "default" || k === "examples") out[k] = v;
    else out[k] = strictSchema(v);
  }
  if (isObject(s.properties)) {
    const props = out.properties as Record<string, unknown>;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    for (const p of Object.keys(props)) if (!required.has(p)) props[p] = { anyOf: [props[p], { type: "null" }] };
    out.required = Object.keys(props);
    out.additionalProperties = false;
  }
  return out;
}

/** Removes the nulls `strictSchema` allowed where the user's schema had an optional property. */
function dropOptionalNulls(value: unknown, schema: unknown): unknown {
  if (!isObject(schema)) return value;
  if (Array.isArray(value)) return value.map((v) => dropOptionalNulls(v, schema.items));
  if (!isObject(value) || !isObject(schema.properties)) return value;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null && !required.has(k) && k in schema.properties) continue;
    out[k] = dropOptionalNulls(v, schema.properties[k]);
  }
  return out;
}

/** Checks the model's answer: `{result, summary}`, with `result` valid against the call's schema. */
export function checkExtraction(returns: Record<string, unknown>, raw: unknown): { result: unknown; summary: string } | { error: string } {
  if (!isObject(raw) || !("result" in raw)) return { error: "malformed extraction: expected an object with result and summary" };
  if (typeof raw.summary !== "string") return { error: "malformed extraction: summary is not a string" };
  const result = dropOptionalNulls(raw.result, returns);
  // A fresh validator per call: Ajv caches compiled schemas by object, and each call's schema is a
  // new object read from the database.
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  let validate;
  try {
    validate = ajv.compile(returns);
  } catch (e) {
    return { error: `the returns schema does not compile: ${reason(e)}` };
  }
  if (!validate(result)) return { error: `malformed extraction: ${ajv.errorsText(validate.errors, { dataVar: "result" })}` };
  return { result, summary: raw.summary.trim() };
}
