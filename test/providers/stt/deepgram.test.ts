import { providerErrorOf } from "../../helpers/provider-error.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { ProviderError } from "../../../src/providers/errors.ts";
import { DeepgramStt } from "../../../src/providers/stt/deepgram.ts";
import type { SttEvent, SttSession } from "../../../src/providers/stt/port.ts";
import { type DeepgramFake, startDeepgramFake } from "../../../src/sim/fakes/deepgram.ts";

const KEY = "dg-test-key";
const FRAME = new Uint8Array(160).fill(0xff); // 20 ms of mu-law

let fake: DeepgramFake | undefined;
let session: SttSession | undefined;
afterEach(async () => {
  await session?.close();
  await fake?.stop();
  session = undefined;
  fake = undefined;
});

/** Collects events and lets a test await the next one matching a predicate. */
function recorder() {
  const events: SttEvent[] = [];
  const waiters: Array<{ pred: (e: SttEvent) => boolean; resolve: (e: SttEvent) => void }> = [];
  const onEvent = (e: SttEvent): void => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  };
  const next = (pred: (e: SttEvent) => boolean): Promise<SttEvent> => {
    const { promise, resolve } = Promise.withResolvers<SttEvent>();
    waiters.push({ pred, resolve });
    return promise;
  };
  return { events, onEvent, next };
}

function sendMs(s: SttSession, ms: number): void {
  for (let t = 0; t < ms; t += 20) s.send(FRAME);
}

/** Compact view of STT messages: type plus the flags that matter. */
function summary(events: readonly SttEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.type !== "message") return [e.type];
    const m = e.message;
    if (m.type === "Results") {
      const flags = `${m.is_final ? "final" : "interim"}${m.speech_final ? "+speech_final" : ""}${m.from_finalize ? "+from_finalize" : ""}`;
      return [`Results ${flags} "${m.channel.alternatives[0]?.transcript}"`];
    }
    return [m.type];
  });
}


