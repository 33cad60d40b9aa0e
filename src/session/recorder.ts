/**
 * Records a live call twice: as a replayable fixture (FIXTURES.md: every Twilio message in, every
 * message sent, every STT message, with arrival time `t`) and as a two-channel WAV (caller left,
 * agent right) placed in audio time.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { FileSink } from "bun";
import { MULAW_DECODE_TABLE } from "../engine/audio/mulaw.ts";

const SAMPLE_RATE = 8000;

export class CallRecorder {
  private readonly sink: FileSink;
  private caller = new Int16Array(SAMPLE_RATE * 30);
  private agent = new Int16Array(SAMPLE_RATE * 30);
  private callerEnd = 0;
  private agentCursor = 0;
  private agentEnd = 0;

  constructor(
    readonly fixturePath: string,
    readonly wavPath: string,
    description: string,
  ) {
    mkdirSync(dirname(fixturePath), { recursive: true });
    mkdirSync(dirname(wavPath), { recursive: true });
    this.sink = Bun.file(fixturePath).writer();
    this.line({ kind: "header", version: 1, encoding: "audio/x-mulaw", sampleRate: SAMPLE_RATE, description, labels: {} });
  }

  private line(obj: unknown): void {
    this.sink.write(`${JSON.stringify(obj)}\n`);
  }

  /** A Twilio message as received (the raw JSON text is kept exactly). */
  twilioIn(t: number, raw: string): void {
    this.sink.write(`{"kind":"twilio","t":${t},"msg":${raw}}\n`);
  }

  sent(t: number, raw: string): void {
    this.sink.write(`{"kind":"sent","t":${t},"msg":${raw}}\n`);
  }

  stt(t: number, message: unknown): void {
    this.line({ kind: "stt", t, msg: message });
  }

  /** The reply's LLM text (informational for replays), in the shape of src/replay/README.md. */
  llm(t: number, replyId: string, text: string): void {
    this.line({ kind: "llm", t, replyId, delta: text });
    this.line({ kind: "llm", t, replyId, done: true });
  }

  /** Synthesised audio handed to the engine: a replay feeds it back instead of a scripted agent. */
  tts(t: number, replyId: string, text: string, mulaw: Uint8Array, phraseDone: boolean): void {
    this.line({ kind: "tts", t, replyId, text, payload: Buffer.from(mulaw).toString("base64"), phraseDone });
  }

  ttsDone(t: number, replyId: string): void {
    this.line({ kind: "tts", t, replyId, done: true });
  }

  /** Caller audio at its audio time. */
  callerAudio(timestampMs: number, mulaw: Uint8Array): void {
    const at = Math.round((timestampMs * SAMPLE_RATE) / 1000);
    this.caller = ensure(this.caller, at + mulaw.length);
    for (let i = 0; i < mulaw.length; i++) this.caller[at + i] = MULAW_DECODE_TABLE[mulaw[i]!]!;
    this.callerEnd = Math.max(this.callerEnd, at + mulaw.length);
  }

  /** Agent audio as sent: it plays after what is queued, never before the caller's present. */
  agentAudio(nowAudioMs: number, mulaw: Uint8Array): void {
    const now = Math.round((nowAudioMs * SAMPLE_RATE) / 1000);
    const at = Math.max(this.agentCursor, now);
    this.agent = ensure(this.agent, at + mulaw.length);
    for (let i = 0; i < mulaw.length; i++) this.agent[at + i] = MULAW_DECODE_TABLE[mulaw[i]!]!;
    this.agentCursor = at + mulaw.length;
    this.agentEnd = Math.max(this.agentEnd, this.agentCursor);
  }

  /** Twilio dropped what was queued: the agent track stops at the present. */
  agentCleared(nowAudioMs: number): void {
    const now = Math.round((nowAudioMs * SAMPLE_RATE) / 1000);
    if (this.agentCursor > now) {
      this.agent.fill(0, now, this.agentCursor);
      this.agentEnd = Math.max(now, this.agentEnd === this.agentCursor ? now : this.agentEnd);
      this.agentCursor = now;
    }
  }

  /** Flushes the fixture and writes the WAV. */
  async close(): Promise<void> {
    await this.sink.end();
    const n = Math.max(this.callerEnd, this.agentEnd);
    writeFileSync(this.wavPath, wavStereo(this.caller.subarray(0, n), this.agent.subarray(0, n), n));
  }
}

function ensure(buf: Int16Array<ArrayBuffer>, length: number): Int16Array<ArrayBuffer> {
  if (length <= buf.length) return buf;
  const next = new Int16Array(Math.max(length, buf.length * 2));
  next.set(buf);
  return next;
}

/** A 16-bit PCM stereo WAV (RIFF) of two equal-length channels. */
export function wavStereo(left: Int16Array, right: Int16Array, frames: number): Uint8Array {
  const dataBytes = frames * 4;
  const out = new Uint8Array(44 + dataBytes);
  const v = new DataView(out.buffer);
  const ascii = (o: number, s: string) => {
    for (let i = 0; i < s.length; i++) out[o + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  v.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, 2, true); // channels
  v.setUint32(24, SAMPLE_RATE, true);
  v.setUint32(28, SAMPLE_RATE * 4, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 16, true);
  ascii(36, "data");
  v.setUint32(40, dataBytes, true);
  for (let i = 0; i < frames; i++) {
    v.setInt16(44 + i * 4, left[i] ?? 0, true);
    v.setInt16(46 + i * 4, right[i] ?? 0, true);
  }
  return out;
}
