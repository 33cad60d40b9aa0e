/**
 * The replay runner: drives the same CallEngine a live call uses from a recorded call, on a
 * virtual clock. Twilio lines are delivered at their arrival time `t` (so bursts, stalls and late
 * frames happen again); `stt` lines at their `t`; without `stt` lines a scripted STT answers from
 * the labels, and without `tts` lines a scripted LLM + TTS produces the agent's audio. A simulated
 * Twilio plays what the engine sends and echoes marks. Optionally, an echo of the played audio is
 * mixed into the inbound audio (a speakerphone line).
 */
import { encodeMulawSample, MULAW_DECODE_TABLE } from "../engine/audio/mulaw.ts";
import { base64Decode } from "../engine/base64.ts";
import { CallEngine, type CallEngineOptions } from "../engine/call-engine.ts";
import { encodeDeepgramMessage, parseDeepgramMessage } from "../engine/stt-events.ts";
import { isWireError, parseTwilioMessage } from "../engine/twilio-media.ts";
import type { EngineEvent, EngineInput, SttEvent, TwilioMedia } from "../engine/types.ts";
import type { Fixture } from "./fixture.ts";
import { buildReport, type ReplayReport } from "./report.ts";
import { ScriptedAgent, type AgentRole, type ScriptedAgentOptions } from "./scripted-agent.ts";
import { ScriptedStt, type ScriptedSttOptions } from "./scripted-stt.ts";
import { SimulatedTwilio } from "./twilio-sim.ts";
import { VirtualClock, type Timer } from "./virtual-clock.ts";

/** An echo path: our played audio comes back attenuated and delayed. */
export interface EchoPath {
  /** Echo level relative to what we play, dB (negative). */
  gainDb: number;
  /** Delay from playback to the inbound audio, ms. */
  delayMs: number;
}

/** Replay options. */
export interface ReplayOptions {
  engine: Partial<CallEngineOptions>;
  stt: Partial<ScriptedSttOptions>;
  agent: Partial<ScriptedAgentOptions>;
  /** Mix an echo of our audio into the inbound stream (null: none). Default null. */
  echo: EchoPath | null;
  /** Called with every input pushed into the engine (benchmarks record them). Default none. */
  onInput?: (input: EngineInput) => void;
  /**
   * Pass the scripted STT's events through Deepgram's wire JSON and `parseDeepgramMessage`, as a
   * live message would come. The codec round-trips these events exactly (stt-events tests), so
   * the report is the same either way; off by default because it only costs time. Default false.
   */
  sttWire?: boolean;
}

/** Defaults: outbound call with AMD on, leave a message on machines, no echo. */
export const DEFAULT_REPLAY_OPTIONS: Readonly<ReplayOptions> = Object.freeze({
  engine: Object.freeze({ direction: "outbound", amd: true, machineAction: "leave_message" }),
  stt: Object.freeze({}),
  agent: Object.freeze({}),
  echo: null,
});

/** What a replay produced. */
export interface ReplayResult {
  readonly report: ReplayReport;
  readonly events: readonly EngineEvent[];
  /** Inputs pushed into the engine. */
  readonly inputs: number;
  /** Caller audio frames the engine processed. */
  readonly frames: number;
  /** Host-time stretches [startMs, endMs) during which the simulated Twilio played our audio. */
  readonly playedRuns: readonly (readonly [number, number])[];
  /** Smallest arrival-minus-audio time of the caller's media (the network's base latency), ms. */
  readonly baseLatencyMs: number;
}

