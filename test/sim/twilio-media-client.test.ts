import { afterEach, describe, expect, test } from "bun:test";
import type { ServerWebSocket } from "bun";
import { isValidTwilioSignature } from "../../src/providers/telephony/signature.ts";
import { type FixtureEvent, TwilioMediaClient, connectTwilioMediaClient } from "../../src/sim/fakes/twilio-media-client.ts";

const TOKEN = "auth-token";
const SIGNED_URL = "wss://gw.example.com/v1/media";
const b64 = (n: number, v = 0x7f): string => Buffer.from(new Uint8Array(n).fill(v)).toString("base64");

function fixture(frames: number): FixtureEvent[] {
  const sid = "MZ11111111111111111111111111111111";
  const out: FixtureEvent[] = [
    { kind: "header" },
    { kind: "twilio", t: 0, msg: { event: "connected", protocol: "Call", version: "1.0.0" } },
    { kind: "twilio", t: 1, msg: { event: "start", sequenceNumber: "1", streamSid: sid, start: { streamSid: sid, callSid: "CA1", customParameters: { callId: "old" } } } },
  ];
  for (let i = 0; i < frames; i++) {
    out.push({ kind: "twilio", t: 2 + i * 20, msg: { event: "media", sequenceNumber: String(i + 2), streamSid: sid, media: { track: "inbound", chunk: String(i + 1), timestamp: String(i * 20), payload: b64(160) } } });
  }
  out.push({ kind: "twilio", t: 2 + frames * 20, msg: { event: "mark", streamSid: sid, mark: { name: "recorded" } } });
  out.push({ kind: "sent", t: 3, msg: { event: "media" } });
  out.push({ kind: "twilio", t: 3 + frames * 20, msg: { event: "stop", sequenceNumber: String(frames + 2), streamSid: sid } });
  return out;
}

/** A stand-in gateway: validates the upgrade signature, records messages, exposes the socket. */
function startGateway() {
  const got: Array<Record<string, unknown>> = [];
  const sockets: Array<ServerWebSocket<unknown>> = [];
  const waiters: Array<{ pred: () => boolean; resolve: () => void }> = [];
  const changed = (): void => {
    for (const w of [...waiters]) if (w.pred()) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req, srv) {
      if (!isValidTwilioSignature({ authToken: TOKEN, signature: req.headers.get("x-twilio-signature"), url: SIGNED_URL })) {
        return new Response("forbidden", { status: 403 });
      }
      return srv.upgrade(req, { data: undefined }) ? undefined : new Response("no", { status: 400 });
    },
    websocket: {
      open(ws) {
        sockets.push(ws);
        changed();
      },
      message(_ws, m) {
        got.push(JSON.parse(String(m)) as Record<string, unknown>);
        changed();
      },
    },
  });
  const until = (pred: () => boolean): Promise<void> => {
    if (pred()) return Promise.resolve();
    const { promise, resolve } = Promise.withResolvers<void>();
    waiters.push({ pred, resolve });
    return promise;
  };
  return { got, sockets, until, url: `ws://127.0.0.1:${server.port}/v1/media`, stop: () => server.stop(true) };
}

let gateway: ReturnType<typeof startGateway> | undefined;
let client: TwilioMediaClient | undefined;
afterEach(async () => {
  client?.close();
  await gateway?.stop();
  client = undefined;
  gateway = undefined;
});

describe("Twilio media client", () => {
  test("signed upgrade, fixture replayed in order with our customParameters, recorded marks skipped", async () => {
    gateway = startGateway();
    client = connectTwilioMediaClient({ url: gateway.url, signedUrl: SIGNED_URL, authToken: TOKEN, fixture: fixture(5), speed: Infinity, customParameters: { callId: "call_9", token: "tok" } });
    await client.finishedStreaming;
    await gateway.until(() => gateway?.got.at(-1)?.event === "stop");
    expect(gateway.got.map((m) => m.event)).toEqual(["connected", "start", "media", "media", "media", "media", "media", "stop"]);
    expect((gateway.got[1]?.start as { customParameters: unknown }).customParameters).toEqual({ callId: "call_9", token: "tok" });
  });

  test("a bad signature is refused before the upgrade", async () => {
    gateway = startGateway();
    client = connectTwilioMediaClient({ url: gateway.url, signedUrl: "wss://other.example.com/v1/media", authToken: TOKEN, fixture: [] });
    expect(await client.opened.then(() => "open", () => "refused")).toBe("refused");
  });

  test("marks come back once the audio before them has played; clear returns pending marks at once", async () => {
    gateway = startGateway();
    client = connectTwilioMediaClient({ url: gateway.url, signedUrl: SIGNED_URL, authToken: TOKEN, fixture: [], speed: 20 });
    await client.opened;
    await gateway.until(() => (gateway?.sockets.length ?? 0) === 1);
    const ws = gateway.sockets[0];
    if (!ws) throw new Error("no socket");
    ws.send(JSON.stringify({ event: "media", streamSid: "MZ", media: { payload: b64(480) } }));
    ws.send(JSON.stringify({ event: "mark", streamSid: "MZ", mark: { name: "m1" } }));
    await gateway.until(() => gateway?.got.some((m) => m.event === "mark") ?? false);
    const playedAtMark = client.playedBytes;
    ws.send(JSON.stringify({ event: "media", streamSid: "MZ", media: { payload: b64(16000) } }));
    ws.send(JSON.stringify({ event: "mark", streamSid: "MZ", mark: { name: "m2" } }));
    ws.send(JSON.stringify({ event: "clear", streamSid: "MZ" }));
    await gateway.until(() => (gateway?.got.filter((m) => m.event === "mark").length ?? 0) === 2);
    expect(playedAtMark).toBe(480);
    expect(client.marksEchoed).toEqual([
      { name: "m1", cleared: false },
      { name: "m2", cleared: true },
    ]);
    expect(client.playedBytes).toBeLessThan(480 + 16000);
    expect(client.bufferedBytes).toBe(0);
    expect(client.received.map((r) => r.msg.event)).toEqual(["media", "mark", "media", "mark", "clear"]);
  });
});
