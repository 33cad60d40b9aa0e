/**
 * The call engine: one per call, pure. It composes the jitter buffer (audio clock), the shared
 * frame features, VAD, beep and answering-machine detection, turn-taking, barge-in with echo
 * rejection, and playout. Contract (ARCHITECTURE.md): `push(input)`, then `poll()` until it
 * returns `{kind:"wake"}`, then call `push({kind:"tick"})` at that host time (if not null).
 *
 * Control beats data (pipecat's system frames): `clear`, cancels, hang-up and events are queued
 * ahead of media and marks, and a `clear` drops media and marks still waiting in the queue.
 */
import { createFeatureExtractor, type FeatureExtractor } from "./audio/features.ts";
import { MULAW_ABS_TABLE, MULAW_DECODE_TABLE } from "./audio/mulaw.ts";
import { createAmd, type Amd, type AmdEvent } from "./amd.ts";
import { BargeInDetector, type BargeInOptions, type BargeInVerdict } from "./bargein.ts";
import { EchoMonitor, type EchoOptions } from "./echo.ts";
import { JitterBuffer, type JitterBufferOptions } from "./jitter-buffer.ts";
import { Playout, type PlayoutOptions } from "./playout.ts";
import { TurnTaker, type TurnOptions, type TurnSink } from "./turns.ts";
import type { AmdVerdict, EngineEvent, EngineInput, EngineOutput, TwilioInbound, TwilioOutbound } from "./types.ts";
import { sameWords } from "./utterance-cues.ts";
import { createVad, type Vad, type VadOptions } from "./vad.ts";

/** Engine options. Nested option groups are Partial overrides of each part's defaults. */
export interface CallEngineOptions {
  /** Who placed the call. Inbound calls greet at once and never run AMD. Default "outbound". */
  direction: "inbound" | "outbound";
  /** Run answering-machine detection on an outbound call. Default true. */
  amd: boolean;
  /** On a machine: hang up, or leave a message after its greeting. Default "leave_message". */
  machineAction: "hangup" | "leave_message";
  /**
   * Outbound greeting: "afterVerdict" waits for a human verdict and the caller's first turn;
   * "immediate" greets at once and yields (is cut) if a machine is detected. Default "afterVerdict".
   */
  greetingMode: "afterVerdict" | "immediate";
  /** Milliseconds of caller speech (voiced frames, exponential mean) defining their usual level. */
  callerLevelFrames: number;
  jitter: Partial<JitterBufferOptions>;
  vad: Partial<VadOptions>;
  turns: Partial<TurnOptions>;
  bargeIn: Partial<BargeInOptions>;
  echo: Partial<EchoOptions>;
  playout: Partial<PlayoutOptions>;
}

/** Defaults (see each field). */
export const DEFAULT_CALL_ENGINE_OPTIONS: Readonly<CallEngineOptions> = Object.freeze({
  direction: "outbound",
  amd: true,
  machineAction: "leave_message",
  greetingMode: "afterVerdict",
  callerLevelFrames: 50,
  jitter: {},
  vad: {},
  turns: {},
  bargeIn: {},
  echo: {},
  playout: {},
});

/** Parts the host may replace (tests, other detectors). */
export interface CallEnginePorts {
  /** Answering-machine detector (default: `createAmd()` when AMD is on). */
  readonly amd?: Amd;
}

const FRAME_SAMPLES = 160;
const FRAME_MS = 20;

type ReplyRole = "reply" | "greeting" | "voicemail";

/** An answering-machine verdict as the engine keeps it. Times in audio ms. */
export interface AmdDecision {
  readonly verdict: AmdVerdict;
  readonly atMs: number;
  readonly reason: string;
}

/** See the file comment. */
export class CallEngine {
  readonly options: Readonly<CallEngineOptions>;
  readonly jitter: JitterBuffer;
  readonly playout: Playout;
  readonly turns: TurnTaker;
  /** Audio ms at the end of the last processed caller frame. */
  nowAudioMs = 0;
  /** Twilio messages that failed to parse or made no sense. */
  wireErrors = 0;
  streamSid = "";
  amdVerdict: AmdDecision | null = null;
  /** Audio ms where the machine's greeting ended (beep end or silence), null if not (yet). */
  greetingEndedMs: number | null = null;
  beepAtMs: number | null = null;