describe("deepgram adapter against the live fake", () => {
  test("query per PROTOCOLS.md, scripted transcript, clean close with Metadata", async () => {
    fake = startDeepgramFake({ apiKey: KEY, script: [{ startMs: 200, endMs: 1000, text: "I need a plumber." }], interimIntervalMs: 400 });
    const stt = new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl });
    const rec = recorder();
    session = await stt.open({ tag: "call_1" }, rec.onEvent);
    sendMs(session, 2400); // speech ends at 1000, endpoint at 1300, UtteranceEnd at 2000
    await fake.until(() => fake?.connections[0]?.bytesReceived === 2400 * 8);
    await session.close();
    expect(Object.fromEntries(fake.connections[0]?.query ?? [])).toEqual({
      model: "nova-3",
      encoding: "mulaw",
      sample_rate: "8000",
      channels: "1",
      interim_results: "true",
      endpointing: "300",
      utterance_end_ms: "1000",
      vad_events: "true",
      smart_format: "true",
      tag: "call_1",
    });
    expect(summary(rec.events)).toEqual([
      "SpeechStarted",
      // words end at 400, 600, 800, 1000 ms; interims at least 400 audio ms apart
      'Results interim "I"',
      'Results interim "I need a"',
      'Results interim "I need a plumber."',
      'Results final+speech_final "I need a plumber."',
      "UtteranceEnd",
      "Metadata",
      "close",
    ]);
    expect(fake.connections[0]?.controls).toEqual(["CloseStream"]);
    expect(rec.events.at(-1)).toEqual({ type: "close", code: 1000, reason: "CloseStream" });
  });

  test("Finalize flushes a final with from_finalize before the endpoint", async () => {
    fake = startDeepgramFake({ apiKey: KEY, script: [{ startMs: 0, endMs: 600, text: "yes please" }] });
    const rec = recorder();
    session = await new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl }).open({}, rec.onEvent);
    sendMs(session, 700);
    const flushed = rec.next((e) => e.type === "message" && e.message.type === "Results" && e.message.is_final);
    session.finalize();
    const e = await flushed;
    expect(e.type === "message" && e.message.type === "Results" ? [e.message.from_finalize, e.message.speech_final, e.message.channel.alternatives[0]?.transcript] : null).toEqual([
      true,
      false,
      "yes please",
    ]);
  });

  test("KeepAlive keeps an audio-less connection past Deepgram's idle close", async () => {
    fake = startDeepgramFake({ apiKey: KEY, idleTimeoutMs: 60 });
    const rec = recorder();
    session = await new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl, keepAliveIntervalMs: 15 }).open({}, rec.onEvent);
    await fake.until(() => (fake?.connections[0]?.controls.filter((c) => c === "KeepAlive").length ?? 0) >= 8);
    expect([fake.connections.length, fake.connections[0]?.closeCode, rec.events]).toEqual([1, null, []]);
  });

  test("without KeepAlive the fake closes 1011 and, with no retries allowed, the session fails", async () => {
    fake = startDeepgramFake({ apiKey: KEY, idleTimeoutMs: 30 });
    const rec = recorder();
    const closed = rec.next((e) => e.type === "close");
    session = await new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl, keepAliveIntervalMs: 60_000, reconnectMaxAttempts: 0 }).open({}, rec.onEvent);
    await closed;
    expect(fake.connections[0]?.closeCode).toBe(1011);
    expect(summary(rec.events)).toEqual(["error", "close"]);
    const err = rec.events[0]?.type === "error" ? rec.events[0].error : undefined;
    expect([err?.code, err?.retryable]).toEqual(["reconnect_failed", true]);
  });

  test("a dropped connection is reopened by us, audio buffered meanwhile, offsets reported", async () => {
    fake = startDeepgramFake({
      apiKey: KEY,
      script: (ctx) => (ctx.connectionIndex === 1 ? [{ startMs: 0, endMs: 200, text: "still there" }] : []),
    });
    const rec = recorder();
    session = await new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl, reconnectBaseDelayMs: 1, sendChunkMs: 20 }).open({}, rec.onEvent);
    sendMs(session, 1000);
    await fake.until(() => fake?.connections[0]?.bytesReceived === 8000);
    const reconnecting = rec.next((e) => e.type === "reconnecting");
    const reconnected = rec.next((e) => e.type === "reconnected");
    fake.drop("terminate");
    await reconnecting;
    sendMs(session, 600); // buffered while disconnected
    await reconnected;
    const final = rec.next((e) => e.type === "message" && e.message.type === "Results" && e.message.speech_final);
    await fake.until(() => fake?.connections[1]?.bytesReceived === 4800);
    sendMs(session, 400); // endpoint at 200 + 300 ms
    const msg = await final;
    expect(msg.type === "message" ? msg.audioOffsetMs : null).toBe(1000);
    expect(rec.events.filter((e) => e.type === "reconnecting" || e.type === "reconnected")).toEqual([
      { type: "reconnecting", attempt: 1, delayMs: 1, error: expect.any(ProviderError) },
      { type: "reconnected", audioOffsetMs: 1000 },
    ]);
    expect(fake.connections.length).toBe(2);
  });

  test("audio goes out in chunks (60 ms here); Finalize flushes the partial chunk first", async () => {
    fake = startDeepgramFake({ apiKey: KEY });
    session = await new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl, sendChunkMs: 60 }).open({}, () => undefined);
    for (let i = 0; i < 4; i++) session.send(new Uint8Array(160).fill(0xff)); // 80 ms
    await fake.until(() => fake?.connections[0]?.bytesReceived === 480);
    expect(fake.connections[0]!.controls).toEqual([]);
    session.finalize();
    await fake.until(() => (fake?.connections[0]?.controls.length ?? 0) === 1);
    // the 20 ms left in the chunk arrived before the Finalize
    expect({ bytes: fake.connections[0]!.bytesReceived, controls: fake.connections[0]!.controls }).toEqual({ bytes: 640, controls: ["Finalize"] });
  });

  test("reconnection gives up after the bounded attempts", async () => {
    fake = startDeepgramFake({ apiKey: KEY });
    const rec = recorder();
    const closed = rec.next((e) => e.type === "close");
    session = await new DeepgramStt({ apiKey: KEY, baseUrl: fake.baseUrl, reconnectMaxAttempts: 3, reconnectBaseDelayMs: 1 }).open({}, rec.onEvent);
    fake.refuseUpgrades(10);
    fake.drop("close");
    await closed;
    expect(summary(rec.events)).toEqual(["reconnecting", "reconnecting", "reconnecting", "error", "close"]);
    expect(rec.events.flatMap((e) => (e.type === "reconnecting" ? [e.delayMs] : []))).toEqual([1, 2, 4]);
  });

  test("a wrong key is a non-retryable 401", async () => {
    fake = startDeepgramFake({ apiKey: KEY });
    const err = await providerErrorOf(new DeepgramStt({ apiKey: "wrong", baseUrl: fake.baseUrl }).open({}, () => undefined));
    expect(err.toJSON()).toEqual({
      provider: "deepgram",
      code: "unauthorized",
      status: 401,
      message: "deepgram refused the key: Unexpected server response: 401",
      retryable: false,
    });
  });

  test("a server that never answers the upgrade hits the connect timeout", async () => {
    const silent = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const err = await providerErrorOf(
        new DeepgramStt({ apiKey: KEY, baseUrl: `http://127.0.0.1:${silent.port}`, connectTimeoutMs: 50 }).open({}, () => undefined),
      );
      expect([err.code, err.retryable]).toEqual(["timeout", true]);
    } finally {
      silent.stop(true);
    }
  });
});
