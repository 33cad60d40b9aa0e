import { describe, expect, test } from "bun:test";
import { createLogger } from "../../src/lib/logger.ts";
import { ProviderError } from "../../src/providers/errors.ts";
import { checkExtraction, ExtractionService, type Extractor } from "../../src/services/extraction.ts";
import { eq } from "drizzle-orm";
import { openDb, type Db } from "../../src/db/client.ts";
import { calls, callTurns, webhookEvents } from "../../src/db/schema/index.ts";
import { newId } from "../../src/lib/ids.ts";
import { WebhookOutbox } from "../../src/services/webhooks/outbox.ts";
import { insertAccount, insertCall } from "./rows.ts";

/** A bare database with the outbox: calls are written as rows, no carrier or HTTP needed. */
interface Bare {
  db: Db;
  outbox: WebhookOutbox;
  accountId: string;
}
let shared: Bare | null = null;
function bare(): Bare {
  if (!shared) {
    const db = openDb({ path: ":memory:" });
    shared = { db, outbox: new WebhookOutbox(), accountId: insertAccount(db) };
  }
  return shared;
}

const service = (b: Bare, extract: Extractor, opts: { timeoutMs?: number; sweepGraceMs?: number; now?: () => number } = {}) =>
  new ExtractionService(
    { db: b.db, extract, release: (tx, id, t) => b.outbox.release(tx, id, t), heldCalls: (tx) => b.outbox.heldCalls(tx), log: createLogger("silent"), now: opts.now },
    { timeoutMs: opts.timeoutMs ?? 1_000, sweepGraceMs: opts.sweepGraceMs ?? 0 },
  );

const RETURNS = { type: "object", properties: { confirmed: { type: "boolean" } } };

/** A call that was answered and completed, whose call.completed webhook is held. */
function endedCall(b: Bare, opts: { say?: boolean; returns?: Record<string, unknown> | null; end?: boolean } = {}): string {
  const nowMs = Date.now();
  const call = insertCall(b.db, b.accountId, { webhookUrl: "https://hooks.example/x", returns: opts.returns === undefined ? RETURNS : opts.returns, status: "in_progress", answeredAtMs: nowMs });
  if (opts.say ?? true) {
    [["agent", "Shall I book Tuesday?"], ["user", "Please do."]].forEach(([role, text], seq) =>
      b.db.insert(callTurns).values({ id: newId("tr"), callId: call.id, seq, role: role as "agent" | "user", text: text!, createdAtMs: nowMs }).run(),
    );
  }
  if (opts.end ?? true) complete(b, call.id);
  return call.id;
}

function complete(b: Bare, id: string): void {
  b.db.transaction((tx) => {
    tx.update(calls).set({ status: "completed", endedAtMs: Date.now() }).where(eq(calls.id, id)).run();
    b.outbox.record(tx, tx.select().from(calls).where(eq(calls.id, id)).get()!, "call.completed", Date.now());
  });
}

function view(b: Bare, id: string) {
  const c = b.db.select().from(calls).where(eq(calls.id, id)).get()!;
  const rows = b.db.select().from(webhookEvents).where(eq(webhookEvents.callId, id)).all();
  return { status: c.extractionStatus, error: c.extractionError, result: c.result ?? null, summary: c.summary, held: rows.filter((r) => !r.ready).length };
}

const completedPayload = (b: Bare, id: string) => JSON.parse(b.db.select().from(webhookEvents).where(eq(webhookEvents.callId, id)).get()!.payload!);

