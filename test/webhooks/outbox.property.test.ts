/**
 * Property: across random crash points (a deliverer dying after claiming, or after the receiver got
 * the request but before the outcome was recorded, taking every attempt in flight with it),
 * random receiver failures and random batch sizes, every event is delivered with its own
 * webhook-id and body, no id is invented, and the only duplicates are sends made by a process
 * that then died before recording them (at least once, no more).
 */
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { openDb, type Db } from "../../src/db/client.ts";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { createSecretBox } from "../../src/lib/secret-box.ts";
import { WebhookDeliverer } from "../../src/services/webhooks/deliverer.ts";
import { WebhookOutbox } from "../../src/services/webhooks/outbox.ts";
import { insertAccount, insertCall } from "./rows.ts";

type Fate = "ok" | "fail" | "crash-before-send" | "crash-after-send";
const box = createSecretBox(randomBytes(32));
const log = createLogger("silent");
/** One database for every run (migrating a fresh one per run would dominate the time). */
let shared: Db | null = null;
function freshDb(): Db {
  shared ??= openDb({ path: ":memory:" });
  for (const t of ["webhook_attempts", "webhook_events", "webhook_signing_secrets", "calls", "accounts"]) shared.$client.exec(`delete from ${t}`);
  return shared;
}

async function scenario(events: number, writeLaterFrom: number, fates: Fate[], batchSize: number) {
  const db = freshDb();
  const clock = { t: 1_000_000 };
  const outbox = new WebhookOutbox();
  const accountId = insertAccount(db, clock.t);
  const callsMade = [insertCall(db, accountId, { webhookUrl: "https://a.example/hook" }), insertCall(db, accountId, { webhookUrl: "https://b.example/hook" })];
  const types = ["call.initiated", "call.ringing", "call.answered"] as const;
  let written = 0;
  const write = (upTo: number) => {
    for (; written < upTo; written++) {
      const call = callsMade[written % 2]!;
      db.transaction((tx) => outbox.record(tx, call, types[Math.floor(written / 2) % 3]!, clock.t));
    }
  };
  write(writeLaterFrom);
  const received: { id: string; body: string; answered: boolean; gen: number }[] = [];
  /** Deliverer generations that died: their answered sends may never have been recorded. */
  const died = new Set<number>();
  let gen = 0;
  let current: WebhookDeliverer;
  let crashed = false;
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    const id = (init.headers as Record<string, string>)["webhook-id"]!;
    const fate = fates.shift() ?? "ok";
    if (fate === "crash-before-send") {
      crashed = true;
      died.add(gen);
      current.stop();
      throw new Error("process died");
    }
    received.push({ id, body: String(init.body), answered: fate !== "fail", gen });
    if (fate === "crash-after-send") {
      crashed = true;
      died.add(gen);
      current.stop();
    }
    return new Response("", { status: fate === "fail" ? 500 : 200 });
  }) as unknown as typeof fetch;
  const start = () => {
    gen++;
    current = new WebhookDeliverer(
      { db, secrets: box, log, now: () => clock.t, random: () => 0.5, fetch: fakeFetch, lookup: async () => [{ address: "93.184.216.34" }] },
      { retryDelaysMs: Array.from({ length: 40 }, () => 1), batchSize },
    );
    current.recover();
  };
  start();
  for (let round = 0; round < 200; round++) {
    if (round === 2) write(events);
    await current!.runDue();
    if (crashed) {
      crashed = false;
      start();
    }
    clock.t += 1;
    const open = db.select({ id: webhookEvents.id }).from(webhookEvents).all().length;
    const done = db.$client.query("select count(*) as n from webhook_events where state = 'delivered'").get() as { n: number };
    if (written === events && done.n === open) break;
  }
  const rows = db.select().from(webhookEvents).all();
  return { rows, received, died };
}

describe("outbox delivery under crashes", () => {
  test("no event is lost, none gets a new webhook-id, duplicates only where a crash followed the send", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        fc.array(fc.constantFrom<Fate>("ok", "fail", "crash-before-send", "crash-after-send"), { maxLength: 20 }),
        fc.integer({ min: 1, max: 4 }),
        async (events, early, fates, batchSize) => {
          const { rows, received, died } = await scenario(events, Math.min(early, events), [...fates], batchSize);
          expect(rows.length).toBe(events);
          expect(rows.every((r) => r.state === "delivered")).toBe(true);
          const payloadOf = new Map(rows.map((r) => [r.id, r.payload]));
          for (const r of received) expect(r.body).toBe(payloadOf.get(r.id)!); // same id, same bytes; no invented id
          for (const row of rows) {
            const ok = received.filter((r) => r.id === row.id && r.answered).length;
            expect(ok).toBeGreaterThanOrEqual(1);
            const unrecorded = received.filter((r) => r.id === row.id && r.answered && died.has(r.gen)).length;
            expect(ok).toBeLessThanOrEqual(1 + unrecorded);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