  private readonly controls: EngineOutput[] = [];
  private readonly data: EngineOutput[] = [];
  private controlRead = 0;
  /** The reused `wake` output (see `poll`). */
  private readonly wakeOut: { kind: "wake"; atMs: number | null } = { kind: "wake", atMs: null };
  private dataRead = 0;
  private readonly features: FeatureExtractor;
  private readonly vad: Vad;
  private readonly echo: EchoMonitor;
  private readonly bargeIn: BargeInDetector;
  private readonly amd: Amd | null;
  private readonly pcm = new Int16Array(FRAME_SAMPLES);
  private nextReply = 1;
  private readonly roles = new Map<string, ReplyRole>();
  /** The pending speculative reply, if any. */
  private spec: { id: string; text: string } | null = null;
  /** The confirmed reply not yet finished, if any. */
  private current: string | null = null;
  private greeted = false;
  private machine = false;
  private voicemailStarted = false;
  private ended = false;
  private amdDone = false;
  private callerLevelDb = Number.NaN;
  /** Latest host ms seen on an input (the playout paces its sends on it). */
  private hostMs = -Infinity;
  /**
   * Smallest host-minus-audio time of caller media: the network's base latency. Host ms minus it
   * is the audio time at the caller's side now, which keeps running through a network stall while
   * the processed audio clock (`nowAudioMs`) waits for the burst; Twilio plays our audio on the
   * former, so the playout schedules on it (echo alignment, what was heard).
   */
  private hostOffsetMs = Infinity;
  /** Replies opened whose first sent audio is not reported yet. */
  private readonly awaitingFirstAudio: string[] = [];
  /** Text of the latest transcript covering a barge-in candidate (handed to the turn when it barges in). */
  private candidateText = "";
  /** Audio ms where the words of `candidateText` end. */
  private candidateEndMs = -1;
  /** Audio ms at which the current hold sent its `clear` (NaN: no hold, or it had nothing to clear). */
  private holdClearMs = Number.NaN;

  constructor(opts: Partial<CallEngineOptions> = {}, ports: CallEnginePorts = {}) {
    this.options = Object.freeze({ ...DEFAULT_CALL_ENGINE_OPTIONS, ...opts });
    const o = this.options;
    this.jitter = new JitterBuffer(o.jitter);
    this.features = createFeatureExtractor();
    this.vad = createVad(o.vad);
    this.echo = new EchoMonitor(o.echo);
    this.bargeIn = new BargeInDetector(this.echo, o.bargeIn);
    const amdOn = o.direction === "outbound" && o.amd;
    // Every call's words reach the detector (`amdTranscript`).
    this.amd = amdOn ? (ports.amd ?? createAmd({ expectTranscripts: true })) : null;
    this.playout = new Playout(
      {
        send: (msg) => this.sendTwilio(msg),
        scheduled: (frameIndex, level) => this.echo.outbound(frameIndex, level),
        unscheduled: (frameIndex) => this.echo.unscheduled(frameIndex),
      },
      () => this.streamSid,
      o.playout,
    );
    this.turns = new TurnTaker(this.turnSink(), o.turns);
    this.turns.enabled = !amdOn;
  }

  // -------------------------------------------------------------------------------------------
  // Output queue
  // -------------------------------------------------------------------------------------------

  private control(out: EngineOutput): void {
    this.controls.push(out);
  }

  private event(ev: EngineEvent): void {
    this.controls.push({ kind: "event", event: ev });
  }

  private sendTwilio(msg: TwilioOutbound): void {
    if (msg.event === "clear") {
      // Control beats data: drop media and marks not yet handed to the host, then clear.
      this.data.length = this.dataRead = 0;
      this.controls.push({ kind: "twilio", msg });
    } else this.data.push({ kind: "twilio", msg });
  }

  /**
   * Next output; `{kind:"wake"}` when there is nothing more until the given host time. The wake
   * output is one object reused by every `poll` (hosts read `atMs` before polling again), so
   * draining the queue allocates nothing.
   */
  poll(): EngineOutput {
    if (this.controlRead < this.controls.length) return this.controls[this.controlRead++]!;
    this.controls.length = this.controlRead = 0;
    if (this.dataRead < this.data.length) return this.data[this.dataRead++]!;
    this.data.length = this.dataRead = 0;
    const w = this.wakeOut;
    if (this.ended) {
      w.atMs = null;
      return w;
    }
    const j = this.jitter.deadlineMs();
    const p = this.playout.nextSendHostMs;
    w.atMs = j === null ? p : p === null ? j : Math.min(j, p);
    return w;
  }

