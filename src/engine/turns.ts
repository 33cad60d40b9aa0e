/**
 * Turn-taking: listening → user speaking → thinking → agent speaking.
 *
 * End of turn is decided in audio time from the VAD (the caller's last voiced frame) and the
 * words heard so far. After a finished sentence the wait is short; after an "um", a trailing
 * "and"/"so"/"the", a comma, or digits being read out it is long; a transcript that does not yet
 * reach the end of the speech waits for the words to arrive. Before the wait is over, once the
 * words cover the speech, a speculative end of turn lets the host start the reply early; its
 * audio is held until the turn is confirmed, and discarded if the caller goes on.
 *
 * Milliseconds options become frame counts or audio-ms thresholds once, at construction. The
 * class is driven by `frame` (every 20 ms of caller audio, in audio time) and STT events; it
 * tells its owner what to do through `TurnSink`.
 */
import type { SttTranscript, SttUtteranceEnd } from "./types.ts";
import { tailKind, type TailKind } from "./utterance-cues.ts";

/** Turn-taking options; times in audio ms. */
export interface TurnOptions {
  /** Silence after which we ask the STT to flush (Deepgram `Finalize`). Default 80. */
  finalizeAfterMs: number;
  /** Earliest silence for a speculative end of turn. Default 100. */
  speculateAfterMs: number;
  /** Speculate this long before the confirm time (the host's LLM + TTS head start). Default 600. */
  speculateLeadMs: number;
  /** Wait after a finished sentence. Default 260. */
  completeWaitMs: number;
  /** Wait after an unpunctuated ending on an ordinary word. Default 1000. */
  openWaitMs: number;
  /** Wait after a filler, conjunction, article, preposition or comma. Default 1300. */
  incompleteWaitMs: number;
  /** Wait while digits are being read out. Default 1600. */
  digitsWaitMs: number;
  /** With no words at all, give up on the turn (noise) after this. Default 1500. */
  emptyWaitMs: number;
  /** Words must reach to within this of the last voiced audio to count as covering it. Default 350. */
  coverSlackMs: number;
  /** Voiced frames in a row that count as the caller resuming during a silence. Default 3 (60 ms). */
  resumeFrames: number;
}

/** Defaults (see each field). */
export const DEFAULT_TURN_OPTIONS: Readonly<TurnOptions> = Object.freeze({
  finalizeAfterMs: 80,
  speculateAfterMs: 100,
  speculateLeadMs: 600,
  completeWaitMs: 260,
  openWaitMs: 1000,
  incompleteWaitMs: 1300,
  digitsWaitMs: 1600,
  emptyWaitMs: 1500,
  coverSlackMs: 350,
  resumeFrames: 3,
});

/** Turn states. */
export type TurnState = "listening" | "userSpeaking" | "thinking" | "agentSpeaking";

/** What the turn-taker asks of its owner. Times in audio ms. */
export interface TurnSink {
  /** Ask the STT provider to flush its words now. */
  finalize(): void;
  /** The turn is probably over: start a reply on `transcript`, hold its audio. */
  speculate(transcript: string, userEndMs: number, nowMs: number): void;
  /** The turn is over. */
  confirm(transcript: string, userEndMs: number, nowMs: number, reason: string): void;
  /** The speculation was wrong: the caller went on. */
  discard(nowMs: number): void;
  /** The caller spoke again before the confirmed reply's audio started: cancel it. */
  resumed(nowMs: number): void;
  /** A turn with no words at all ended (noise, a cough). */
  dropped(nowMs: number): void;
}

/** See the file comment. */
export class TurnTaker {
  readonly options: Readonly<TurnOptions>;
  state: TurnState = "listening";
  /** Replies are not started while false (e.g. answering-machine detection pending). */
  enabled = true;
  private committed = "";
  private interim = "";
  private lastWordEndMs = -1;
  /** Audio ms of the end of the caller's last voiced frame in this turn. */
  private userEndMs = 0;
  private voicedRun = 0;
  /** Audio ms of the end of the caller's last voiced frame, whatever the state. */
  private lastVoicedMs = -1;
  private finalized = false;
  private speculated = false;
  /** Text the current speculation was started on. */
  private specText = "";
  /** Results ending at or before this belong to an earlier turn. */
  private ignoreBeforeMs = -1;

