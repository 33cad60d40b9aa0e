import { describe, expect, test } from "bun:test";
import type { Amd, AmdEvent } from "../../src/engine/amd.ts";
import { CallEngine, type CallEngineOptions } from "../../src/engine/call-engine.ts";
import type { EngineOutput, SttTranscript, TwilioInbound } from "../../src/engine/types.ts";
import { synthVoice } from "../../src/replay/synth-voice.ts";

const SID = "MZtest";
const voice = synthVoice("hello there how are you doing today my friend ".repeat(4));
/** Faint line noise, deterministic. */
const noise = Uint8Array.from({ length: 160 }, (_, i) => (i % 2 ? 0xfe : 0x7e));

/** A call driven frame by frame; outputs are summarised as strings. */
class Harness {
  readonly engine: CallEngine;
  readonly out: EngineOutput[] = [];
  /** Each output with the engine's audio clock when it came out (the playout schedules on it). */
  readonly log: [number, EngineOutput][] = [];
  frame = 0;
  private seq = 2;
  /** Unpaced playout unless the test sets `playout` (every frame sent at once, as a deep buffer would take it). */
  constructor(opts: Partial<CallEngineOptions>, amd?: Amd) {
    this.engine = new CallEngine({ playout: { leadMs: Infinity }, ...opts }, amd ? { amd } : {});
    this.twilio({
      event: "start",
      sequenceNumber: 1,
      streamSid: SID,
      callSid: "CA1",
      accountSid: "AC1",
      tracks: ["inbound"],
      encoding: "audio/x-mulaw",
      sampleRateHz: 8000,
      channels: 1,
      customParameters: {},
    });
  }
  twilio(msg: TwilioInbound, drain = true) {
    this.engine.push({ kind: "twilio", atMs: this.frame * 20, msg });
    if (drain) this.drain();
  }
  drain() {
    for (let o = this.engine.poll(); o.kind !== "wake"; o = this.engine.poll()) {
      this.out.push(o);
      this.log.push([this.engine.nowAudioMs, o]);
    }
  }
  /** Caller audio until audio ms `untilMs`: voice inside `speech` ranges, noise elsewhere. */
  audio(untilMs: number, speech: [number, number][] = [], drain = true) {
    while (this.frame * 20 < untilMs) {
      const ms = this.frame * 20;
      const on = speech.some(([a, b]) => ms >= a && ms < b);
      const payload = on ? voice.slice((ms % 4000) * 8, (ms % 4000) * 8 + 160) : noise;
      this.twilio(
        { event: "media", sequenceNumber: this.seq++, streamSid: SID, track: "inbound", chunk: this.frame + 1, timestampMs: ms, payload },
        drain,
      );
      this.frame++;
    }
  }
  stt(ev: SttTranscript) {
    this.engine.push({ kind: "stt", atMs: this.frame * 20, event: ev });
    this.drain();
  }
  say(replyId: string, text: string, ms: number, drain = true) {
    this.engine.push({ kind: "agentAudio", atMs: this.frame * 20, replyId, bytes: voice.slice(0, ms * 8), text });
    this.engine.push({ kind: "replyDone", atMs: this.frame * 20, replyId });
    if (drain) this.drain();
  }
  /** Outputs other than media frames and events, in order. */
  actions(): string[] {
    return this.out.flatMap((o) => {
      switch (o.kind) {
        case "twilio":
          return o.msg.event === "media" ? [] : [o.msg.event === "mark" ? `mark:${o.msg.name}` : "clear"];
        case "event":
          return [];
        case "reply.start":
          return [`start:${o.replyId}:${o.speculative ? "spec" : "final"}:${o.transcript}`];
        case "reply.cancel":
          return [`cancel:${o.replyId}:${o.heardText}`];
        case "reply.confirm":
          return [`confirm:${o.replyId}`];
        case "greeting":
          return [`greeting:${o.replyId}`];
        case "voicemail":
          return [`voicemail:${o.action}:${o.replyId}`];
        case "stt":
          return ["finalize"];
        default:
          return [o.kind];
      }
    });
  }
  media(): number {
    return this.out.filter((o) => o.kind === "twilio" && o.msg.event === "media").length;
  }
  events(type: string) {
    return this.out.flatMap((o) => (o.kind === "event" && o.event.type === type ? [o.event] : []));
  }
}

