/**
 * Pure conversion of Deepgram live messages (PROTOCOLS.md, "Deepgram live speech-to-text") into
 * engine STT events, and back (for scripted providers and fakes). Times on Deepgram's wire are
 * seconds of audio; inside the engine they are audio ms. Never throws: a malformed message is a
 * `WireError`.
 */
import { asObject, isWireError, jsonObject, type Json, wireError } from "./wire-json.ts";
import type { SttEvent, SttTranscript, SttWord, WireError } from "./types.ts";




function seconds(o: Json, key: string): number | null {
  const v = o[key];
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Seconds → integer audio ms. */
function ms(sec: number): number {
  return Math.round(sec * 1000);
}

/** Parse one Deepgram live message (raw text or parsed JSON). */
export function parseDeepgramMessage(raw: unknown): SttEvent | WireError {
  const m = jsonObject(raw);
  if (isWireError(m)) return m;
  switch (m.type) {
    case "Results": {
      const start = seconds(m, "start");
      const duration = seconds(m, "duration");
      if (start === null || duration === null) return wireError("missing_field", "start/duration must be numbers");
      const channel = asObject(m.channel);
      const alts = channel && Array.isArray(channel.alternatives) ? channel.alternatives : null;
      const alt = alts ? asObject(alts[0]) : null;
      if (!alt) return wireError("missing_field", "channel.alternatives[0] missing");
      const text = typeof alt.transcript === "string" ? alt.transcript : "";
      const words: SttWord[] = [];
      if (Array.isArray(alt.words)) {
        for (const w of alt.words) {
          const wo = asObject(w);
          if (!wo) return wireError("bad_word", "word is not an object");
          const ws = seconds(wo, "start");
          const we = seconds(wo, "end");
          const word = typeof wo.punctuated_word === "string" ? wo.punctuated_word : wo.word;
          if (ws === null || we === null || typeof word !== "string") return wireError("bad_word", "word needs word/start/end");
          words.push({ word, startMs: ms(ws), endMs: ms(we) });
        }
      }
      return {
        type: "transcript",
        text,
        words,
        startMs: ms(start),
        endMs: ms(start + duration),
        isFinal: m.is_final === true,
        speechFinal: m.speech_final === true,
        fromFinalize: m.from_finalize === true,
      };
    }
    case "SpeechStarted": {
      const ts = seconds(m, "timestamp");
      if (ts === null) return wireError("missing_field", "timestamp must be a number");
      return { type: "speechStarted", atAudioMs: ms(ts) };
    }
    case "UtteranceEnd": {
      const end = seconds(m, "last_word_end");
      if (end === null) return wireError("missing_field", "last_word_end must be a number");
      return { type: "utteranceEnd", lastWordEndMs: ms(end) };
    }
    case "Metadata": {
      const d = seconds(m, "duration");
      return { type: "metadata", requestId: typeof m.request_id === "string" ? m.request_id : "", durationMs: ms(d ?? 0) };
    }
    default:
      return wireError("unknown_type", `unknown Deepgram message type ${String(m.type).slice(0, 20)}`);
  }
}

/** Deepgram's JSON for an engine STT event (the shape a fake or scripted provider sends). */
export function encodeDeepgramMessage(ev: SttEvent): Json {
  switch (ev.type) {
    case "transcript":
      return encodeResults(ev);
    case "speechStarted":
      return { type: "SpeechStarted", channel: [0], timestamp: ev.atAudioMs / 1000 };
    case "utteranceEnd":
      return { type: "UtteranceEnd", channel: [0, 1], last_word_end: ev.lastWordEndMs / 1000 };
    case "metadata":
      return { type: "Metadata", request_id: ev.requestId, duration: ev.durationMs / 1000, channels: 1 };
  }
}

function encodeResults(ev: SttTranscript): Json {
  return {
    type: "Results",
    channel_index: [0, 1],
    duration: (ev.endMs - ev.startMs) / 1000,
    start: ev.startMs / 1000,
    is_final: ev.isFinal,
    speech_final: ev.speechFinal,
    from_finalize: ev.fromFinalize,
    channel: {
      alternatives: [
        {
          transcript: ev.text,
          confidence: 1,
          words: ev.words.map((w) => ({
            word: w.word.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, ""),
            start: w.startMs / 1000,
            end: w.endMs / 1000,
            confidence: 1,
            punctuated_word: w.word,
          })),
        },
      ],
    },
  };
}