  // -------------------------------------------------------------------------------------------
  // Inputs
  // -------------------------------------------------------------------------------------------

  /** Feed one input (see types.ts). */
  push(input: EngineInput): void {
    if (this.ended) return;
    if (input.atMs > this.hostMs) this.hostMs = input.atMs;
    this.dispatch(input);
    if (this.ended) return;
    this.playout.pump(this.hostMs, this.playNowMs());
    if (this.awaitingFirstAudio.length > 0) this.noteFirstAudio();
  }

  /**
   * Audio ms at the caller's side now, the playout's clock: the processed audio clock, or ahead of
   * it while a burst after a network stall is being worked through (see `hostOffsetMs`).
   */
  private playNowMs(): number {
    const callerNowMs = this.hostMs - this.hostOffsetMs;
    return callerNowMs > this.nowAudioMs ? callerNowMs : this.nowAudioMs;
  }

  private dispatch(input: EngineInput): void {
    switch (input.kind) {
      case "twilio":
        this.onTwilio(input.msg, input.atMs);
        break;
      case "twilioError":
        this.wireErrors++;
        this.event({ type: "wireError", code: input.error.code, atAudioMs: this.nowAudioMs });
        break;
      case "stt":
        this.drainFrames(input.atMs);
        this.onStt(input);
        break;
      case "agentAudio":
        this.drainFrames(input.atMs);
        this.onAgentAudio(input.replyId, input.bytes, input.text, input.phraseDone ?? true, input);
        break;
      case "replyDone":
        this.drainFrames(input.atMs);
        this.playout.finish(input.replyId);
        break;
      case "replyFailed":
        this.onReplyFailed(input.replyId);
        break;
      case "tick":
        this.drainFrames(input.atMs);
        break;
      case "hangup":
        // Replies still playing are cut where the caller's audio is now: report what was heard.
        for (const c of this.playout.cutAll(this.playNowMs())) {
          this.control({ kind: "reply.cancel", replyId: c.replyId, heardText: c.heardText });
        }
        this.ended = true;
        break;
    }
  }

  private onTwilio(msg: TwilioInbound, atMs: number): void {
    switch (msg.event) {
      case "media":
        if (atMs - msg.timestampMs < this.hostOffsetMs) this.hostOffsetMs = atMs - msg.timestampMs;
        this.jitter.push(msg.chunk, msg.timestampMs, msg.payload, atMs);
        this.drainFrames(atMs);
        return;
      case "start":
        this.streamSid = msg.streamSid;
        this.event({ type: "streamStarted", streamSid: msg.streamSid, callSid: msg.callSid });
        if (this.options.direction === "inbound" || this.options.greetingMode === "immediate") {
          this.greet();
        }
        return;
      case "mark":
        this.drainFrames(atMs);
        this.onMark(msg.name);
        return;
      case "dtmf":
        this.drainFrames(atMs);
        this.control({ kind: "dtmf", digit: msg.digit });
        this.event({ type: "dtmf", digit: msg.digit, atAudioMs: this.nowAudioMs });
        return;
      case "stop":
        while (this.jitter.pop(atMs, true)) this.onFrame();
        this.event({ type: "streamStopped", atAudioMs: this.nowAudioMs });
        this.ended = true;
        return;
      case "connected":
        return;
    }
  }

  private drainFrames(atMs: number): void {
    while (this.jitter.pop(atMs)) this.onFrame();
  }

  // -------------------------------------------------------------------------------------------
  // The audio path: once per 20 ms of caller audio
  // -------------------------------------------------------------------------------------------