/**
 * What Twilio plays of the media in `log` (PROTOCOLS.md): frames in order from when each arrives
 * or the previous one ends; a `clear` at t drops every frame not yet started by t (the one in
 * flight has been heard). Returns [first payload byte, start ms] per frame played.
 */
function twilioPlays(log: [number, EngineOutput][]): [number, number][] {
  const queue: [number, number][] = [];
  let playEndMs = 0;
  for (const [t, o] of log) {
    if (o.kind !== "twilio") continue;
    if (o.msg.event === "media") {
      const start = Math.max(t, playEndMs);
      queue.push([o.msg.payload[0]!, start]);
      playEndMs = start + 20;
    } else if (o.msg.event === "clear") {
      while (queue.length > 0 && queue[queue.length - 1]![1] >= t) queue.pop();
      playEndMs = t;
    }
  }
  return queue;
}

/** Agent audio of `frames` 20 ms frames whose bytes are their number, counted from `from`. */
const numberedFrames = (frames: number, from = 0) => Uint8Array.from({ length: 160 * frames }, (_, i) => from + ((i / 160) | 0));

const final = (text: string, endMs: number): SttTranscript => ({
  type: "transcript",
  text,
  words: [{ word: text, startMs: endMs - 300, endMs }],
  startMs: endMs - 300,
  endMs,
  isFinal: true,
  speechFinal: false,
  fromFinalize: true,
});

/** An interim transcript heard over the agent. */
function interim(h: Harness, text: string, endMs: number) {
  h.stt({ type: "transcript", text, words: [{ word: text, startMs: endMs - 200, endMs }], startMs: endMs - 200, endMs, isFinal: false, speechFinal: false, fromFinalize: false });
}

