/**
 * Pure codec: Twilio Media Streams JSON ⇄ engine messages (PROTOCOLS.md, "Twilio Media Streams").
 * Parsing validates every field the engine uses and never throws: a malformed message becomes a
 * `WireError` with a code. Counters (`sequenceNumber`, `chunk`, `timestamp`) are strings on the
 * wire and numbers inside the engine.
 */
import { asObject, isWireError, jsonObject, type Json, wireError } from "./wire-json.ts";
import { base64Decode, base64Encode } from "./base64.ts";
import type { TwilioInbound, TwilioOutbound, WireError } from "./types.ts";



export { isWireError } from "./wire-json.ts";


function str(o: Json, key: string): string | WireError {
  const v = o[key];
  return typeof v === "string" ? v : wireError("missing_field", `${key} must be a string`);
}

/** A wire counter: a string of decimal digits (a plain non-negative integer is tolerated). */
function counter(o: Json, key: string): number | WireError {
  const v = o[key];
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  if (typeof v !== "string") return wireError("missing_field", `${key} must be a numeric string`);
  // 1 to 15 decimal digits (exact as a double); read while checking, no regular expression.
  const n = v.length;
  let value = n > 0 && n <= 15 ? 0 : -1;
  for (let i = 0; i < n && value >= 0; i++) {
    const d = v.charCodeAt(i) - 48;
    value = d >= 0 && d <= 9 ? value * 10 + d : -1;
  }
  if (value < 0) return wireError("bad_number", `${key} is not a counter: ${v.slice(0, 20)}`);
  return value;
}

function strOr(o: Json, key: string, fallback: string): string {
  const v = o[key];
  return typeof v === "string" ? v : fallback;
}

/**
 * Parse one Twilio message: either the raw text frame or an already-parsed JSON value.
 * `payloadOut`, when given and large enough, receives the decoded media bytes (no allocation);
 * the returned `payload` is then a view of it, valid until the next call that reuses it.
 */
export function parseTwilioMessage(raw: unknown, payloadOut?: Uint8Array): TwilioInbound | WireError {
  const m = jsonObject(raw);
  if (isWireError(m)) return m;
  const event = m.event;
  if (typeof event !== "string") return wireError("missing_field", "event must be a string");
  if (event === "connected") {
    return { event, protocol: strOr(m, "protocol", ""), version: strOr(m, "version", "") };
  }
  const seq = counter(m, "sequenceNumber");
  if (typeof seq !== "number") return seq;
  switch (event) {
    case "media": {
      const streamSid = str(m, "streamSid");
      if (typeof streamSid !== "string") return streamSid;
      const media = asObject(m.media);
      if (!media) return wireError("missing_field", "media must be an object");
      const chunk = counter(media, "chunk");
      if (typeof chunk !== "number") return chunk;
      const ts = counter(media, "timestamp");
      if (typeof ts !== "number") return ts;
      const b64 = str(media, "payload");
      if (typeof b64 !== "string") return b64;
      const payload = base64Decode(b64, payloadOut);
      if (!payload) return wireError("bad_payload", "payload is not base64");
      return {
        event,
        sequenceNumber: seq,
        streamSid,
        track: strOr(media, "track", "inbound"),
        chunk,
        timestampMs: ts,
        payload,
      };
    }
    case "start": {
      const start = asObject(m.start);
      if (!start) return wireError("missing_field", "start must be an object");
      const streamSid = typeof m.streamSid === "string" ? m.streamSid : str(start, "streamSid");
      if (typeof streamSid !== "string") return streamSid;
      const fmt = asObject(start.mediaFormat) ?? {};
      const tracks = Array.isArray(start.tracks) ? start.tracks.filter((t) => typeof t === "string") : [];
      const params: Record<string, string> = {};
      const cp = asObject(start.customParameters);
      if (cp) for (const [k, v] of Object.entries(cp)) if (typeof v === "string") params[k] = v;
      const rate = fmt.sampleRate;
      const channels = fmt.channels;
      return {
        event,
        sequenceNumber: seq,
        streamSid,
        callSid: strOr(start, "callSid", ""),
        accountSid: strOr(start, "accountSid", ""),
        tracks,
        encoding: strOr(fmt, "encoding", "audio/x-mulaw"),
        sampleRateHz: typeof rate === "number" ? rate : 8000,
        channels: typeof channels === "number" ? channels : 1,
        customParameters: params,
      };
    }
    case "dtmf": {
      const streamSid = str(m, "streamSid");
      if (typeof streamSid !== "string") return streamSid;
      const dtmf = asObject(m.dtmf);
      if (!dtmf) return wireError("missing_field", "dtmf must be an object");
      const digit = str(dtmf, "digit");
      if (typeof digit !== "string") return digit;
      return { event, sequenceNumber: seq, streamSid, track: strOr(dtmf, "track", "inbound_track"), digit };
    }
    case "mark": {
      const streamSid = str(m, "streamSid");
      if (typeof streamSid !== "string") return streamSid;
      const mark = asObject(m.mark);
      if (!mark) return wireError("missing_field", "mark must be an object");
      const name = str(mark, "name");
      if (typeof name !== "string") return name;
      return { event, sequenceNumber: seq, streamSid, name };
    }
    case "stop": {
      const streamSid = str(m, "streamSid");
      if (typeof streamSid !== "string") return streamSid;
      const stop = asObject(m.stop) ?? {};
      return { event, sequenceNumber: seq, streamSid, callSid: strOr(stop, "callSid", "") };
    }
    default:
      return wireError("unknown_event", `unknown event ${event.slice(0, 20)}`);
  }
}