  private onFrame(): void {
    const frameIndex = this.jitter.frameIndex;
    const bytes = this.jitter.frame;
    const pcm = this.pcm;
    let abs = 0;
    for (let i = 0; i < FRAME_SAMPLES; i++) {
      const code = bytes[i]!;
      pcm[i] = MULAW_DECODE_TABLE[code]!;
      abs += MULAW_ABS_TABLE[code]!;
    }
    const startMs = frameIndex * FRAME_MS;
    const endMs = startMs + FRAME_MS;
    this.nowAudioMs = endMs;
    const f = this.features.compute(pcm);
    const v = this.vad.push(pcm, f);
    this.echo.inbound(frameIndex, abs / FRAME_SAMPLES);

    if (v.onset || v.offset) {
      // settledAt indexes the VAD's own frames; this frame is its (frames − 1)th.
      const settledAudioMs = startMs - (this.vad.frames - 1 - v.settledAt) * FRAME_MS;
      this.event({ type: "vad", speaking: v.speech, atAudioMs: startMs, settledAudioMs });
    }
    if (this.amd && !this.amdDone) this.amdEvents(this.amd.push(pcm, startMs, f, v));

    const playing = this.playout.isPlaying(endMs);
    if (playing && this.current !== null && this.turns.state === "thinking") this.turns.agentStarted();
    if ((playing || this.bargeIn.holding) && !this.machine) {
      // The ungated decision: while the agent is audible, the inbound stream carries whatever
      // of our own voice echoes back, and a steady synthetic voice looks like music to the music
      // cue, which would then hide the caller talking over it. Echo is the echo check's job.
      const verdict = this.bargeIn.frame(frameIndex, v.ungatedRaw, v.ungatedSpeech);
      if (verdict !== "none") this.onBargeInVerdict(verdict, endMs);
    } else if (this.bargeIn.active) this.bargeIn.reset();

    if (v.speech && v.raw && this.turns.state === "userSpeaking") {
      const n = this.options.callerLevelFrames;
      this.callerLevelDb = Number.isNaN(this.callerLevelDb)
        ? v.energyDb
        : this.callerLevelDb + (v.energyDb - this.callerLevelDb) / n;
    }
    if (!this.machine) this.turns.frame(endMs, v.speech, v.raw);
  }

  // -------------------------------------------------------------------------------------------
  // Answering machine
  // -------------------------------------------------------------------------------------------