describe("post-call extraction", () => {
  test("completed: result and summary stored, call.completed released", async () => {
    const b = bare();
    const id = endedCall(b);
    expect(view(b, id).held).toBe(1);
    const out = await service(b, async () => ({ result: { confirmed: null }, summary: " Booked. " })).extractCall(id);
    expect(out).toEqual({ status: "completed", error: null });
    // the optional property's null is dropped again
    expect(view(b, id)).toEqual({ status: "completed", error: null, result: {}, summary: "Booked.", held: 0 });
    expect(completedPayload(b, id).data).toMatchObject({ extraction_status: "completed", result: {}, summary: "Booked." });
  });

  test("a refusal, a malformed answer, a timeout or an empty transcript is `failed` with the reason, and the webhook still goes out", async () => {
    const rows: [string, Extractor, string, boolean?][] = [
      ["refusal", () => Promise.reject(new ProviderError({ provider: "openai", code: "refusal", message: "I can't help with that", retryable: false })), "extraction failed: I can't help with that"],
      ["not an object", async () => "yes", "malformed extraction: expected an object with result and summary"],
      ["no summary", async () => ({ result: { confirmed: true } }), "malformed extraction: summary is not a string"],
      ["wrong type", async () => ({ result: { confirmed: "yes" }, summary: "s" }), "malformed extraction: result/confirmed must be boolean"],
      ["timeout", () => new Promise(() => {}), "extraction failed: no answer within 20 ms"],
      ["no transcript", async () => ({ result: {}, summary: "" }), "the call has no transcript to extract from", false],
    ];
    const b = bare();
    for (const [name, extract, error, say] of rows) {
      const id = endedCall(b, { say: say ?? true });
      const out = await service(b, extract, { timeoutMs: 20 }).extractCall(id);
      expect({ name, out, view: view(b, id) }).toEqual({ name, out: { status: "failed", error }, view: { status: "failed", error, result: null, summary: null, held: 0 } });
      // the released call.completed says why
      expect([completedPayload(b, id).data.extraction_status, completedPayload(b, id).data.extraction_error]).toEqual(["failed", error]);
    }
  });

  test("a call without a returns schema is released at once, with no extraction", async () => {
    const b = bare();
    const id = endedCall(b, { returns: null });
    let asked = 0;
    const out = await service(b, async () => (asked++, {})).extractCall(id);
    expect([out, asked, view(b, id)]).toEqual([{ status: "skipped", error: null }, 0, { status: null, error: null, result: null, summary: null, held: 0 }]);
    // released before the end was reported: the end goes out unheld
    const early = endedCall(b, { returns: null, end: false });
    await service(b, async () => ({})).extractCall(early);
    complete(b, early);
    expect(view(b, early).held).toBe(0);
  });

  test("concurrent requests share one extraction; a second request after it finished changes nothing", async () => {
    const b = bare();
    const id = endedCall(b);
    let asked = 0;
    const s = service(b, async () => (asked++, { result: { confirmed: true }, summary: "ok" }));
    const [first, second] = await Promise.all([s.extractCall(id), s.extractCall(id)]);
    const third = await s.extractCall(id);
    expect([first, second, third, asked]).toEqual([{ status: "completed", error: null }, { status: "completed", error: null }, { status: "completed", error: null }, 1]);
  });

  test("the sweep extracts calls whose webhooks are held once the grace period has passed", async () => {
    const b = bare();
    for (const other of b.outbox.heldCalls(b.db)) await service(b, async () => ({ result: {}, summary: "" })).extractCall(other);
    const id = endedCall(b);
    const clock = { t: Date.now() };
    const s = service(b, async () => ({ result: { confirmed: true }, summary: "ok" }), { sweepGraceMs: 60_000, now: () => clock.t });
    expect(await s.resume()).toBe(0);
    clock.t += 60_000;
    expect(await s.resume()).toBe(1);
    expect(view(b, id)).toEqual({ status: "completed", error: null, result: { confirmed: true }, summary: "ok", held: 0 });
    expect(await s.resume()).toBe(0);
  });

  test("checkExtraction validates against the caller's schema", () => {
    const schema = { type: "object", properties: { n: { type: "integer" }, tags: { type: "array", items: { type: "string" } } }, required: ["n"] };
    expect(checkExtraction(schema, { result: { n: 3, tags: null }, summary: "s" })).toEqual({ result: { n: 3 }, summary: "s" });
    expect(checkExtraction(schema, { result: { n: null }, summary: "s" })).toEqual({ error: "malformed extraction: result/n must be integer" });
  });
});