  constructor(
    private readonly sink: TurnSink,
    opts: Partial<TurnOptions> = {},
  ) {
    this.options = Object.freeze({ ...DEFAULT_TURN_OPTIONS, ...opts });
  }

  /** The words of the current turn so far (cached: the audio path asks every frame). */
  private text = "";
  private tail: TailKind = "empty";

  get transcript(): string {
    return this.text;
  }

  private wordsChanged(): void {
    this.text = this.interim ? (this.committed ? `${this.committed} ${this.interim}` : this.interim) : this.committed;
    this.tail = tailKind(this.text);
  }

  /** How the current transcript ends, given how far it reaches. */
  kind(): TailKind | "uncovered" {
    const k = this.tail;
    if (k !== "empty" && this.lastWordEndMs < this.userEndMs - this.options.coverSlackMs) return "uncovered";
    return k;
  }

  /** How long a silence ends the turn, given the words so far. */
  waitMs(): number {
    const o = this.options;
    switch (this.kind()) {
      case "complete":
        return o.completeWaitMs;
      case "open":
      case "uncovered":
        return o.openWaitMs;
      case "incomplete":
        return o.incompleteWaitMs;
      case "digits":
        return o.digitsWaitMs;
      case "empty":
        return o.emptyWaitMs;
    }
  }

  /**
   * One frame of caller audio ending at audio ms `endMs`. `speech` is the VAD's smoothed
   * decision, `raw` its per-frame one.
   */
  frame(endMs: number, speech: boolean, raw: boolean): void {
    const voiced = speech && raw;
    this.voicedRun = voiced ? this.voicedRun + 1 : 0;
    if (voiced) this.lastVoicedMs = endMs;
    switch (this.state) {
      case "listening":
        if (voiced && this.voicedRun >= this.options.resumeFrames) this.startSpeaking(endMs);
        return;
      case "userSpeaking":
        if (voiced) {
          this.userEndMs = endMs;
          if (this.voicedRun >= this.options.resumeFrames && (this.speculated || this.finalized)) {
            // The caller went on: whatever we guessed from the pause is void.
            if (this.speculated) this.sink.discard(endMs);
            this.speculated = false;
            this.finalized = false;
          }
          return;
        }
        this.evaluate(endMs);
        return;
      case "thinking":
        if (voiced && this.voicedRun >= this.options.resumeFrames) {
          // Spoke again before our reply was audible: cancel it and treat it all as one turn.
          this.sink.resumed(endMs);
          this.state = "userSpeaking";
          this.userEndMs = endMs;
          this.finalized = false;
          this.speculated = false;
          this.ignoreBeforeMs = -1;
        }
        return;
      case "agentSpeaking":
        return; // barge-in is decided elsewhere
    }
  }

  private startSpeaking(endMs: number): void {
    this.state = "userSpeaking";
    this.userEndMs = endMs;
    this.finalized = false;
    this.speculated = false;
  }

  private evaluate(nowMs: number): void {
    const o = this.options;
    const silenceMs = nowMs - this.userEndMs;
    if (!this.finalized && silenceMs >= o.finalizeAfterMs) {
      this.finalized = true;
      this.sink.finalize();
    }
    if (!this.enabled) return;
    const kind = this.kind();
    const waitMs = this.waitMs();
    if (kind === "empty") {
      if (silenceMs >= waitMs) {
        this.reset();
        this.state = "listening";
        this.sink.dropped(nowMs);
      }
      return;
    }
    const text = this.transcript;
    if (
      !this.speculated &&
      kind !== "uncovered" &&
      silenceMs >= Math.max(o.speculateAfterMs, waitMs - o.speculateLeadMs)
    ) {
      this.speculated = true;
      this.specText = text;
      this.sink.speculate(text, this.userEndMs, nowMs);
    }
    if (silenceMs >= waitMs) this.confirm(nowMs, kind === "uncovered" ? "timeout" : kind);
  }

