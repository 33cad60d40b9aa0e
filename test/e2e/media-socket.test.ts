/**
 * The media websocket's gatekeeping and resilience, over real sockets: signed upgrades only, the
 * per-call token once, malformed frames counted without ending the call, and inbound calls
 * answered through Twilio's voice webhook.
 */
import { describe, expect, test } from "bun:test";
import { until } from "../helpers/wait.ts";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { computeTwilioSignature } from "../../src/providers/telephony/signature.ts";
import { loadFixture } from "../../src/replay/load.ts";
import { replayFixture } from "../../src/replay/runner.ts";
import { connectTwilioMediaClient } from "../../src/sim/fakes/twilio-media-client.ts";
import { CORPUS_DIR, readFixture, SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, startSimWorld, type SimWorld } from "../../src/sim/world.ts";


const FAST = { sttResultMs: 5, llmFirstTokenMs: 10, llmTokenIntervalMs: 1, ttsFirstByteMs: 10 };

async function inboundSetup(world: SimWorld) {
  const gw = world.gateway;
  const acct = gw.accounts.createAccount("in");
  gw.accounts.addCredits(acct.id, 1_000_000);
  const key = gw.accounts.createKey(acct.id).key;
  const post = async (path: string, body: unknown) =>
    (await (await fetch(`${world.baseUrl}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) })).json()) as any;
  const agent = await post("/v1/agents", { name: "Reception", type: "inbound", initial_greeting: "Acme, how can I help?", record_calls: true });
  const number = await post("/v1/phone-numbers", { number: "+15550003000", agent_id: agent.id, twilio_account_sid: SIM_ACCOUNT_SID, twilio_auth_token: SIM_AUTH_TOKEN });
  return { acct, agent, number };
}

/** Posts Twilio's voice webhook for an inbound call, signed (or not). */
async function ring(world: SimWorld, form: Record<string, string>, token = SIM_AUTH_TOKEN) {
  const url = `${world.baseUrl}/twilio/voice`;
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-twilio-signature": computeTwilioSignature(token, url, form) },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, text: await res.text() };
}

function streamOf(twiml: string) {
  return {
    url: /<Stream url="([^"]+)"/.exec(twiml)?.[1] ?? "",
    callId: /name="callId" value="([^"]+)"/.exec(twiml)?.[1] ?? "",
    token: /name="token" value="([^"]+)"/.exec(twiml)?.[1] ?? "",
  };
}

describe("media websocket", () => {
  test("inbound: the voice webhook answers with a stream; the agent greets at once; malformed frames do not end the call", async () => {
    await using world = await startSimWorld({ latencies: FAST, env: { DATA_DIR: mkdtempSync(join(tmpdir(), "gw-rec-")) } });
    await inboundSetup(world);
    const answer = await ring(world, { To: "+15550003000", From: "+447386172392", CallSid: "CA00000000000000000000000000000001", AccountSid: SIM_ACCOUNT_SID });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain("<Connect><Stream");
    const s = streamOf(answer.text);
    const fixture = readFixture(join(CORPUS_DIR, "human-multiword-01.ndjson"));
    await using client = connectTwilioMediaClient({ url: s.url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: s.token }, speed: 4 });
    await client.opened;
    client.send({ event: "media", media: { payload: "@@not base64@@" } });
    client.send({ event: "bogus" });
    const media = await until("greeting audio", () => client.received.find((m) => m.msg.event === "media"));
    expect(media).toBeDefined();
    await Promise.race([client.finishedStreaming, Bun.sleep(10_000)]);
    client.close();
    const gw = world.gateway;
    const call = await until("the inbound call to complete", () => {
      const c = gw.calls.byId(s.callId);
      return c?.status === "completed" && !gw.registry.has(s.callId) ? c : null;
    });
    expect({ direction: call.direction, from: call.fromNumber, reservation: call.reservationStatus }).toEqual({ direction: "inbound", from: "+447386172392", reservation: "settled" });
    expect(gw.store.turns(s.callId).find((t) => t.role === "agent")?.text).toBe("Acme, how can I help?");
    // recorded: a two-channel WAV served with Range, and a fixture that replays through the engine
    const key = gw.accounts.createKey(call.accountId).key;
    const wav = await fetch(`${world.baseUrl}/v1/calls/${s.callId}/recording`, { headers: { authorization: `Bearer ${key}` } });
    const bytes = new Uint8Array(await wav.arrayBuffer());
    expect(wav.headers.get("content-type")).toBe("audio/wav");
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe("RIFF");
    expect(new DataView(bytes.buffer).getUint16(22, true)).toBe(2);
    const part = await fetch(`${world.baseUrl}/v1/calls/${s.callId}/recording`, { headers: { authorization: `Bearer ${key}`, range: "bytes=0-43" } });
    expect([part.status, part.headers.get("content-range"), (await part.arrayBuffer()).byteLength]).toEqual([206, `bytes 0-43/${bytes.length}`, 44]);
    const recorded = loadFixture(call.fixturePath!);
    expect(recorded.lines.some((l) => l.kind === "sent")).toBe(true);
    const replay = replayFixture(recorded, "recorded").report;
    expect(replay.durationMs).toBeGreaterThan(1000);
    // deleting the call deletes its recording
    const del = await fetch(`${world.baseUrl}/v1/calls/${s.callId}`, { method: "DELETE", headers: { authorization: `Bearer ${key}` } });
    expect(del.status).toBe(200);
    expect([existsSync(call.recordingPath!), existsSync(call.fixturePath!)]).toEqual([false, false]);
    expect((await fetch(`${world.baseUrl}/v1/calls/${s.callId}/recording`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404);
    const metrics = await (await fetch(`${world.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/voice_gateway_malformed_frames_total 2/);
    expect(metrics).toContain("process_cpu_user_seconds_total");
  }, 30_000);

  test("when speech synthesis keeps failing, the call ends with the reason instead of staying silent", async () => {
    await using world = await startSimWorld({ latencies: FAST });
    await inboundSetup(world);
    for (let i = 0; i < 10; i++) world.elevenlabs.failNext(503, "service_unavailable", "overloaded");
    const s = streamOf((await ring(world, { To: "+15550003000", From: "+447386172392", CallSid: "CA00000000000000000000000000000004" })).text);
    // the greeting fails, then the answer to the caller's first sentence fails: two in a row
    const fixture = readFixture(join(CORPUS_DIR, "turns-pause-01.ndjson"));
    world.carrier.scriptCall(s.callId, fixture);
    await using client = connectTwilioMediaClient({ url: s.url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: s.token } });
    expect((await client.closed).code).toBe(1000); // we hung up
    const gw = world.gateway;
    const call = await until("the call to be finalised", () => {
      const c = gw.calls.byId(s.callId);
      return c?.status === "completed" && !gw.registry.has(s.callId) ? c : null;
    });
    expect({ reason: call.hangupReason, error: call.errorMessage?.startsWith("2 replies in a row could not be spoken") }).toEqual({ reason: "failed", error: true });
    // each failed phrase was tried twice
    expect(world.elevenlabs.requests.length).toBe(4);
  }, 30_000);

  test("a socket that goes quiet is closed and its call finalised", async () => {
    await using world = await startSimWorld({ latencies: FAST, gateway: { session: { idleTimeoutMs: 300 } } });
    await inboundSetup(world);
    const s = streamOf((await ring(world, { To: "+15550003000", From: "+447386172392", CallSid: "CA00000000000000000000000000000003" })).text);
    // connected and start, then nothing: a half-open connection
    const fixture = readFixture(join(CORPUS_DIR, "human-hello-01.ndjson")).filter((e) => e.kind !== "twilio" || ["connected", "start"].includes((e.msg as { event: string }).event));
    await using client = connectTwilioMediaClient({ url: s.url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: s.token } });
    expect((await client.closed).code).toBe(1000);
    const gw = world.gateway;
    const call = await until("the call to be finalised", () => {
      const c = gw.calls.byId(s.callId);
      return c?.status === "completed" && !gw.registry.has(s.callId) ? c : null;
    });
    expect(call.errorMessage).toBe("no media for 300 ms: the connection was closed");
    expect(call.reservationStatus).toBe("settled");
  }, 20_000);

  test("refuses unsigned upgrades, unknown calls, wrong tokens and a second stream with the same token", async () => {
    await using world = await startSimWorld({ latencies: FAST });
    await inboundSetup(world);
    const forged = await ring(world, { To: "+15550003000", From: "+1555", CallSid: "CA1" }, "wrong-token-000000000000");
    expect(forged.status).toBe(403);
    const s = streamOf((await ring(world, { To: "+15550003000", From: "+447386172392", CallSid: "CA00000000000000000000000000000002" })).text);
    const fixture = readFixture(join(CORPUS_DIR, "human-hello-01.ndjson"));
    // unsigned / wrongly signed upgrade
    const unsigned = connectTwilioMediaClient({ url: s.url, authToken: "", fixture, customParameters: { callId: s.callId, token: s.token } });
    expect(await unsigned.opened.then(() => "open", () => "refused")).toBe("refused");
    const badSig = connectTwilioMediaClient({ url: s.url, authToken: "not-the-token-0000000", fixture, customParameters: { callId: s.callId, token: s.token } });
    expect(await badSig.opened.then(() => "open", () => "refused")).toBe("refused");
    // unknown call
    const unknownUrl = s.url.replace(s.callId, "call_00000000000000000000000000000000");
    const unknown = connectTwilioMediaClient({ url: unknownUrl, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: s.token } });
    expect(await unknown.opened.then(() => "open", () => "refused")).toBe("refused");
    // a signed upgrade with a wrong token is closed at `start`, before any provider session
    const wrong = connectTwilioMediaClient({ url: s.url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: "nope" } });
    expect((await wrong.closed).code).toBe(1008);
    expect(world.deepgram.connections.length).toBe(0);
    // the right token opens one stream, once
    const good = connectTwilioMediaClient({ url: s.url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: s.token }, speed: 8 });
    await good.opened;
    await until("the session", () => world.gateway.registry.has(s.callId));
    const again = connectTwilioMediaClient({ url: s.url, authToken: SIM_AUTH_TOKEN, fixture, customParameters: { callId: s.callId, token: s.token } });
    expect(await again.opened.then(() => "open", () => "refused")).toBe("refused");
    good.close();
    await good.closed;
  }, 30_000);
});