  private amdEvents(events: readonly AmdEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case "verdict":
          if (!this.amdVerdict) this.onVerdict({ verdict: e.verdict, atMs: e.atMs, reason: e.reason });
          break;
        case "beep":
          if (this.beepAtMs === null) this.beepAtMs = e.beep.startMs;
          this.event({ type: "beep", startAudioMs: e.beep.startMs, atAudioMs: this.nowAudioMs });
          break;
        case "greetingEnded":
          this.greetingEndedMs = e.atMs;
          this.event({ type: "greetingEnded", atAudioMs: e.atMs });
          if (this.machine && !this.voicemailStarted && this.options.machineAction === "leave_message") {
            this.voicemailStarted = true;
            const id = this.openReply("voicemail", false);
            this.control({ kind: "voicemail", action: "leave_message", replyId: id });
          }
          break;
      }
    }
    // Once a human is decided, or the machine's greeting is over, the detector has no more to say.
    if (this.amdVerdict && (this.amdVerdict.verdict !== "machine" || this.greetingEndedMs !== null)) this.amdDone = true;
  }

  private onVerdict(d: AmdDecision): void {
    this.amdVerdict = d;
    this.event({ type: "amd", verdict: d.verdict, atAudioMs: d.atMs, reason: d.reason });
    if (d.verdict === "machine") {
      this.machine = true;
      this.turns.enabled = false;
      this.turns.clear();
      this.cancelSpeculation();
      // An immediate greeting yields to the machine.
      const cuts = this.playout.cutAll(this.nowAudioMs);
      for (const c of cuts) this.control({ kind: "reply.cancel", replyId: c.replyId, heardText: c.heardText });
      this.current = null;
      if (this.options.machineAction === "hangup") {
        this.voicemailStarted = true;
        this.control({ kind: "voicemail", action: "hangup", replyId: null });
        this.hangup("voicemail");
      }
      return;
    }
    // human or unknown: talk. Greet now unless the caller is mid-turn (then at its end).
    this.turns.enabled = true;
    if (!this.greeted && this.turns.state === "listening") this.greet();
  }

  /** Words for the AMD (transcript cues such as "leave a message"). */
  private amdTranscript(text: string, isFinal: boolean): void {
    if (!this.amd || this.amdDone) return;
    this.amdEvents(this.amd.pushTranscript(text, this.nowAudioMs, isFinal));
  }

  // -------------------------------------------------------------------------------------------
  // Replies
  // -------------------------------------------------------------------------------------------

  private openReply(role: ReplyRole, held: boolean): string {
    const id = `r${this.nextReply++}`;
    this.roles.set(id, role);
    this.playout.open(id, held);
    this.awaitingFirstAudio.push(id);
    if (!held) this.current = id;
    return id;
  }

  private greet(): void {
    if (this.greeted) return;
    this.greeted = true;
    const id = this.openReply("greeting", false);
    this.turns.state = "thinking";
    this.control({ kind: "greeting", replyId: id });
  }

  private cancelSpeculation(): void {
    if (!this.spec) return;
    this.control({ kind: "reply.cancel", replyId: this.spec.id, heardText: "" });
    this.event({ type: "speculationDiscarded", replyId: this.spec.id, atAudioMs: this.nowAudioMs });
    this.playout.drop(this.spec.id);
    this.spec = null;
  }

  private turnSink(): TurnSink {
    return {
      finalize: () => this.control({ kind: "stt", control: "finalize" }),
      speculate: (text) => {
        if (!this.greeted && this.amd) return; // the first thing we say is the greeting
        this.cancelSpeculation();
        const id = this.openReply("reply", true);
        this.spec = { id, text };
        this.control({ kind: "reply.start", replyId: id, transcript: text, speculative: true });
      },
      confirm: (text, userEndMs, nowMs, reason) => {
        let id: string;
        if (!this.greeted) {
          this.greeted = true;
          id = this.openReply("greeting", false);
          this.control({ kind: "greeting", replyId: id });
        } else if (this.spec && sameWords(this.spec.text, text)) {
          id = this.spec.id;
          this.spec = null;
          this.current = id;
          this.control({ kind: "reply.confirm", replyId: id });
          this.playout.release(id);
        } else {
          this.cancelSpeculation();
          id = this.openReply("reply", false);
          this.control({ kind: "reply.start", replyId: id, transcript: text, speculative: false });
        }
        this.event({
          type: "turn",
          userEndAudioMs: userEndMs,
          endpointAudioMs: nowMs,
          replyId: id,
          transcript: text,
          reason,
        });
      },
      discard: () => this.cancelSpeculation(),
      resumed: (nowMs) => {
        this.cancelSpeculation();
        const cuts = this.playout.cutAll(nowMs);
        for (const c of cuts) this.control({ kind: "reply.cancel", replyId: c.replyId, heardText: c.heardText });
        this.current = null;
      },
      dropped: () => {
        this.cancelSpeculation();
      },
    };
  }

  private onAgentAudio(
    replyId: string,
    bytes: Uint8Array,
    text: string,
    phraseDone: boolean,
    input: Extract<EngineInput, { kind: "agentAudio" }>,
  ): void {
    this.playout.add(replyId, bytes, text, phraseDone, input.words);
  }

  /** Report the first sent audio of replies that have just started sending. */
  private noteFirstAudio(): void {
    const list = this.awaitingFirstAudio;
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      const at = this.playout.firstSentMs(id);
      if (Number.isNaN(at)) {
        if (this.playout.has(id)) continue;
      } else this.event({ type: "firstAudio", replyId: id, atAudioMs: at });
      list.splice(i--, 1);
    }
  }

  private onReplyFailed(replyId: string): void {
    if (this.spec?.id === replyId) this.spec = null;
    this.playout.finish(replyId);
    if (this.current === replyId && !this.playout.isPlaying(this.nowAudioMs)) {
      this.playout.drop(replyId);
      this.current = null;
      this.turns.agentFinished();
    }
  }

  private onMark(name: string): void {
    const done = this.playout.markEchoed(name, this.nowAudioMs);
    if (done === null) return;
    this.event({ type: "replyPlayed", replyId: done, atAudioMs: this.nowAudioMs });
    const role = this.roles.get(done);
    if (done === this.current) {
      this.current = null;
      this.turns.agentFinished();
      // Words that made a resumed backchannel more came as the reply ended: they are the
      // caller's turn (nothing is left to interrupt).
      if (this.bargeIn.latePending) {
        this.turns.bargedIn(this.bargeIn.lastStartMs, this.nowAudioMs, this.candidateText, this.candidateEndMs);
      }
      this.bargeIn.reset();
      this.holdClearMs = Number.NaN;
      if (this.playout.held) this.playout.resume();
    }
    if (role === "voicemail") this.hangup("voicemail");
  }

  private onBargeInVerdict(verdict: BargeInVerdict, endMs: number): void {
    const b = this.bargeIn;
    switch (verdict) {
      case "hold":
        // Stage 1: stop sending and `clear` at once (control beats data): Twilio drops its buffer,
        // the caller hears the agent stop within the frame in flight. Nothing is cancelled yet: a
        // resume re-sends from what the caller heard.
        this.holdClearMs = this.playout.hold(this.playNowMs()) ? endMs : Number.NaN;
        this.event({ type: "bargeInHold", speechStartAudioMs: b.startMs, atAudioMs: endMs });
        return;
      case "bargeIn":
        this.doBargeIn(endMs);
        return;
      case "resume":
        this.candidateText = "";
        this.holdClearMs = Number.NaN;
        this.playout.resume();
        this.event({ type: "bargeInIgnored", atAudioMs: endMs, why: b.resumeWhy });
        this.event({
          type: "bargeInResumed",
          speechStartAudioMs: b.lastStartMs,
          holdAudioMs: b.holdMs,
          atAudioMs: endMs,
          why: b.resumeWhy,
        });
        return;
      case "ignoredEcho":
        this.event({ type: "bargeInIgnored", atAudioMs: endMs, why: "echo" });
        return;
      case "none":
        return;
    }
  }

  private doBargeIn(nowMs: number): void {
    const speechStartMs = this.bargeIn.lastStartMs;
    const holdMs = this.bargeIn.holdMs;
    const clears = this.playout.stats.clears;
    const cuts = this.playout.cutAll(this.playNowMs());
    // The clear that silenced the agent: this cut's, if it needed one (audio went out since the
    // hold's), else the hold's.
    const clearMs = this.playout.stats.clears > clears || Number.isNaN(this.holdClearMs) ? nowMs : this.holdClearMs;
    this.holdClearMs = Number.NaN;
    for (const c of cuts) {
      this.control({ kind: "reply.cancel", replyId: c.replyId, heardText: c.heardText });
      this.event({
        type: "bargeIn",
        speechStartAudioMs: speechStartMs,
        clearAudioMs: clearMs,
        replyId: c.replyId,
        heardText: c.heardText,
        holdAudioMs: holdMs,
      });
    }
    this.current = null;
    this.turns.bargedIn(speechStartMs, nowMs, this.candidateText, this.candidateEndMs);
    this.candidateText = "";
  }

  private hangup(reason: string): void {
    this.control({ kind: "hangup", reason });
    this.ended = true;
  }

  private onStt(input: Extract<EngineInput, { kind: "stt" }>): void {
    const ev = input.event;
    const now = this.nowAudioMs;
    switch (ev.type) {
      case "transcript":
        if (ev.text) this.event({ type: "transcript", text: ev.text, isFinal: ev.isFinal, atAudioMs: ev.endMs });
        this.amdTranscript(ev.text, ev.isFinal);
        if (this.machine) return;
        if (this.turns.state === "agentSpeaking") {
          if (this.bargeIn.active && ev.endMs >= this.bargeIn.startMs && ev.text) {
            this.candidateText = ev.text;
            this.candidateEndMs = ev.endMs;
            this.bargeIn.words(ev.text);
          } else if (ev.text && this.bargeIn.lateWords(ev.text, ev.endMs, now)) {
            this.candidateText = ev.text;
            this.candidateEndMs = ev.endMs;
          }
          return;
        }
        this.turns.transcriptResult(ev, now);
        return;
      case "utteranceEnd":
        if (!this.machine) this.turns.utteranceEnd(ev, now);
        return;
      case "speechStarted":
      case "metadata":
        return;
    }
  }

  /** Current verdict of the answering-machine detector (null while pending or off). */
  get verdict(): AmdVerdict | null {
    return this.amdVerdict?.verdict ?? null;
  }
}
