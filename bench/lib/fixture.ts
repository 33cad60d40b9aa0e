/**
 * A tiny reader of recorded calls (../shared/FIXTURES.md) for the benchmarks: the inbound audio
 * laid out on its own clock (media.timestamp, gaps filled with silence, duplicates ignored) and
 * the header labels. Bench-only; the product's reader lives in src/replay/.
 */
import { readFileSync } from "node:fs";
import { decodeMulaw } from "../../src/engine/audio/mulaw.ts";

/** A tone label from the corpus generator. */
export interface FixtureTone {
  kind: string;
  startMs: number;
  endMs: number;
  hz?: number[];
}

/** One labelled utterance. */
export interface FixtureUtterance {
  startMs: number;
  endMs: number;
  text: string;
  complete?: boolean;
}

/** The labels the benchmarks use (all optional in the format). */
export interface FixtureLabels {
  answeredBy?: "human" | "machine";
  beepStartMs?: number | null;
  beepHz?: number | null;
  speech?: Array<[number, number]>;
  category?: string;
  greetingEndMs?: number | null;
  firstUtteranceEndMs?: number | null;
  utterances?: FixtureUtterance[];
  tones?: FixtureTone[];
  music?: Array<[number, number]>;
}

/** A loaded recording: 8 kHz PCM16 from audio ms 0, and its labels. */
export interface Fixture {
  path: string;
  description: string;
  labels: FixtureLabels;
  pcm: Int16Array;
  durationMs: number;
  /** `stt` lines as recorded (t and msg), if any. */
  stt: Array<{ t: number; msg: unknown }>;
}

interface MediaMsg {
  event?: string;
  media?: { track?: string; timestamp?: string; payload?: string };
}

/** Read and lay out one fixture file. */
export function readFixture(path: string): Fixture {
  const lines = readFileSync(path, "utf8").split("\n").filter((l) => l.trim() !== "");
  const header = JSON.parse(lines[0] ?? "{}") as { kind?: string; description?: string; labels?: FixtureLabels };
  if (header.kind !== "header") throw new Error(`${path}:1: first line is not a header`);
  const chunks: Array<{ atMs: number; bytes: Uint8Array }> = [];
  const stt: Array<{ t: number; msg: unknown }> = [];
  for (let i = 1; i < lines.length; i++) {
    const ev = JSON.parse(lines[i]!) as { kind?: string; t?: number; msg?: MediaMsg };
    if (ev.kind === "stt") stt.push({ t: ev.t ?? 0, msg: ev.msg });
    if (ev.kind !== "twilio" || ev.msg?.event !== "media") continue;
    const m = ev.msg.media;
    if (!m || (m.track !== undefined && m.track !== "inbound") || m.payload === undefined) continue;
    chunks.push({ atMs: Number(m.timestamp ?? 0), bytes: new Uint8Array(Buffer.from(m.payload, "base64")) });
  }
  let endSample = 0;
  for (const c of chunks) endSample = Math.max(endSample, Math.round(c.atMs * 8) + c.bytes.length);
  const pcm = new Int16Array(endSample);
  const seen = new Set<number>();
  for (const c of chunks) {
    if (seen.has(c.atMs)) continue; // a duplicate delivery
    seen.add(c.atMs);
    pcm.set(decodeMulaw(c.bytes), Math.round(c.atMs * 8));
  }
  return {
    path,
    description: header.description ?? "",
    labels: header.labels ?? {},
    pcm,
    durationMs: endSample / 8,
    stt,
  };
}
