/**
 * A live call: the only place with timers and a real clock (ARCHITECTURE.md). It feeds the pure
 * engine with Twilio messages, STT events and synthesised audio, carries out the engine's outputs
 * against the socket and the providers, and persists what happened.
 */
import { CallEngine, type CallEngineOptions } from "../engine/call-engine.ts";
import { parseDeepgramMessage } from "../engine/stt-events.ts";
import { encodeTwilioOutbound, isWireError, parseTwilioMessage } from "../engine/twilio-media.ts";
import type { EngineEvent, EngineInput } from "../engine/types.ts";
import type { Logger } from "../lib/logger.ts";
import type { LlmMessage, LlmPort } from "../providers/llm/port.ts";
import type { SttPort, SttSession } from "../providers/stt/port.ts";
import type { TelephonyPort } from "../providers/telephony/port.ts";
import type { TtsPort } from "../providers/tts/port.ts";
import type { CallRow } from "../services/calls.ts";
import { summarize, type TurnLatency } from "./latency.ts";
import type { CallRecorder } from "./recorder.ts";
import { postTool, produceReply, speakText, type ReplyOptions, type ReplySink } from "./reply.ts";
import type { SessionStore } from "./store.ts";

export interface SessionProviders {
  stt: SttPort | null;
  llm: LlmPort | null;
  tts: TtsPort | null;
  /** Hangs up the call at the carrier (null for calls without one). */
  telephony: TelephonyPort | null;
}

export interface SessionOptions {
  engine: Partial<CallEngineOptions>;
  reply: Partial<ReplyOptions>;
  /** Close a socket that sent nothing for this long (half-open connections). */
  idleTimeoutMs: number;
}

/** Replies in a row that could not be produced before the call is ended with an error. */
const MAX_FAILED_REPLIES = 2;

/**
 * Live calls keep 500 ms of agent audio queued at Twilio (the engine's default is 100 ms): an event
 * loop stalled by hundreds of calls in one process (measured up to ~550 ms at 500 calls) then never
 * starves the caller's playback, and since barge-in sends `clear` at once and resumes from what was
 * heard, a deeper queue costs nothing there.
 */
export const DEFAULT_SESSION_OPTIONS: Readonly<SessionOptions> = Object.freeze({ engine: { playout: { leadMs: 500 } }, reply: {}, idleTimeoutMs: 15_000 });

export interface SessionDeps {
  call: CallRow;
  providers: SessionProviders;
  store: SessionStore;
  log: Logger;
  /** Sends one text frame to Twilio. */
  send(text: string): void;
  /** Closes the media socket. */
  close(): void;
  recorder: CallRecorder | null;
  /** Host clock, ms (performance.now in production). */
  nowMs(): number;
  options?: Partial<SessionOptions>;
  /** Called once when the session is over. */
  onEnd?(session: CallSession): void;
  /** Metrics hooks. */
  observe?: { turn(latency: TurnLatency): void; malformed(): void };
  /** The caller's words as recognised, interim and final (live transcript streams). */
  onTranscript?(text: string, isFinal: boolean, atAudioMs: number): void;
}

interface ReplyState {
  id: string;
  kind: "reply" | "greeting" | "voicemail";
  abort: AbortController;
  text: string;
  done: boolean;
  endCall: boolean;
  latency: TurnLatency;
  /** Tool calls and results the reply made (kept in the history with its text). */
  toolMessages?: LlmMessage[];
}

/** See the file comment. One per media websocket. */
export class CallSession {
  readonly engine: CallEngine;
  readonly callId: string;
  private readonly openedAt: number;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private idleTimer: ReturnType<typeof setTimeout> | null = null;
  private lastActivityMs = 0;
  private maxTimer: ReturnType<typeof setTimeout> | null = null;
  private stt: SttSession | null = null;
  private readonly history: LlmMessage[] = [];
  private readonly replies = new Map<string, ReplyState>();
  private readonly turns: TurnLatency[] = [];
  private pendingDtmf: string[] = [];
  /** audio ms − host ms, from the latest media frame (maps provider marks onto audio time). */
  private audioOffsetMs = 0;
  private userStartAudioMs: number | null = null;
  private lastFinalHostMs: number | null = null;
  private ended = false;
  private endReason: string | null = null;
  private failedReplies = 0;
  private readonly o: SessionOptions;
  readonly stats = { framesIn: 0, malformed: 0, sent: 0 };

