/**
 * The call engine's inputs and outputs: the one API both the live call session and the replay
 * runner drive. The engine is pure: every input carries its own time, the engine never reads a
 * clock, and after each `push` the host drains outputs with `poll()` until it answers `wake`.
 *
 * Two time axes appear here, both in milliseconds:
 * - host time (`atMs` on inputs, `wake.atMs`): the host's clock, ms since the media websocket
 *   opened. In a recorded call it is the fixture's `t`.
 * - audio time (every time inside outputs and events, named `...AudioMs` or documented so): ms of
 *   caller audio since the stream started, from Twilio's `media.timestamp`. Decisions about the
 *   caller's speech are taken in audio time, so a network stall followed by a burst never shrinks
 *   a silence.
 */

// ---------------------------------------------------------------------------------------------
// Twilio Media Streams (see ../../shared PROTOCOLS.md): parsed inbound messages, outbound messages
// ---------------------------------------------------------------------------------------------

/** `connected`: first message on the socket. */
export interface TwilioConnected {
  readonly event: "connected";
  readonly protocol: string;
  readonly version: string;
}

/** `start`: stream metadata; `customParameters` carry the call id and per-call token. */
export interface TwilioStart {
  readonly event: "start";
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly callSid: string;
  readonly accountSid: string;
  readonly tracks: readonly string[];
  readonly encoding: string;
  /** Hz. */
  readonly sampleRateHz: number;
  readonly channels: number;
  readonly customParameters: Readonly<Record<string, string>>;
}

/** `media`: one chunk of caller audio. */
export interface TwilioMedia {
  readonly event: "media";
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly track: string;
  /** Chunk counter, starts at 1. */
  readonly chunk: number;
  /** Audio ms since stream start of the first sample of `payload`. */
  readonly timestampMs: number;
  /** Raw mu-law bytes, any length (160 = 20 ms is normal). */
  readonly payload: Uint8Array;
}

/** `dtmf`: a key pressed by the caller. */
export interface TwilioDtmf {
  readonly event: "dtmf";
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly track: string;
  readonly digit: string;
}

/** `mark`: Twilio echoes a mark we sent once the audio queued before it has played (or on clear). */
export interface TwilioMarkEcho {
  readonly event: "mark";
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly name: string;
}

/** `stop`: the stream ended. */
export interface TwilioStop {
  readonly event: "stop";
  readonly sequenceNumber: number;
  readonly streamSid: string;
  readonly callSid: string;
}

/** Any valid inbound Twilio Media Streams message. */
export type TwilioInbound =
  | TwilioConnected
  | TwilioStart
  | TwilioMedia
  | TwilioDtmf
  | TwilioMarkEcho
  | TwilioStop;

/** Messages we send to Twilio (the codec turns them into the exact wire JSON). */
export type TwilioOutbound =
  | { readonly event: "media"; readonly streamSid: string; readonly payload: Uint8Array }
  | { readonly event: "mark"; readonly streamSid: string; readonly name: string }
  | { readonly event: "clear"; readonly streamSid: string };

