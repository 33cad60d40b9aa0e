import { providerErrorOf } from "../../helpers/provider-error.ts";
import { afterEach, describe, expect, test } from "bun:test";
import { ElevenLabsHttpTts } from "../../../src/providers/tts/elevenlabs-http.ts";
import { ElevenLabsWsTts } from "../../../src/providers/tts/elevenlabs-ws.ts";
import { type ElevenLabsFake, startElevenLabsFake } from "../../../src/sim/fakes/elevenlabs.ts";
import { voicedMulaw } from "../../../src/sim/fakes/voice-signal.ts";

const KEY = "el-test-key";
const VOICE = { voiceId: "voice_1", modelId: "eleven_flash_v2_5", settings: { stability: 0.5, similarityBoost: 0.7 } };

let fake: ElevenLabsFake | undefined;
afterEach(async () => {
  await fake?.stop();
  fake = undefined;
});

async function collect(it: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}


describe("ElevenLabs HTTP streaming adapter", () => {
  test("streams ulaw_8000 whose length follows the text, request as ElevenLabs expects", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0, msPerChar: 10, chunkBytes: 160 });
    const tts = new ElevenLabsHttpTts({ apiKey: KEY, baseUrl: fake.baseUrl });
    const audio = await collect(tts.synthesize("Hello there.", { voice: VOICE }));
    expect(audio).toEqual(voicedMulaw(0, 12 * 10 * 8));
    expect(fake.requests).toEqual([
      {
        kind: "http",
        voiceId: "voice_1",
        query: { output_format: "ulaw_8000" },
        body: { text: "Hello there.", model_id: "eleven_flash_v2_5", voice_settings: { stability: 0.5, similarity_boost: 0.7 } },
      },
    ]);
  });

  test("vendor errors keep ElevenLabs' code and retryability", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0 });
    const wrong = new ElevenLabsHttpTts({ apiKey: "nope", baseUrl: fake.baseUrl });
    expect((await providerErrorOf(collect(wrong.synthesize("hi", { voice: VOICE })))).toJSON()).toEqual({
      provider: "elevenlabs",
      code: "invalid_api_key",
      status: 401,
      message: "Invalid API key",
      retryable: false,
    });
    const tts = new ElevenLabsHttpTts({ apiKey: KEY, baseUrl: fake.baseUrl });
    fake.failNext(429, "too_many_concurrent_requests", "Too many concurrent requests");
    const e = await providerErrorOf(collect(tts.synthesize("hi", { voice: VOICE })));
    expect([e.code, e.status, e.retryable]).toEqual(["too_many_concurrent_requests", 429, true]);
  });

  test("a stalled body hits the first-byte timeout", async () => {
    fake = startElevenLabsFake({ apiKey: KEY });
    fake.stallNext();
    const tts = new ElevenLabsHttpTts({ apiKey: KEY, baseUrl: fake.baseUrl, firstByteTimeoutMs: 40 });
    const e = await providerErrorOf(collect(tts.synthesize("hello", { voice: VOICE })));
    expect([e.code, e.retryable, e.message]).toEqual(["timeout", true, "elevenlabs: no audio within 40 ms"]);
  });

  test("slow chunks hit the idle timeout", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0, chunkBytes: 80, chunkIntervalMs: 200 });
    const tts = new ElevenLabsHttpTts({ apiKey: KEY, baseUrl: fake.baseUrl, idleTimeoutMs: 30 });
    let chunks = 0;
    const e = await providerErrorOf(
      (async () => {
        for await (const _ of tts.synthesize("a long sentence", { voice: VOICE })) chunks++;
      })(),
    );
    expect([chunks, e.code]).toEqual([1, "timeout"]);
  });

  test("abort after the first chunk ends the iteration with an aborted error", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0, chunkBytes: 80, chunkIntervalMs: 5 });
    const tts = new ElevenLabsHttpTts({ apiKey: KEY, baseUrl: fake.baseUrl });
    const ac = new AbortController();
    let chunks = 0;
    const e = await providerErrorOf(
      (async () => {
        for await (const _ of tts.synthesize("a long sentence to cut", { voice: VOICE, signal: ac.signal })) {
          chunks++;
          ac.abort();
        }
      })(),
    );
    expect([chunks, e.code, e.retryable]).toEqual([1, "aborted", false]);
  });
});

describe("ElevenLabs stream-input websocket adapter", () => {
  test("protocol: settings + key first, word-bounded chunks ending in a space, flush, end", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0, msPerChar: 10 });
    const tts = new ElevenLabsWsTts({ apiKey: KEY, baseUrl: fake.baseUrl });
    const stream = tts.open({ voice: VOICE });
    for (const token of ["Hel", "lo", " there", ",", " how", " are", " you"]) stream.pushText(token);
    stream.flush();
    stream.pushText("?");
    stream.end();
    const audio = await collect(stream.audio);
    const sent = fake.requests.filter((r) => r.kind === "ws-message").map((r) => r.body);
    expect(sent).toEqual([
      {
        text: " ",
        voice_settings: { stability: 0.5, similarity_boost: 0.7 },
        generation_config: { chunk_length_schedule: [120, 160, 250, 290] },
        xi_api_key: KEY,
      },
      { text: "Hello " },
      { text: "there, " },
      { text: "how " },
      { text: "are " },
      { text: "you ", flush: true },
      { text: "? " },
      { text: "" },
    ]);
    expect(fake.requests[0]?.query).toEqual({ model_id: "eleven_flash_v2_5", output_format: "ulaw_8000", inactivity_timeout: "20" });
    // "Hello there, how are you " (25 chars) then "? " (1 char after trim) at 10 ms per char
    expect(audio.byteLength).toBe((25 - 1) * 80 + 1 * 80);
  });

  test("a wrong key fails with ElevenLabs' error, not retryable", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0 });
    const stream = new ElevenLabsWsTts({ apiKey: "nope", baseUrl: fake.baseUrl }).open({ voice: VOICE });
    stream.pushText("hello ");
    stream.end();
    const e = await providerErrorOf(collect(stream.audio));
    expect([e.code, e.retryable]).toEqual(["invalid_api_key", false]);
  });

  test("abort closes the socket and ends the audio with an aborted error", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 0, chunkBytes: 80, chunkIntervalMs: 5 });
    const ac = new AbortController();
    const stream = new ElevenLabsWsTts({ apiKey: KEY, baseUrl: fake.baseUrl }).open({ voice: VOICE, signal: ac.signal });
    stream.pushText("a sentence long enough to take a while ");
    stream.end();
    let chunks = 0;
    const e = await providerErrorOf(
      (async () => {
        for await (const _ of stream.audio) {
          chunks++;
          ac.abort();
        }
      })(),
    );
    expect([chunks, e.code]).toEqual([1, "aborted"]);
  });

  test("no audio after end hits the first-byte timeout", async () => {
    fake = startElevenLabsFake({ apiKey: KEY, firstByteDelayMs: 500 });
    const stream = new ElevenLabsWsTts({ apiKey: KEY, baseUrl: fake.baseUrl, firstByteTimeoutMs: 30 }).open({ voice: VOICE });
    stream.pushText("hello ");
    stream.end();
    const e = await providerErrorOf(collect(stream.audio));
    expect([e.code, e.retryable]).toEqual(["timeout", true]);
  });
});