/** Replay one recording (see the file comment). */
export function replayFixture(fixture: Fixture, name: string, opts: Partial<ReplayOptions> = {}): ReplayResult {
  const o: ReplayOptions = { ...DEFAULT_REPLAY_OPTIONS, ...opts };
  const engine = new CallEngine({ ...DEFAULT_REPLAY_OPTIONS.engine, ...o.engine });
  const clock = new VirtualClock();
  const labels = fixture.header.labels ?? {};
  const hasStt = fixture.lines.some((l) => l.kind === "stt");
  const hasTts = fixture.lines.some((l) => l.kind === "tts");
  const stt = hasStt ? null : new ScriptedStt(labels, o.stt);
  const sttDelayMs = stt?.options.delayMs ?? 0;
  const agent = hasTts ? null : new ScriptedAgent(o.agent);
  const agentTimers = new Map<string, Timer[]>();
  const events: EngineEvent[] = [];
  const sent = { media: 0, marks: 0, clears: 0 };
  let inputs = 0;
  let ended = false;
  let wake: Timer | null = null;
  let wakeAtMs: number | null = null;
  const onWake = () => {
    wake = null;
    push({ kind: "tick", atMs: clock.nowMs });
  };
  let sttAudioMs = 0;
  let durationMs = 0;
  let streamSid = "";
  let markSeq = 100000;
  /** Host-minus-audio offset of the earliest frame: the network's base latency. */
  let baseLatencyMs = Infinity;
  const echoGain = o.echo ? 10 ** (o.echo.gainDb / 20) : 0;

  const sttWire = o.sttWire === true;
  const sim = new SimulatedTwilio(clock, (markName) =>
    push({
      kind: "twilio",
      atMs: clock.nowMs,
      msg: { event: "mark", sequenceNumber: markSeq++, streamSid, name: markName },
    }),
    // The played audio is only read back to mix an echo.
    o.echo !== null,
  );

  function deliverStt(evs: SttEvent[]): void {
    for (const ev of evs) {
      let event: SttEvent = ev;
      if (sttWire) {
        // Through the wire codec, as a live Deepgram message would come.
        const parsed = parseDeepgramMessage(encodeDeepgramMessage(ev));
        if (isWireError(parsed)) continue;
        event = parsed;
      }
      clock.after(sttDelayMs, () => push({ kind: "stt", atMs: clock.nowMs, event }));
    }
  }

  function startReply(replyId: string, role: AgentRole): void {
    if (!agent) return;
    const timers = agent.reply(replyId, role).map((d) =>
      clock.after(d.afterMs, () => {
        if (d.phrase) push({ kind: "agentAudio", atMs: clock.nowMs, replyId, bytes: d.phrase.bytes, text: d.phrase.text });
        else push({ kind: "replyDone", atMs: clock.nowMs, replyId });
      }),
    );
    agentTimers.set(replyId, timers);
  }

  function push(input: EngineInput): void {
    if (ended) return;
    inputs++;
    o.onInput?.(input);
    engine.push(input);
    for (;;) {
      const out = engine.poll();
      switch (out.kind) {
        case "wake":
          // The same deadline again (a paced playout asks every frame): keep the timer.
          if (wake !== null && out.atMs === wakeAtMs) return;
          wake?.cancel();
          wakeAtMs = out.atMs;
          wake = out.atMs === null ? null : clock.at(out.atMs, onWake);
          return;
        case "twilio":
          if (out.msg.event === "media") sent.media++;
          else if (out.msg.event === "mark") sent.marks++;
          else sent.clears++;
          sim.receive(out.msg);
          break;
        case "stt":
          if (stt) deliverStt(stt.finalize(sttAudioMs));
          break;
        case "reply.start":
          startReply(out.replyId, "reply");
          break;
        case "greeting":
          startReply(out.replyId, "greeting");
          break;
        case "voicemail":
          if (out.replyId) startReply(out.replyId, "voicemail");
          break;
        case "reply.cancel":
          for (const t of agentTimers.get(out.replyId) ?? []) t.cancel();
          agentTimers.delete(out.replyId);
          break;
        case "event":
          events.push(out.event);
          break;
        case "hangup":
          ended = true;
          break;
        case "reply.confirm":
        case "dtmf":
          break;
      }
    }
  }

  function mixEcho(media: TwilioMedia, t: number): void {
    const base = Math.min(baseLatencyMs, t - media.timestampMs);
    baseLatencyMs = base;
    if (!o.echo) return;
    const p = media.payload;
    for (let i = 0; i < p.length; i++) {
      // The caller's side hears our audio at host time ≈ audio time + base latency.
      const playedMs = media.timestampMs + i / 8 + base - o.echo.delayMs;
      const e = sim.playedAt(playedMs) * echoGain;
      if (e !== 0) p[i] = encodeMulawSample(Math.max(-32768, Math.min(32767, Math.round(MULAW_DECODE_TABLE[p[i]!]! + e))));
    }
  }

  /** One line of the recording, at the clock's now. */
  function deliverLine(line: Fixture["lines"][number]): void {
    if (line.kind === "twilio") {
      const msg = parseTwilioMessage(line.fields.msg);
      if (isWireError(msg)) {
        push({ kind: "twilioError", atMs: clock.nowMs, error: msg });
        return;
      }
      if (msg.event === "start") streamSid = msg.streamSid;
      if (msg.event === "media") {
        mixEcho(msg, clock.nowMs);
        durationMs = Math.max(durationMs, msg.timestampMs + msg.payload.length / 8);
      }
      push({ kind: "twilio", atMs: clock.nowMs, msg });
      if (msg.event === "media" && stt) {
        const reached = msg.timestampMs + msg.payload.length / 8;
        if (reached > sttAudioMs) {
          sttAudioMs = reached;
          deliverStt(stt.advance(reached));
        }
      }
    } else if (line.kind === "stt") {
      const ev = parseDeepgramMessage(line.fields.msg);
      if (!isWireError(ev)) push({ kind: "stt", atMs: clock.nowMs, event: ev });
    } else if (line.kind === "tts") {
      const f = line.fields;
      if (typeof f.replyId !== "string") return;
      if (f.done === true) {
        push({ kind: "replyDone", atMs: clock.nowMs, replyId: f.replyId });
        return;
      }
      const bytes = typeof f.payload === "string" ? base64Decode(f.payload) : null;
      if (!bytes) return;
      push({
        kind: "agentAudio",
        atMs: clock.nowMs,
        replyId: f.replyId,
        bytes,
        text: typeof f.text === "string" ? f.text : "",
        phraseDone: f.phraseDone !== false,
      });
    }
  }

  // The recording's lines are in time order: step the clock through them rather than scheduling
  // each one (a line comes before every callback due at the same time, as if scheduled first).
  for (const line of fixture.lines) {
    clock.advanceTo(line.t);
    deliverLine(line);
  }
  clock.run();
  return {
    report: buildReport(name, durationMs, events, sent),
    events,
    inputs,
    frames: engine.jitter.frameIndex + 1,
    playedRuns: sim.runs,
    baseLatencyMs,
  };
}
