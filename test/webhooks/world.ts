/**
 * A gateway wired to the Twilio REST fake (test/helpers/dispatch.ts) plus a webhook receiver, with
 * deliverers on a virtual clock: tests move time instead of waiting for it.
 */
import { createHmac } from "node:crypto";
import { callTurns } from "../../src/db/schema/index.ts";
import { createLogger } from "../../src/lib/logger.ts";
import { newId } from "../../src/lib/ids.ts";
import { WebhookDeliverer, type DelivererOptions } from "../../src/services/webhooks/deliverer.ts";
import { CALLEE, dispatchWorld, type DispatchWorld } from "../helpers/dispatch.ts";
import { startReceiver, type Receiver } from "./receiver.ts";

export interface WebhookWorld extends DispatchWorld {
  rx: Receiver;
  /** The deliverers' clock (epoch ms); `steps` moves it up to the real time the rows were written. */
  clock: { t: number };
  /** A deliverer on the virtual clock, with no jitter (random = 0.5) and loopback allowed. */
  deliverer(opts?: Partial<DelivererOptions>): WebhookDeliverer;
  /** Dispatches a call through the API; returns its id and carrier sid. */
  dial(body?: Record<string, unknown>, to?: string): Promise<{ id: string; sid: string }>;
  /** Moves the virtual clock up to real time (rows written by the gateway use its real clock). */
  sync(): void;
  /** Runs `n` carrier steps of a call, each delivering its signed status callback. */
  steps(sid: string, n: number): Promise<void>;
  /** The account's call-URL signing secret (rotated into existence through the API). */
  signingSecret(): Promise<string>;
  /** Adds transcript turns to a call (what the live session writes). */
  say(callId: string, turns: [role: "user" | "agent", text: string][]): void;
}

export async function webhookWorld(env: Record<string, string> = {}): Promise<WebhookWorld> {
  const w = await dispatchWorld({ WEBHOOK_ALLOW_PRIVATE: "true", ...env });
  const rx = startReceiver();
  const clock = { t: Date.now() };
  const log = createLogger("silent");
  const made: WebhookDeliverer[] = [];
  let secret: string | null = null;
  return {
    ...w,
    rx,
    clock,
    deliverer(opts = {}) {
      const d = new WebhookDeliverer(
        { db: w.gw.db, secrets: w.gw.secrets, log, now: () => clock.t, random: () => 0.5 },
        { allowPrivate: true, retryDelaysMs: [10, 20], timeoutMs: 2_000, ...opts },
      );
      made.push(d);
      return d;
    },
    async dial(body = {}, to = CALLEE) {
      const res = await w.gw.request("POST", "/v1/calls", { body: { agent_id: w.agentId, to, ...body } });
      if (res.status !== 201) throw new Error(`dial failed: ${JSON.stringify(res.body)}`);
      return { id: res.body.id, sid: res.body.provider_call_sid };
    },
    sync() {
      clock.t = Math.max(clock.t, Date.now());
    },
    async steps(sid, n) {
      for (let i = 0; i < n; i++) await w.step(sid);
      // Rows are written on the gateway's real clock; the virtual one never runs behind it.
      clock.t = Math.max(clock.t, Date.now());
    },
    async signingSecret() {
      secret ??= (await w.gw.request("POST", "/v1/webhook_signing_secret", { body: {} })).body.secret as string;
      return secret;
    },
    say(callId, turns) {
      turns.forEach(([role, text], i) => {
        w.gw.db.insert(callTurns).values({ id: newId("tr"), callId, seq: i, role, text, heardText: role === "agent" ? text : null, createdAtMs: Date.now() }).run();
      });
    },
    async [Symbol.asyncDispose]() {
      for (const d of made) d.stop();
      await rx[Symbol.asyncDispose]();
      await w[Symbol.asyncDispose]();
    },
  };
}

/** An independent Standard Webhooks verifier (node:crypto), for the received requests. */
export function validSignature(secret: string, r: { id: string; timestamp: string; signature: string; body: string }): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = `v1,${createHmac("sha256", key).update(`${r.id}.${r.timestamp}.${r.body}`).digest("base64")}`;
  return r.signature.split(" ").includes(expected);
}
