/**
 * SIGKILL during delivery and restart: a child process delivers the outbox of a file database to a
 * receiver that leaves the first requests hanging; it is killed while they are in flight, then
 * started again. Every event arrives, with the webhook-id and body it was written with, validly
 * signed, and the outbox ends all delivered.
 */
import { describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDb } from "../../src/db/client.ts";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { createSecretBox } from "../../src/lib/secret-box.ts";
import { WebhookEndpointsService } from "../../src/services/webhooks/endpoints.ts";
import { WebhookOutbox } from "../../src/services/webhooks/outbox.ts";
import { startReceiver } from "./receiver.ts";
import { insertAccount, insertCall } from "./rows.ts";
import { validSignature } from "./world.ts";

function startChild(env: Record<string, string>) {
  const proc = Bun.spawn(["bun", "run", join(import.meta.dir, "deliverer-child.ts")], {
    env: { ...process.env, ...env, LOG_LEVEL: "info" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  const lines: string[] = [];
  const waiters: { match: (l: string[]) => boolean; resolve: () => void }[] = [];
  void (async () => {
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += new TextDecoder().decode(chunk);
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        lines.push(buf.slice(0, i));
        buf = buf.slice(i + 1);
        for (const w of waiters.splice(0)) (w.match(lines) ? w.resolve() : waiters.push(w));
      }
    }
  })();
  const until = (match: (l: string[]) => boolean) => (match(lines) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ match, resolve })));
  return { proc, lines, until };
}

describe("kill -9 during webhook delivery and restart", () => {
  test("every event is delivered with its original webhook-id; none is invented", async () => {
    await using rx = startReceiver();
    const dir = mkdtempSync(join(tmpdir(), "gw-webhook-kill-"));
    const key = randomBytes(32).toString("base64");
    const env = { DATA_DIR: dir, DATABASE_PATH: join(dir, "gateway.db"), SECRETS_KEY: key, WEBHOOK_ALLOW_PRIVATE: "true", WEBHOOK_RETRY_SCHEDULE_MS: "5,5,5,5,5" };
    // The parent writes the outbox, as the call lifecycle would.
    const db = openDb({ path: env.DATABASE_PATH });
    const accountId = insertAccount(db);
    const box = createSecretBox(Buffer.from(key, "base64"));
    const { secret } = new WebhookEndpointsService(db, box, Date.now, { allowPrivate: true }).create(accountId, { url: rx.url("/ep"), enabled_events: ["*"] });
    const outbox = new WebhookOutbox();
    for (let i = 0; i < 6; i++) {
      const call = insertCall(db, accountId, { webhookUrl: rx.url(`/call${i}`) });
      db.transaction((tx) => outbox.record(tx, call, "call.initiated", Date.now()));
      db.transaction((tx) => outbox.record(tx, { ...call, status: "ringing" }, "call.ringing", Date.now()));
    }
    const written = db.select().from(webhookEvents).all();
    expect(written).toHaveLength(24);
    // Two calls' own URLs hang: the child is killed with their requests in flight (and the next
    // event of each queued behind it), after everything else was delivered and recorded.
    const hanging = ["/call0", "/call1"];
    for (const path of hanging) rx.script(path, [], { hang: true });

    const first = startChild(env);
    await first.until((l) => l.some((x) => x.includes("deliverer ready")));
    await first.until((l) => l.filter((x) => x.includes('"webhook delivered"')).length >= 20);
    await rx.waitForCount(22);
    first.proc.kill("SIGKILL");
    await first.proc.exited;
    const beforeRestart = rx.received.length;
    const leased = db.$client.query("select count(*) as n from webhook_events where lease_owner is not null").get() as { n: number };
    expect(leased.n).toBe(4); // claims left behind by the dead process

    for (const path of hanging) rx.script(path, [], { status: 200 });
    const delivered = (lines: string[]) => lines.filter((x) => x.includes('"webhook delivered"')).length;
    const second = startChild(env);
    // Each row is recorded delivered once: the two processes' lines add up to the outbox.
    await second.until((l) => delivered(first.lines) + delivered(l) >= 24);
    second.proc.kill("SIGTERM");
    await second.proc.exited;

    const rows = db.select().from(webhookEvents).all();
    expect(rows.map((r) => r.state)).toEqual(rows.map(() => "delivered"));
    const ids = new Set(written.map((r) => r.id));
    const payload = new Map(written.map((r) => [r.id, r.payload]));
    expect(new Set(rx.received.map((r) => r.id))).toEqual(ids);
    for (const r of rx.received) {
      expect(r.body).toBe(payload.get(r.id)!);
      const endpoint = r.path === "/ep";
      if (endpoint) expect(validSignature(secret, r)).toBe(true);
    }
    expect(beforeRestart).toBeGreaterThanOrEqual(22);
    db.$client.close();
  }, 30_000);
});