describe("call engine", () => {
  test("inbound: caller speech over the greeting clears at once; their words then cut the reply without a second clear", () => {
    const h = new Harness({ direction: "inbound", playout: { leadMs: 100 } });
    h.audio(100);
    h.say("r1", "one two three four five six seven eight nine ten", 2000);
    h.audio(1000, [[700, 1000]]);
    // Paced 100 ms ahead of playback: 35 frames sent when the caller's onset (700) + 40 ms holds
    // and clears (740). Played by then: 640 of 2000 ms → "one two three".
    const sentBeforeWords = h.media();
    const atHold = h.actions();
    interim(h, "wait a", 980);
    h.audio(1020, [[700, 1020]]);
    expect([sentBeforeWords, atHold, h.events("bargeInHold"), h.media(), h.actions(), h.events("bargeIn")]).toEqual([
      35,
      ["greeting:r1", "clear"],
      [{ type: "bargeInHold", speechStartAudioMs: 700, atAudioMs: 740 }],
      35,
      ["greeting:r1", "clear", "cancel:r1:one two three"],
      [{ type: "bargeIn", speechStartAudioMs: 700, clearAudioMs: 740, replyId: "r1", heardText: "one two three", holdAudioMs: 740 }],
    ]);
  });

  test("a hang-up cuts the reply still playing where the caller's audio is, and says what was heard", () => {
    const h = new Harness({ direction: "inbound", playout: { leadMs: 100 } });
    h.audio(100);
    h.say("r1", "one two three four five six seven eight nine ten", 2000);
    h.audio(700);
    h.engine.push({ kind: "hangup", atMs: 700, reason: "caller_hangup" });
    h.drain();
    // Playback began at 100: 600 of 2000 ms heard by 700.
    expect(h.actions().filter((a) => a.startsWith("cancel"))).toEqual(["cancel:r1:one two three"]);
    h.audio(900);
    expect(h.actions().filter((a) => a.startsWith("cancel"))).toEqual(["cancel:r1:one two three"]);
  });

  test("a backchannel whose later words make it more ('okay' … 'thanks, but') barges in on it", () => {
    const h = new Harness({ direction: "inbound", playout: { leadMs: 100 } });
    h.audio(100);
    h.say("r1", "one two three four five six seven eight nine ten", 4000);
    h.audio(1000, [[700, 1000]]);
    interim(h, "okay", 1000);
    h.audio(1200);
    const resumed = h.events("bargeInResumed").length;
    interim(h, "okay thanks but", 1000);
    h.audio(1240);
    expect([resumed, h.events("bargeIn").map((e) => (e as { speechStartAudioMs: number }).speechStartAudioMs), h.actions().filter((a) => a.startsWith("cancel")).length]).toEqual([
      1,
      [700],
      1,
    ]);
  });

  test("a backchannel over the agent clears, then the agent resumes exactly where the caller stopped hearing it", () => {
    const h = new Harness({ direction: "inbound", playout: { leadMs: 100 } });
    h.audio(100);
    h.engine.push({ kind: "agentAudio", atMs: 100, replyId: "r1", bytes: numberedFrames(100), text: "a long greeting" });
    h.engine.push({ kind: "replyDone", atMs: 100, replyId: "r1" });
    h.drain();
    h.audio(1000, [[700, 1000]]);
    interim(h, "mhm", 1000);
    h.audio(3300);
    const plays = twilioPlays(h.log);
    // Frame k plays at 100 + 20k: at the clear (740) frames 0–31 have played, 32 has not begun.
    // Every frame is heard once, in order; the pause lasts from the clear to the resume (1120).
    expect([
      h.events("bargeInResumed"),
      h.actions(),
      plays.map(([k]) => k),
      plays.slice(30, 34),
      h.events("bargeIn"),
    ]).toEqual([
      [{ type: "bargeInResumed", speechStartAudioMs: 700, holdAudioMs: 740, atAudioMs: 1120, why: "backchannel" }],
      ["greeting:r1", "clear", "mark:r1.0"],
      Array.from({ length: 100 }, (_, k) => k),
      [
        [30, 700],
        [31, 720],
        [32, 1120],
        [33, 1140],
      ],
      [],
    ]);
  });

  test("the marks a hold's clear flushes do not end the agent's turn; the re-sent ones do", () => {
    const h = new Harness({ direction: "inbound", playout: { leadMs: 100 } });
    h.audio(100);
    h.engine.push({ kind: "agentAudio", atMs: 100, replyId: "r1", bytes: numberedFrames(30), text: "hi" });
    h.engine.push({ kind: "agentAudio", atMs: 100, replyId: "r1", bytes: numberedFrames(5, 30), text: "there" });
    h.engine.push({ kind: "replyDone", atMs: 100, replyId: "r1" });
    h.drain();
    // Phrase 0 plays 100–700, phrase 1 700–800; both are sent and their marks pending at 740,
    // when the caller's speech holds: the clear flushes both, phrase 0 (played) gets its mark again.
    h.audio(900, [[700, 900]]);
    const mark = (name: string) => h.twilio({ event: "mark", sequenceNumber: 90, streamSid: SID, name });
    mark("r1.0"); // Twilio's echoes of the flushed marks: the last one would end the reply
    mark("r1.1");
    const afterFlush = [h.engine.turns.state, h.events("replyPlayed")];
    mark("r1.0~1");
    interim(h, "mhm", 900);
    h.audio(1400); // resumed: the rest of phrase 1, then its mark again
    const beforeLastEcho = h.events("replyPlayed");
    mark("r1.1~1");
    expect([afterFlush, h.actions(), beforeLastEcho, h.events("replyPlayed"), h.engine.turns.state]).toEqual([
      ["agentSpeaking", []],
      ["greeting:r1", "mark:r1.0", "mark:r1.1", "clear", "mark:r1.0~1", "mark:r1.1~1"],
      [],
      [{ type: "replyPlayed", replyId: "r1", atAudioMs: 1400 }],
      "listening",
    ]);
  });

  test("a speculative reply's audio is held until the turn is confirmed", () => {
    const h = new Harness({ direction: "inbound" });
    h.audio(40);
    h.say("r1", "hi", 200);
    h.twilio({ event: "mark", sequenceNumber: 90, streamSid: SID, name: "r1.0" });
    h.audio(1600, [[1000, 1500]]);
    // (the VAD's last voiced frame ends at 1520: its analysis window reaches back into the speech)
    h.stt(final("I need a table.", 1500));
    h.audio(1620);
    expect(h.actions().slice(-2)).toEqual(["finalize", "start:r2:spec:I need a table."]);
    const before = h.media();
    h.say("r2", "Sure.", 500);
    expect(h.media()).toBe(before);
    h.audio(1800);
    expect([h.actions().slice(-2), h.media() - before]).toEqual([["confirm:r2", "mark:r2.0"], 25]);
    expect(h.events("turn")).toEqual([
      { type: "turn", userEndAudioMs: 1520, endpointAudioMs: 1780, replyId: "r2", transcript: "I need a table.", reason: "complete" },
    ]);
  });

  test("a speculation is discarded, never spoken, when the caller goes on", () => {
    const h = new Harness({ direction: "inbound" });
    h.audio(40);
    h.say("r1", "hi", 200);
    h.twilio({ event: "mark", sequenceNumber: 90, streamSid: SID, name: "r1.0" });
    h.audio(1700, [[1000, 1500]]);
    h.stt(final("I need", 1500));
    h.audio(2000, [[1000, 1500]]);
    const before = h.media();
    h.say("r2", "Sure.", 500);
    h.audio(3000, [[2000, 2600]]);
    expect([h.actions().filter((a) => a.includes("r2")), h.media() - before]).toEqual([
      ["start:r2:spec:I need", "cancel:r2:"],
      0,
    ]);
  });

  test("outbound, machine: waits for the greeting's end, leaves the message, hangs up after it played", () => {
    const script: Record<number, AmdEvent[]> = {
      1000: [{ type: "verdict", verdict: "machine", atMs: 1000, reason: "long greeting" }],
      1500: [{ type: "greetingEnded", atMs: 1480, by: "beep", detectedAtMs: 1500 }],
    };
    const amd: Amd = {
      options: {} as Amd["options"],
      push: (_f, atMs) => script[atMs] ?? [],
      pushTranscript: () => [],
      tick: () => [],
      nextDeadlineMs: () => null,
      verdict: null,
      decidedAtMs: null,
      reason: null,
      beep: null,
    };
    const h = new Harness({ direction: "outbound", amd: true, machineAction: "leave_message" }, amd);
    h.audio(1600, [[100, 900]]);
    expect(h.actions()).toEqual(["finalize", "voicemail:leave_message:r1"]);
    h.say("r1", "please call us back", 400);
    h.twilio({ event: "mark", sequenceNumber: 90, streamSid: SID, name: "r1.0" });
    expect([h.actions().slice(-2), h.events("greetingEnded")]).toEqual([
      ["mark:r1.0", "hangup"],
      [{ type: "greetingEnded", atAudioMs: 1480 }],
    ]);
  });

  test("malformed input is counted and reported, never thrown", () => {
    const h = new Harness({ direction: "inbound" });
    h.engine.push({ kind: "twilioError", atMs: 0, error: { error: true, code: "not_json", message: "x" } });
    h.drain();
    expect([h.engine.wireErrors, h.events("wireError")]).toEqual([1, [{ type: "wireError", code: "not_json", atAudioMs: 0 }]]);
  });

  test("wake asks for a tick when a gap waits for a late frame", () => {
    const e = new CallEngine({ direction: "inbound" });
    const media = (chunk: number, atMs: number) =>
      e.push({
        kind: "twilio",
        atMs,
        msg: { event: "media", sequenceNumber: chunk + 1, streamSid: SID, track: "inbound", chunk, timestampMs: (chunk - 1) * 20, payload: noise },
      });
    media(1, 0);
    media(3, 45);
    let o = e.poll();
    while (o.kind !== "wake") o = e.poll();
    expect(o).toEqual({ kind: "wake", atMs: 105 });
  });
});