  private confirm(nowMs: number, reason: string): void {
    const text = this.transcript;
    this.sink.confirm(text, this.userEndMs, nowMs, reason);
    this.state = "thinking";
    this.ignoreBeforeMs = this.lastWordEndMs;
    // Keep the words until the reply is audible: if the caller goes on, the turn continues.
  }

  private reset(): void {
    this.committed = "";
    this.interim = "";
    this.wordsChanged();
    this.lastWordEndMs = -1;
    this.speculated = false;
    this.finalized = false;
    this.specText = "";
  }

  /** The text the pending speculation was started on ("" if none). */
  get speculationText(): string {
    return this.speculated ? this.specText : "";
  }

  /** A transcript result from the STT. */
  transcriptResult(ev: SttTranscript, nowMs: number): void {
    // While the agent talks, words go to the barge-in check, not into a turn.
    if (this.state === "agentSpeaking") return;
    if (ev.endMs <= this.ignoreBeforeMs && this.state !== "userSpeaking") return;
    if (ev.isFinal) {
      if (ev.text) this.committed = this.committed ? `${this.committed} ${ev.text}` : ev.text;
      this.interim = "";
    } else this.interim = ev.text;
    this.wordsChanged();
    const last = ev.words[ev.words.length - 1];
    if (last && last.endMs > this.lastWordEndMs) this.lastWordEndMs = last.endMs;
    // The words may arrive before the VAD's onset is confirmed.
    if (this.state === "listening" && ev.text) this.startSpeaking(Math.max(this.lastWordEndMs, 0));
    if (this.state === "userSpeaking") {
      // Words the flush did not cover (the recogniser was still behind when we asked): ask again,
      // or their final waits for the provider's own endpointing.
      if (!ev.isFinal && ev.text && this.finalized && nowMs - this.userEndMs >= this.options.finalizeAfterMs) {
        this.sink.finalize();
      }
      if (this.speculated && !this.sameAsSpeculation()) {
        // New words after a speculation: it no longer matches what the caller said.
        this.sink.discard(nowMs);
        this.speculated = false;
      }
      if (nowMs > this.userEndMs) this.evaluate(nowMs);
    }
  }

  private sameAsSpeculation(): boolean {
    return this.transcript.replace(/[^\p{L}\p{N}]+/gu, " ").trim().toLowerCase() ===
      this.specText.replace(/[^\p{L}\p{N}]+/gu, " ").trim().toLowerCase();
  }

  /** Deepgram's `UtteranceEnd`: no words for a while. Re-evaluate (it never shortens a wait). */
  utteranceEnd(_ev: SttUtteranceEnd, nowMs: number): void {
    if (this.state === "userSpeaking" && nowMs > this.userEndMs) this.evaluate(nowMs);
  }

  /** The reply's audio is now audible. */
  agentStarted(): void {
    this.state = "agentSpeaking";
    this.ignoreBeforeMs = Math.max(this.ignoreBeforeMs, this.lastWordEndMs);
    this.reset();
  }

  /** The reply finished playing (or was cut with nothing heard). */
  agentFinished(): void {
    if (this.state === "agentSpeaking" || this.state === "thinking") this.state = "listening";
    this.voicedRun = 0;
  }

  /**
   * The caller barged in at audio ms `speechStartMs`: their turn starts now, with `interim`, the
   * latest words heard over the agent (the STT result covering them may not come again), which
   * end at audio ms `interimEndMs`.
   */
  bargedIn(speechStartMs: number, nowMs: number, interim = "", interimEndMs = -1): void {
    this.reset();
    this.ignoreBeforeMs = speechStartMs - 1;
    // Decided from words that came after the caller stopped (a late transcript): the silence
    // since their last voiced frame already counts.
    this.startSpeaking(this.lastVoicedMs >= speechStartMs ? Math.min(this.lastVoicedMs, nowMs) : nowMs);
    if (interim) {
      this.interim = interim;
      this.wordsChanged();
      this.lastWordEndMs = interimEndMs;
    }
  }

  /** Forget the current words (e.g. they were the answering machine's greeting). */
  clear(): void {
    this.reset();
    this.state = "listening";
  }
}