/** The exact JSON object Twilio expects for an outbound message. */
export function encodeTwilioOutbound(msg: TwilioOutbound): Json {
  switch (msg.event) {
    case "media":
      return { event: "media", streamSid: msg.streamSid, media: { payload: base64Encode(msg.payload) } };
    case "mark":
      return { event: "mark", streamSid: msg.streamSid, mark: { name: msg.name } };
    case "clear":
      return { event: "clear", streamSid: msg.streamSid };
  }
}

/** Parse an outbound message (what a fake Twilio receives from us). */
export function parseTwilioOutbound(raw: unknown): TwilioOutbound | WireError {
  const m = jsonObject(raw);
  if (isWireError(m)) return m;
  const streamSid = str(m, "streamSid");
  if (typeof streamSid !== "string") return streamSid;
  switch (m.event) {
    case "media": {
      const media = asObject(m.media);
      const b64 = media ? str(media, "payload") : wireError("missing_field", "media must be an object");
      if (typeof b64 !== "string") return b64;
      const payload = base64Decode(b64);
      return payload ? { event: "media", streamSid, payload } : wireError("bad_payload", "payload is not base64");
    }
    case "mark": {
      const mark = asObject(m.mark);
      const name = mark ? str(mark, "name") : wireError("missing_field", "mark must be an object");
      return typeof name === "string" ? { event: "mark", streamSid, name } : name;
    }
    case "clear":
      return { event: "clear", streamSid };
    default:
      return wireError("unknown_event", "unknown outbound event");
  }
}

/** The exact JSON object Twilio sends for an inbound message (for fakes, recorders and tests). */
export function encodeTwilioInbound(msg: TwilioInbound): Json {
  const seq = String(msg.event === "connected" ? 0 : msg.sequenceNumber);
  switch (msg.event) {
    case "connected":
      return { event: "connected", protocol: msg.protocol, version: msg.version };
    case "start":
      return {
        event: "start",
        sequenceNumber: seq,
        streamSid: msg.streamSid,
        start: {
          accountSid: msg.accountSid,
          streamSid: msg.streamSid,
          callSid: msg.callSid,
          tracks: [...msg.tracks],
          mediaFormat: { encoding: msg.encoding, sampleRate: msg.sampleRateHz, channels: msg.channels },
          customParameters: { ...msg.customParameters },
        },
      };
    case "media":
      return {
        event: "media",
        sequenceNumber: seq,
        streamSid: msg.streamSid,
        media: {
          track: msg.track,
          chunk: String(msg.chunk),
          timestamp: String(msg.timestampMs),
          payload: base64Encode(msg.payload),
        },
      };
    case "dtmf":
      return { event: "dtmf", sequenceNumber: seq, streamSid: msg.streamSid, dtmf: { track: msg.track, digit: msg.digit } };
    case "mark":
      return { event: "mark", sequenceNumber: seq, streamSid: msg.streamSid, mark: { name: msg.name } };
    case "stop":
      return { event: "stop", sequenceNumber: seq, streamSid: msg.streamSid, stop: { accountSid: "", callSid: msg.callSid } };
  }
}