  constructor(private readonly deps: SessionDeps) {
    this.o = { ...DEFAULT_SESSION_OPTIONS, ...deps.options };
    this.callId = deps.call.id;
    this.openedAt = deps.nowMs();
    const call = deps.call;
    this.engine = new CallEngine({
      direction: call.direction,
      amd: call.direction === "outbound",
      machineAction: call.voicemailAction,
      greetingMode: call.greetingMode === "immediate" ? "immediate" : "afterVerdict",
      ...this.o.engine,
    });
    const system = [call.systemPrompt, Object.keys(call.context).length ? `Context for this call (JSON): ${JSON.stringify(call.context)}` : ""]
      .filter(Boolean)
      .join("\n\n");
    this.history.push({
      role: "system",
      content: `${system}\n\nYou are speaking on a phone call: answer in short spoken sentences. To end the call, say goodbye and call end_call (or write [END_CALL]).`,
    });
    this.bumpIdle();
    this.maxTimer = setTimeout(() => this.hangup("max_duration"), call.maxDurationSeconds * 1000);
  }

  private t(): number {
    return Math.round((this.deps.nowMs() - this.openedAt) * 10) / 10;
  }

  /** Opens the speech-to-text session (before audio flows; audio is buffered by the adapter). */
  async start(): Promise<void> {
    const { stt } = this.deps.providers;
    if (!stt) {
      this.fail("no speech-to-text provider is configured");
      return;
    }
    try {
      this.stt = await stt.open({ language: this.deps.call.language, tag: this.callId }, (ev) => {
        if (ev.type === "message") {
          const at = this.t();
          this.deps.recorder?.stt(at, ev.message);
          const parsed = parseDeepgramMessage(ev.message);
          if (isWireError(parsed)) return;
          const shifted = ev.audioOffsetMs ? shiftStt(parsed, ev.audioOffsetMs) : parsed;
          if (shifted.type === "transcript" && shifted.isFinal) this.lastFinalHostMs = this.deps.nowMs();
          this.push({ kind: "stt", atMs: at, event: shifted });
        } else if (ev.type === "error") {
          this.fail(`speech-to-text failed: ${ev.error.message}`);
        } else if (ev.type === "reconnecting") {
          this.deps.log.warn({ call_id: this.callId, attempt: ev.attempt }, "speech-to-text reconnecting");
        }
      });
    } catch (e) {
      this.fail(`speech-to-text could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** One text frame from Twilio. Malformed frames are counted and logged; the call goes on. */
  onMessage(raw: string): void {
    if (this.ended) return;
    this.bumpIdle();
    const at = this.t();
    this.deps.recorder?.twilioIn(at, raw);
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      json = undefined;
    }
    const msg = json === undefined ? { error: true as const, code: "not_json", message: "frame is not JSON" } : parseTwilioMessage(json);
    if (isWireError(msg)) {
      this.stats.malformed++;
      this.deps.observe?.malformed();
      if (this.stats.malformed <= 5 || this.stats.malformed % 100 === 0) {
        this.deps.log.warn({ call_id: this.callId, code: msg.code, count: this.stats.malformed }, "malformed media frame");
      }
      this.push({ kind: "twilioError", atMs: at, error: msg });
      return;
    }
    if (msg.event === "media") {
      this.stats.framesIn++;
      this.audioOffsetMs = msg.timestampMs + msg.payload.length / 8 - at;
      this.stt?.send(msg.payload);
      this.deps.recorder?.callerAudio(msg.timestampMs, msg.payload);
    }
    this.push({ kind: "twilio", atMs: at, msg });
    if (msg.event === "stop") this.finish("caller_hangup");
  }

  /** The socket closed (caller hung up, network). */
  onClose(): void {
    this.finish("caller_hangup");
  }

  // -------------------------------------------------------------------------------------------

  private push(input: EngineInput): void {
    if (this.ended && input.kind !== "hangup") return;
    this.engine.push(input);
    this.drain();
  }

  private drain(): void {
    for (;;) {
      const out = this.engine.poll();
      switch (out.kind) {
        case "wake":
          this.schedule(out.atMs);
          return;
        case "twilio": {
          const text = JSON.stringify(encodeTwilioOutbound(out.msg));
          this.deps.send(text);
          this.stats.sent++;
          this.deps.recorder?.sent(this.t(), text);
          if (out.msg.event === "media") this.deps.recorder?.agentAudio(this.engine.nowAudioMs, out.msg.payload);
          else if (out.msg.event === "clear") this.deps.recorder?.agentCleared(this.engine.nowAudioMs);
          break;
        }
        case "stt":
          this.stt?.finalize();
          break;
        case "reply.start":
          this.startReply(out.replyId, "reply", out.transcript);
          break;
        case "reply.confirm":
          break;
        case "reply.cancel":
          this.cancelReply(out.replyId, out.heardText);
          break;
        case "greeting":
          this.startReply(out.replyId, "greeting", this.deps.call.initialGreeting);
          break;
        case "voicemail":
          this.deps.store.setHangupReason(this.callId, "voicemail");
          if (out.action === "leave_message" && out.replyId) this.startReply(out.replyId, "voicemail", this.deps.call.voicemailMessage);
          break;
        case "dtmf":
          this.pendingDtmf.push(out.digit);
          this.deps.store.recordTurn(this.callId, { role: "dtmf", text: out.digit, startMs: this.engine.nowAudioMs });
          break;
        case "event":
          this.onEvent(out.event);
          break;
        case "hangup":
          this.hangup(out.reason);
          break;
      }
    }
  }

  private schedule(atMs: number | null): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (atMs === null || this.ended) return;
    const delay = Math.max(0, atMs - this.t());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.push({ kind: "tick", atMs: this.t() });
    }, delay);
  }

  /**
   * Notes activity on the socket. Called for every frame (50 a second), so it only stamps the
   * time; one timer checks the stamp and re-arms itself for the time that is left.
   */
  private bumpIdle(): void {
    this.lastActivityMs = this.deps.nowMs();
    if (this.idleTimer) return;
    const check = () => {
      const quietMs = this.deps.nowMs() - this.lastActivityMs;
      if (quietMs < this.o.idleTimeoutMs) {
        this.idleTimer = setTimeout(check, this.o.idleTimeoutMs - quietMs);
        return;
      }
      this.idleTimer = null;
      this.deps.log.warn({ call_id: this.callId }, "media socket idle: closing");
      this.deps.store.setError(this.callId, `no media for ${this.o.idleTimeoutMs} ms: the connection was closed`);
      this.hangup("failed");
    };
    this.idleTimer = setTimeout(check, this.o.idleTimeoutMs);
  }

  private audioAt(hostMs: number | null): number | null {
    return hostMs === null ? null : Math.round(hostMs - this.openedAt + this.audioOffsetMs);
  }

  private onEvent(ev: EngineEvent): void {
    switch (ev.type) {
      case "amd":
        this.deps.store.setAnsweredBy(this.callId, ev.verdict);
        break;
      case "vad":
        if (ev.speaking && this.userStartAudioMs === null) this.userStartAudioMs = ev.atAudioMs;
        break;
      case "turn": {
        const reply = this.replies.get(ev.replyId);
        let text = ev.transcript;
        if (this.pendingDtmf.length) {
          text = `${text} [keypad: ${this.pendingDtmf.join(" ")}]`.trim();
          this.pendingDtmf = [];
        }
        if (text) this.history.push({ role: "user", content: text });
        const latency: TurnLatency = {
          speechEndMs: ev.userEndAudioMs,
          endOfTurnMs: ev.endpointAudioMs,
          finalTranscriptMs: this.audioAt(this.lastFinalHostMs),
          firstLlmTokenMs: null,
          firstTtsByteMs: null,
          firstMediaMs: null,
        };
        // The reply may have started speculatively: keep the marks it already has.
        if (reply) reply.latency = { ...reply.latency, speechEndMs: latency.speechEndMs, endOfTurnMs: latency.endOfTurnMs, finalTranscriptMs: latency.finalTranscriptMs };
        this.deps.store.recordTurn(this.callId, { role: "user", text, startMs: this.userStartAudioMs, endMs: ev.userEndAudioMs });
        this.userStartAudioMs = null;
        break;
      }
      case "firstAudio": {
        // Stamped on the same host-to-audio mapping as the provider marks, so stages compare.
        const reply = this.replies.get(ev.replyId);
        if (reply) reply.latency.firstMediaMs = this.audioAt(this.deps.nowMs());
        break;
      }
      case "replyPlayed":
        this.replyOver(ev.replyId, null);
        break;
      case "transcript":
        this.deps.onTranscript?.(ev.text, ev.isFinal, ev.atAudioMs);
        break;
      case "bargeIn":
        this.deps.log.info({ call_id: this.callId, reply: ev.replyId, heard: ev.heardText }, "barge-in");
        break;
      default:
        break;
    }
  }

  private startReply(id: string, kind: ReplyState["kind"], text: string): void {
    const { tts, llm } = this.deps.providers;
    const state: ReplyState = {
      id,
      kind,
      abort: new AbortController(),
      text: kind === "reply" ? "" : text,
      done: false,
      endCall: false,
      latency: {
        speechEndMs: null,
        endOfTurnMs: null,
        replyStartMs: this.audioAt(this.deps.nowMs()),
        firstPhraseMs: null,
        finalTranscriptMs: null,
        firstLlmTokenMs: null,
        firstTtsByteMs: null,
        firstMediaMs: null,
      },
    };
    this.replies.set(id, state);
    if (!tts) {
      this.fail("no text-to-speech provider is configured");
      return;
    }
    const sink: ReplySink = {
      audio: (chunk, phraseText, phraseDone) => {
        if (state.abort.signal.aborted || this.ended) return;
        const at = this.t();
        this.deps.recorder?.tts(at, id, phraseText, chunk, phraseDone);
        this.push({ kind: "agentAudio", atMs: at, replyId: id, bytes: chunk, text: phraseText, phraseDone });
      },
      firstToken: () => (state.latency.firstLlmTokenMs = this.audioAt(this.deps.nowMs())),
      firstPhrase: () => (state.latency.firstPhraseMs = this.audioAt(this.deps.nowMs())),
      firstTtsByte: () => (state.latency.firstTtsByteMs = this.audioAt(this.deps.nowMs())),
      tool: (name, args, result) => this.deps.store.recordTurn(this.callId, { role: "tool", text: `${name}(${args}) → ${result.slice(0, 500)}` }),
    };
    const voice = { voiceId: this.deps.call.voice || "default" };
    const run = async () => {
      if (kind !== "reply") {
        if (text.trim()) await speakText({ tts, voice }, text, sink, state.abort.signal);
        return;
      }
      const messages: LlmMessage[] = [...this.history, { role: "user", content: text }];
      const result = await produceReply(
        {
          llm,
          tts,
          voice,
          model: this.deps.call.llmModel,
          temperature: this.deps.call.llmTemperature,
          tools: this.deps.call.tools,
          callTool: postTool,
          options: this.o.reply,
        },
        messages,
        sink,
        state.abort.signal,
      );
      state.text = result.text;
      state.endCall = result.endCall;
      this.deps.recorder?.llm(this.t(), id, result.text);
      if (result.error) {
        this.deps.log.warn({ call_id: this.callId, err: result.error.toJSON() }, "LLM failed; apologised");
        this.deps.store.setError(this.callId, `LLM: ${result.error.message}`);
      }
      if (result.toolMessages.length) state.toolMessages = result.toolMessages;
    };
    run().then(
      () => {
        if (state.abort.signal.aborted || this.ended) return;
        state.done = true;
        this.failedReplies = 0;
        const at = this.t();
        this.deps.recorder?.ttsDone(at, id);
        this.push({ kind: "replyDone", atMs: at, replyId: id });
        // A reply with nothing to say that asked to end the call ends it now.
        if (state.endCall && !state.text) this.hangup("agent_ended");
      },
      (e: unknown) => {
        if (state.abort.signal.aborted || this.ended) return;
        const why = e instanceof Error ? e.message : String(e);
        this.deps.log.warn({ call_id: this.callId, reply: id, err: why }, "reply failed");
        this.deps.store.setError(this.callId, `reply failed: ${why}`);
        this.push({ kind: "replyFailed", atMs: this.t(), replyId: id, code: "provider_error" });
        // A caller who cannot be answered is not left on a silent line.
        if (++this.failedReplies >= MAX_FAILED_REPLIES) this.fail(`${this.failedReplies} replies in a row could not be spoken: ${why}`);
      },
    );
  }

  private cancelReply(id: string, heardText: string): void {
    const state = this.replies.get(id);
    if (!state) return;
    state.abort.abort();
    this.replyOver(id, heardText);
  }

  /** A reply finished playing (heard = null: all of it) or was cut. */
  private replyOver(id: string, heard: string | null): void {
    const state = this.replies.get(id);
    if (!state) return;
    this.replies.delete(id);
    const spoken = heard ?? state.text;
    const speculativeDiscard = heard === "" && state.latency.endOfTurnMs === null && state.kind === "reply";
    if (speculativeDiscard) return; // never spoken, never part of the conversation
    if (state.toolMessages) this.history.push(...state.toolMessages);
    if (spoken) this.history.push({ role: "assistant", content: spoken });
    this.deps.store.recordTurn(this.callId, {
      role: "agent",
      text: state.text,
      heardText: spoken,
      interrupted: heard !== null,
      startMs: state.latency.firstMediaMs,
      endMs: this.engine.nowAudioMs,
      latency: state.latency.speechEndMs !== null ? state.latency : null,
    });
    // Every reply that answered a caller's turn (the greeting too, when it waited for one) counts.
    if (state.latency.speechEndMs !== null) {
      this.turns.push(state.latency);
      this.deps.observe?.turn(state.latency);
    }
    if (heard === null && state.endCall) this.hangup("agent_ended");
  }

  private fail(message: string): void {
    if (this.ended) return;
    this.deps.log.error({ call_id: this.callId, message }, "call failed");
    this.deps.store.setError(this.callId, message);
    this.hangup("failed");
  }

  /** Ends the call from our side: at the carrier, then the socket. */
  hangup(reason: string): void {
    if (this.ended) return;
    this.deps.store.setHangupReason(this.callId, reason);
    const sid = this.deps.call.providerCallSid;
    const port = this.deps.providers.telephony;
    if (sid && port) {
      port.hangup(sid).catch((e: unknown) => this.deps.log.warn({ call_id: this.callId, err: String(e) }, "carrier hang-up failed"));
    }
    this.finish(reason);
    this.deps.close();
  }

  private finish(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    // The engine cuts the replies still playing and says what the caller heard of each.
    const heard = new Map<string, string>();
    this.engine.push({ kind: "hangup", atMs: this.t(), reason });
    for (let out = this.engine.poll(); out.kind !== "wake"; out = this.engine.poll()) {
      if (out.kind === "reply.cancel") heard.set(out.replyId, out.heardText);
    }
    for (const t of [this.timer, this.idleTimer, this.maxTimer]) if (t) clearTimeout(t);
    for (const r of [...this.replies.values()]) {
      r.abort.abort();
      // The call ended under this reply: it counts as cut, and its latency (if it began to play) counts.
      if (r.latency.firstMediaMs !== null || r.kind !== "reply") this.replyOver(r.id, heard.get(r.id) ?? "");
    }
    this.replies.clear();
    void this.stt?.close().catch(() => undefined);
    const recorder = this.deps.recorder;
    const done = async () => {
      if (recorder) await recorder.close().catch((e: unknown) => this.deps.log.warn({ err: String(e) }, "recording failed"));
      this.deps.store.sessionEnded(this.callId, {
        latency: summarize(this.turns),
        recordingPath: recorder?.wavPath ?? null,
        fixturePath: recorder?.fixturePath ?? null,
      });
      this.deps.onEnd?.(this);
    };
    void done();
  }

  get reason(): string | null {
    return this.endReason;
  }

  /** Latency marks of the turns answered so far. */
  get turnLatencies(): readonly TurnLatency[] {
    return this.turns;
  }
}

/** Deepgram times restart at 0 on a reconnection; shift them onto session audio time. */
function shiftStt<T extends ReturnType<typeof parseDeepgramMessage>>(ev: T, offsetMs: number): T {
  if ("error" in ev) return ev;
  switch (ev.type) {
    case "transcript":
      return { ...ev, startMs: ev.startMs + offsetMs, endMs: ev.endMs + offsetMs, words: ev.words.map((w) => ({ ...w, startMs: w.startMs + offsetMs, endMs: w.endMs + offsetMs })) };
    case "speechStarted":
      return { ...ev, atAudioMs: ev.atAudioMs + offsetMs };
    case "utteranceEnd":
      return { ...ev, lastWordEndMs: ev.lastWordEndMs + offsetMs };
    default:
      return ev;
  }
}
