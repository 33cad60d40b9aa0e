/**
 * SIGKILL mid-call and restart: the books stay balanced and no call stays in flight, because the
 * restarted gateway reconciles every unfinished call with the carrier.
 */
import { describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { loadConfig } from "../../src/config.ts";
import { buildGateway } from "../../src/gateway.ts";
import { startTwilioRestFake } from "../../src/sim/fakes/twilio-rest.ts";
import { startGatewayProcess } from "../helpers/process.ts";
import { TWILIO_SID, TWILIO_TOKEN } from "../helpers/dispatch.ts";

describe("kill -9 mid-call and restart", () => {
  test("every call ends terminal, every reservation is closed once, the balance equals the ledger", async () => {
    await using fake = startTwilioRestFake({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN });
    const dir = mkdtempSync(join(tmpdir(), "gw-kill-"));
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = String(probe.port);
    await probe.stop(true);
    const env = { DATA_DIR: dir, DATABASE_PATH: join(dir, "gateway.db"), TWILIO_API_BASE_URL: fake.baseUrl, PORT: port, PUBLIC_URL: `http://127.0.0.1:${port}` };
    // provision with the same code the API uses
    const setup = buildGateway(loadConfig({ ...env, LOG_LEVEL: "silent" }));
    const acct = setup.accounts.createAccount("kill");
    const key = setup.accounts.createKey(acct.id).key;
    setup.accounts.addCredits(acct.id, 5_000_000);
    setup.close();

    let gw = await startGatewayProcess(env);
    const api = (path: string, body?: unknown) =>
      fetch(`http://127.0.0.1:${gw.port}${path}`, {
        method: body ? "POST" : "GET",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: body ? JSON.stringify(body) : undefined,
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    const agent = (await api("/v1/agents", { name: "a", type: "outbound", max_duration_seconds: 120 })).body;
    await api("/v1/phone-numbers", { number: "+14155550100", agent_id: agent.id, twilio_account_sid: TWILIO_SID, twilio_auth_token: TWILIO_TOKEN });
    const targets = ["+447386170001", "+447386170002", "+447386170003", "+447386170004"];
    fake.script(targets[1]!, { kind: "answer", durationSeconds: 42 });
    fake.script(targets[2]!, { kind: "busy" });
    const ids: string[] = [];
    for (const to of targets) {
      const res = await api("/v1/calls", { agent_id: agent.id, to });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    // Carrier progress the dead gateway never hears about (callbacks go nowhere):
    const sid = (i: number) => fake.callTo(targets[i]!).sid;
    for (let k = 0; k < 3; k++) await fake.advance(sid(0), { send: false }); // call 0 is live (in-progress)
    await fake.runToEnd(sid(1)); // call 1 answered and completed
    await fake.runToEnd(sid(2)); // call 2 busy
    // call 3 is still queued at the carrier
    gw.proc.kill("SIGKILL");
    await gw.proc.exited;
    await fake.runToEnd(sid(3)); // it completes while we are down

    gw = await startGatewayProcess(env);
    await gw.waitFor((l) => l.includes("reconciled calls left in flight"));
    // The live call was hung up by reconciliation; the carrier now reports its end (signed callback).
    const delivered = await fake.runToEnd(sid(0));
    expect(delivered.map((cb) => [cb.params.CallStatus, cb.responses[0]])).toEqual([["completed", 204]]);
    gw.proc.kill("SIGTERM");
    await gw.proc.exited;

    const db = new Database(env.DATABASE_PATH, { readonly: true });
    const calls = db.query("select id, status, reservation_status as rs, billable_seconds as b, hangup_reason as h from calls order by id").all() as any[];
    expect(calls.map((c) => c.status)).toEqual(["completed", "completed", "busy", "completed"]);
    expect(calls.map((c) => c.rs)).toEqual(["settled", "settled", "released", "settled"]);
    expect(calls[0].h).toBe("failed"); // the live call lost its media session and was hung up
    expect(calls[1].b).toBe(42);
    const balance = (db.query("select balance_milli_cents as b from accounts where id = ?").get(acct.id) as { b: number }).b;
    const sum = (db.query("select sum(amount_milli_cents) as s from ledger_entries where account_id = ?").get(acct.id) as { s: number }).s;
    expect(sum).toBe(balance);
    const closes = db.query("select call_id, count(*) as n from ledger_entries where kind in ('settlement','release') group by call_id").all() as any[];
    expect(closes.map((c) => c.n)).toEqual([1, 1, 1, 1]);
    db.close();
  }, 30_000);
});
