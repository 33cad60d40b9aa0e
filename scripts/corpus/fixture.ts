/**
 * Writes a recorded call in the fixture format of ../shared/FIXTURES.md: a header line, then the
 * exact Twilio Media Streams messages (connected, start, media…, stop) with arrival times `t`.
 * All Twilio counters are strings; sequenceNumber is shared by all events and follows send order
 * (so a media frame's sequenceNumber is chunk + 1, duplicates repeat theirs).
 */
import { encodeMulaw } from "../../src/engine/audio/mulaw.ts";
import { FRAME_MS, FRAME_SAMPLES } from "./audio.ts";
import type { NetworkProfile } from "./network.ts";
import { simulateArrivals } from "./network.ts";
import type { Rng } from "./prng.ts";

/** What goes into one fixture file. */
export interface FixtureInput {
  readonly description: string;
  readonly labels: Record<string, unknown>;
  /** Far-end audio, PCM16 at 8 kHz, a whole number of 20 ms frames. */
  readonly pcm: Int16Array;
  readonly network: NetworkProfile;
}

/** Serialise a fixture to NDJSON text (deterministic for a given rng state). */
export function fixtureText(rng: Rng, input: FixtureInput): string {
  const accountSid = `AC${rng.hex(32)}`;
  const callSid = `CA${rng.hex(32)}`;
  const streamSid = `MZ${rng.hex(32)}`;
  const callId = `call_${rng.hex(16)}`;
  const token = rng.hex(32);
  const frames = Math.floor(input.pcm.length / FRAME_SAMPLES);
  const mulaw = encodeMulaw(input.pcm);
  const startT = rng.int(1, 6);
  const { arrivals, label } = simulateArrivals(rng, frames, startT, input.network);
  const header = {
    kind: "header",
    version: 1,
    encoding: "audio/x-mulaw",
    sampleRate: 8000,
    description: input.description,
    labels: { ...input.labels, network: label },
  };
  const lines: string[] = [JSON.stringify(header)];
  const twilio = (t: number, msg: unknown) => lines.push(JSON.stringify({ kind: "twilio", t, msg }));
  twilio(0, { event: "connected", protocol: "Call", version: "1.0.0" });
  twilio(startT, {
    event: "start",
    sequenceNumber: "1",
    streamSid,
    start: {
      accountSid,
      streamSid,
      callSid,
      tracks: ["inbound"],
      mediaFormat: { encoding: "audio/x-mulaw", sampleRate: 8000, channels: 1 },
      customParameters: { callId, token },
    },
  });
  let lastT = startT;
  for (const a of arrivals) {
    const bytes = mulaw.subarray(a.frame * FRAME_SAMPLES, (a.frame + 1) * FRAME_SAMPLES);
    twilio(a.tMs, {
      event: "media",
      sequenceNumber: String(a.frame + 2),
      streamSid,
      media: {
        track: "inbound",
        chunk: String(a.frame + 1),
        timestamp: String(a.frame * FRAME_MS),
        payload: Buffer.from(bytes).toString("base64"),
      },
    });
    lastT = Math.max(lastT, a.tMs);
  }
  twilio(lastT + rng.int(1, 20), {
    event: "stop",
    sequenceNumber: String(frames + 2),
    streamSid,
    stop: { accountSid, callSid },
  });
  return `${lines.join("\n")}\n`;
}
