/**
 * A strict reader of corpus fixtures for the corpus test: parses every line, checks the
 * structural rules of ../shared/FIXTURES.md and PROTOCOLS.md, and returns the decoded audio and
 * labels. It throws with the file's line number on the first violation.
 */
import { decodeMulaw } from "../../src/engine/audio/mulaw.ts";

/** The parts of a fixture the corpus test looks at. */
export interface ReadFixture {
  readonly header: { kind: string; version: number; encoding: string; sampleRate: number; labels: Labels };
  /** Media frames in arrival order. */
  readonly media: ReadonlyArray<{ t: number; chunk: number; timestampMs: number; sequenceNumber: number; bytes: number }>;
  /** Distinct frames by chunk order, decoded to PCM16. */
  readonly pcm: Int16Array;
  readonly events: readonly string[];
  readonly customParameters: Record<string, string>;
}

/** Label fields the corpus writes (see corpus/README.md). */
export interface Labels {
  answeredBy: "human" | "machine";
  beepStartMs: number | null;
  speech: Array<[number, number]>;
  category: string;
  beepHz: number | null;
  beepMs: number | null;
  greetingEndMs: number | null;
  firstUtteranceEndMs: number | null;
  utterances: Array<{ startMs: number; endMs: number; text: string; complete: boolean; interrupts?: boolean }>;
  backchannels: Array<{ startMs: number; endMs: number; text: string }>;
  tones: Array<{ kind: string; startMs: number; endMs: number; hz?: number[]; digits?: string }>;
  music: Array<[number, number]>;
  lineNoiseDb: number;
  network: {
    stalls: Array<{ burstAtMs: number; stallMs: number; frames: number }>;
    reorderedChunks: number[];
    duplicatedChunks: number[];
  };
}

function fail(line: number, why: string): never {
  throw new Error(`line ${line}: ${why}`);
}

function intString(v: unknown, line: number, what: string): number {
  if (typeof v !== "string" || !/^\d+$/.test(v)) fail(line, `${what} must be a decimal string, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Parse and check one fixture's text. */
export function readFixture(text: string): ReadFixture {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const header = JSON.parse(lines[0] ?? "null") as ReadFixture["header"] | null;
  if (!header || header.kind !== "header") fail(1, "first line is not the header");
  const media: Array<ReadFixture["media"][number]> = [];
  const events: string[] = [];
  const frames = new Map<number, Uint8Array>();
  let customParameters: Record<string, string> = {};
  let lastT = -Infinity;
  for (let i = 1; i < lines.length; i++) {
    const n = i + 1;
    const line = JSON.parse(lines[i]!) as { kind: string; t: number; msg: Record<string, unknown> };
    if (line.kind !== "twilio") fail(n, `unexpected kind ${line.kind}`);
    if (typeof line.t !== "number" || line.t < lastT) fail(n, "t must be a non-decreasing number");
    lastT = line.t;
    const msg = line.msg;
    const event = String(msg.event);
    events.push(event);
    if (event !== "connected") intString(msg.sequenceNumber, n, "sequenceNumber");
    if (event === "start") {
      const start = msg.start as { customParameters: Record<string, string> };
      customParameters = start.customParameters;
    }
    if (event === "media") {
      const m = msg.media as { chunk: unknown; timestamp: unknown; payload: string; track: string };
      const chunk = intString(m.chunk, n, "chunk");
      const timestampMs = intString(m.timestamp, n, "timestamp");
      const bytes = Buffer.from(m.payload, "base64");
      const previous = frames.get(chunk);
      if (previous && !Buffer.from(previous).equals(bytes)) fail(n, `chunk ${chunk} repeated with different audio`);
      frames.set(chunk, new Uint8Array(bytes));
      media.push({ t: line.t, chunk, timestampMs, sequenceNumber: intString(msg.sequenceNumber, n, "sequenceNumber"), bytes: bytes.length });
    }
  }
  const chunks = [...frames.keys()].sort((a, b) => a - b);
  const all = new Uint8Array(chunks.reduce((s, c) => s + frames.get(c)!.length, 0));
  let at = 0;
  for (const c of chunks) {
    all.set(frames.get(c)!, at);
    at += frames.get(c)!.length;
  }
  return { header, media, pcm: decodeMulaw(all), events, customParameters };
}