/** A wire message that could not be understood. Errors are data: the engine counts them. */
export interface WireError {
  readonly error: true;
  /** Stable machine code, e.g. `not_json`, `missing_field`, `bad_number`, `unknown_event`. */
  readonly code: string;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------
// Speech-to-text events (from Deepgram live messages, see stt-events.ts)
// ---------------------------------------------------------------------------------------------

/** One recognised word; times in audio ms. */
export interface SttWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** A transcript: interim (`isFinal` false) replaces the previous interim of the same span. */
export interface SttTranscript {
  readonly type: "transcript";
  readonly text: string;
  readonly words: readonly SttWord[];
  /** Audio ms covered by this result. */
  readonly startMs: number;
  readonly endMs: number;
  /** The span's text will not change any more. */
  readonly isFinal: boolean;
  /** The provider's own endpoint (Deepgram `speech_final`). */
  readonly speechFinal: boolean;
  /** Produced in answer to our `finalize`. */
  readonly fromFinalize: boolean;
}

/** Provider voice-activity onset (Deepgram `SpeechStarted`), audio ms. */
export interface SttSpeechStarted {
  readonly type: "speechStarted";
  readonly atAudioMs: number;
}

/** Provider utterance end (Deepgram `UtteranceEnd`), audio ms of the last word's end. */
export interface SttUtteranceEnd {
  readonly type: "utteranceEnd";
  readonly lastWordEndMs: number;
}

/** Provider metadata (ignored by the logic, kept for records). */
export interface SttMetadata {
  readonly type: "metadata";
  readonly requestId: string;
  /** Audio ms processed. */
  readonly durationMs: number;
}

/** Any speech-to-text event. */
export type SttEvent = SttTranscript | SttSpeechStarted | SttUtteranceEnd | SttMetadata;

// ---------------------------------------------------------------------------------------------
// Engine inputs
// ---------------------------------------------------------------------------------------------

/** Word timing inside a phrase of agent audio (e.g. from TTS alignment), ms from phrase start. */
export interface PhraseWord {
  readonly word: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** Everything the engine can be told. `atMs` is host time (see the file comment). */
export type EngineInput =
  /** A parsed Twilio message as it arrived. */
  | { readonly kind: "twilio"; readonly atMs: number; readonly msg: TwilioInbound }
  /** A wire message that failed to parse (counted, reported as an event). */
  | { readonly kind: "twilioError"; readonly atMs: number; readonly error: WireError }
  /** A speech-to-text event as it arrived. */
  | { readonly kind: "stt"; readonly atMs: number; readonly event: SttEvent }
  /**
   * Synthesised agent audio for a reply the engine started (`reply.start`, `greeting`,
   * `voicemail`). Each input is one phrase, or one chunk of a phrase when `phraseDone` is false
   * (then `text` is the phrase's text, repeated on each chunk). `bytes` are raw mu-law 8 kHz.
   */
  | {
      readonly kind: "agentAudio";
      readonly atMs: number;
      readonly replyId: string;
      readonly bytes: Uint8Array;
      readonly text: string;
      /** Default true: this chunk ends the phrase (a mark follows it). */
      readonly phraseDone?: boolean;
      /** Optional word timing within the phrase, for an exact heard text when cut. */
      readonly words?: readonly PhraseWord[];
    }
  /** The host has no more audio for this reply. */
  | { readonly kind: "replyDone"; readonly atMs: number; readonly replyId: string }
  /** The host could not produce the reply (provider failure). */
  | { readonly kind: "replyFailed"; readonly atMs: number; readonly replyId: string; readonly code: string }
  /** A timer the engine asked for (`wake`) has fired, or any time advance. */
  | { readonly kind: "tick"; readonly atMs: number }
  /** The host ends the call (caller hung up, max duration, API). */
  | { readonly kind: "hangup"; readonly atMs: number; readonly reason: string };

// ---------------------------------------------------------------------------------------------
// Engine outputs
// ---------------------------------------------------------------------------------------------

/** Answering-machine verdict. */
export type AmdVerdict = "human" | "machine" | "unknown";

/** What the engine wants recorded (database, webhooks, replay report). Times are audio ms. */
export type EngineEvent =
  | {
      readonly type: "vad";
      readonly speaking: boolean;
      /** The live decision changed on the frame starting here. */
      readonly atAudioMs: number;
      /**
       * The settled boundary (see VadFrame.settledAt): where the segment began (speaking) or
       * ended (not speaking), at or before `atAudioMs`.
       */
      readonly settledAudioMs: number;
    }
  | {
      readonly type: "amd";
      readonly verdict: AmdVerdict;
      readonly atAudioMs: number;
      readonly reason: string;
    }
  | { readonly type: "beep"; readonly startAudioMs: number; readonly atAudioMs: number }
  | { readonly type: "greetingEnded"; readonly atAudioMs: number }
  | {
      readonly type: "turn";
      /** Caller's end of speech (last voiced audio). */
      readonly userEndAudioMs: number;
      /** When the engine decided the turn was over. */
      readonly endpointAudioMs: number;
      readonly replyId: string;
      readonly transcript: string;
      /** Why the turn ended: `complete`, `timeout`, `stt_endpoint`, `utterance_end`. */
      readonly reason: string;
    }
  | { readonly type: "speculationDiscarded"; readonly replyId: string; readonly atAudioMs: number }
  | {
      readonly type: "bargeIn";
      readonly speechStartAudioMs: number;
      readonly clearAudioMs: number;
      readonly replyId: string;
      readonly heardText: string;
      /** When agent audio stopped being sent (the hold of stage 1; the agent fell silent within the playout lead). */
      readonly holdAudioMs: number;
    }
  /** Stage 1 of a barge-in: caller speech over the agent, sending held until it is decided. */
  | { readonly type: "bargeInHold"; readonly speechStartAudioMs: number; readonly atAudioMs: number }
  /** A hold ended without a barge-in: the agent goes on from where it stopped. */
  | {
      readonly type: "bargeInResumed";
      readonly speechStartAudioMs: number;
      readonly holdAudioMs: number;
      readonly atAudioMs: number;
      readonly why: "echo" | "backchannel" | "noise";
    }
  | { readonly type: "bargeInIgnored"; readonly atAudioMs: number; readonly why: "echo" | "backchannel" | "noise" }
  | { readonly type: "transcript"; readonly text: string; readonly isFinal: boolean; readonly atAudioMs: number }
  | { readonly type: "firstAudio"; readonly replyId: string; readonly atAudioMs: number }
  | { readonly type: "replyPlayed"; readonly replyId: string; readonly atAudioMs: number }
  | { readonly type: "dtmf"; readonly digit: string; readonly atAudioMs: number }
  | { readonly type: "wireError"; readonly code: string; readonly atAudioMs: number }
  | { readonly type: "streamStarted"; readonly streamSid: string; readonly callSid: string }
  | { readonly type: "streamStopped"; readonly atAudioMs: number };

/** Everything the engine can ask of its host. */
export type EngineOutput =
  /** Send this message to Twilio (control messages are queued ahead of media). */
  | { readonly kind: "twilio"; readonly msg: TwilioOutbound }
  /** Ask the STT provider to flush now (Deepgram `Finalize`): our own end of turn. */
  | { readonly kind: "stt"; readonly control: "finalize" }
  /** Start producing a reply to `transcript`. A speculative one may still be discarded. */
  | {
      readonly kind: "reply.start";
      readonly replyId: string;
      readonly transcript: string;
      readonly speculative: boolean;
    }
  /** The speculative reply is now the real one. */
  | { readonly kind: "reply.confirm"; readonly replyId: string }
  /** Stop producing this reply; keep only `heardText` in the conversation history. */
  | { readonly kind: "reply.cancel"; readonly replyId: string; readonly heardText: string }
  /** Speak the greeting now (produce audio under this reply id). */
  | { readonly kind: "greeting"; readonly replyId: string }
  /** A machine answered: hang up, or leave the message under `replyId`. */
  | { readonly kind: "voicemail"; readonly action: "hangup" | "leave_message"; readonly replyId: string | null }
  /** A DTMF digit for the conversation (the host passes it to the model as user input). */
  | { readonly kind: "dtmf"; readonly digit: string }
  /** Something to persist. */
  | { readonly kind: "event"; readonly event: EngineEvent }
  /** End the call. */
  | { readonly kind: "hangup"; readonly reason: string }
  /** Nothing more to do now: call `push({kind:"tick"})` at host time `atMs` (null: no timer). */
  | { readonly kind: "wake"; readonly atMs: number | null };
