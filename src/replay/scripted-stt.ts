/**
 * A scripted speech-to-text for recordings without `stt` lines: Deepgram-shaped live messages
 * made from the header labels, in audio time, like Deepgram would send them with interim results,
 * endpointing and utterance-end on:
 * - words: from `labels.utterances` (and `labels.backchannels`) text, over the labelled speech
 *   inside each utterance: its pauses fall between words (preferably at punctuation), and the
 *   words of each voiced part share it by character count; without utterances, one placeholder
 *   word "speech" per labelled speech range;
 * - an interim result each time a word ends (last word's closing punctuation not yet known);
 * - a final (`is_final`, `speech_final`) once `endpointingMs` of silence follows a word;
 * - `UtteranceEnd` once `utteranceEndMs` passes without words;
 * - on `finalize()`, a final (`from_finalize`) of every word already spoken and not yet final.
 * Everything is delivered `delayMs` after the audio that triggers it has reached the provider.
 */
import { encodeDeepgramMessage } from "../engine/stt-events.ts";
import type { SttEvent, SttWord } from "../engine/types.ts";

/** Options; times in ms. */
export interface ScriptedSttOptions {
  /** Delivery delay after the triggering audio arrived. Default 150. */
  delayMs: number;
  /** Deepgram `endpointing`. Default 300. */
  endpointingMs: number;
  /** Deepgram `utterance_end_ms`. Default 1000. */
  utteranceEndMs: number;
}

/** Defaults (see each field). */
export const DEFAULT_SCRIPTED_STT_OPTIONS: Readonly<ScriptedSttOptions> = Object.freeze({
  delayMs: 150,
  endpointingMs: 300,
  utteranceEndMs: 1000,
});

interface LabelUtterance {
  startMs: number;
  endMs: number;
  text: string;
}

type Range = readonly [number, number];

function isRange(v: unknown): v is Range {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === "number" && typeof v[1] === "number";
}

function utterancesOf(labels: Readonly<Record<string, unknown>>, key: string): LabelUtterance[] {
  const list = labels[key];
  if (!Array.isArray(list)) return [];
  const out: LabelUtterance[] = [];
  for (const u of list) {
    if (typeof u !== "object" || u === null) continue;
    const { startMs, endMs, text } = u as Record<string, unknown>;
    if (typeof startMs === "number" && typeof endMs === "number" && typeof text === "string") {
      out.push({ startMs, endMs, text });
    }
  }
  return out;
}

/** Words with audio times, from the labels (see the file comment). */
export function scriptWords(labels: Readonly<Record<string, unknown>>): SttWord[] {
  const speech = (Array.isArray(labels.speech) ? labels.speech : []).filter(isRange);
  const utts = [...utterancesOf(labels, "utterances"), ...utterancesOf(labels, "backchannels")].sort(
    (a, b) => a.startMs - b.startMs,
  );
  const words: SttWord[] = [];
  if (utts.length === 0) {
    for (const [a, b] of speech) words.push({ word: "speech", startMs: a, endMs: b });
    return words;
  }
  for (const u of utts) {
    // The utterance's voiced parts; the whole span if the speech labels miss it.
    let parts: Range[] = speech
      .map(([a, b]): Range => [Math.max(a, u.startMs), Math.min(b, u.endMs)])
      .filter(([a, b]) => b > a);
    if (parts.length === 0) parts = [[u.startMs, u.endMs]];
    const tokens = u.text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
    for (const [i, group] of splitAtPauses(tokens, parts).entries()) {
      // Within one voiced part, words share its time by characters.
      const [a, b] = parts[i]!;
      const total = group.reduce((n, w) => n + w.length + 1, 0);
      let chars = 0;
      for (const w of group) {
        const startMs = Math.round(a + ((b - a) * chars) / total);
        chars += w.length + 1;
        const endMs = Math.round(a + ((b - a) * chars) / total);
        words.push({ word: w, startMs, endMs: Math.max(endMs, startMs + 1) });
      }
    }
  }
  return words;
}

/**
 * The words spoken in each voiced part of an utterance. A talker pauses between words, most often
 * at punctuation: each pause goes at the word boundary nearest to where the characters would put
 * it, a boundary after `,;:.?!` counting as half as far. Parts may get no word (a breath).
 */
function splitAtPauses(tokens: readonly string[], parts: readonly Range[]): string[][] {
  const voicedMs = parts.reduce((n, [a, b]) => n + b - a, 0);
  // Character position after each word.
  const ends: number[] = [];
  let pos = 0;
  for (const w of tokens) ends.push((pos += w.length + 1));
  const total = pos;
  const groups: string[][] = [];
  let from = 0; // first word not yet placed
  let elapsedMs = 0;
  for (let i = 0; i < parts.length; i++) {
    const [a, b] = parts[i]!;
    elapsedMs += b - a;
    let to = tokens.length; // the last part takes the rest
    if (i < parts.length - 1) {
      const target = (elapsedMs / voicedMs) * total;
      let best = Infinity;
      to = from;
      for (let k = from; k <= tokens.length; k++) {
        const at = k === 0 ? 0 : ends[k - 1]!;
        const pause = k > 0 && /[,;:.?!]$/.test(tokens[k - 1]!);
        const cost = Math.abs(at - target) * (pause ? 0.5 : 1);
        if (cost < best) {
          best = cost;
          to = k;
        }
      }
    }
    groups.push(tokens.slice(from, to));
    from = to;
  }
  return groups;
}

/** Drop the closing sentence punctuation of the last word (an interim does not know it yet). */
function interimText(ws: readonly SttWord[]): string {
  const text = ws.map((w) => w.word).join(" ");
  return text.replace(/[.?!]+$/, "");
}

/** A message to deliver: Deepgram JSON, and the audio ms whose arrival triggers it. */
export interface ScriptedMessage {
  readonly triggerAudioMs: number;
  readonly msg: Record<string, unknown>;
}

/**
 * See the file comment. Drive it with `advance(audioMs)` as audio reaches the provider, and
 * `finalize(audioMs)` when the engine asks; both return the messages due (deliver after `delayMs`).
 */
export class ScriptedStt {
  readonly options: Readonly<ScriptedSttOptions>;
  private readonly words: SttWord[];
  /** Next word whose end has not been reached. */
  private heard = 0;
  /** Words before this index are final. */
  private finalUpTo = 0;
  private lastAudioMs = 0;
  private utteranceEndSent = true;

  constructor(labels: Readonly<Record<string, unknown>>, opts: Partial<ScriptedSttOptions> = {}) {
    this.options = Object.freeze({ ...DEFAULT_SCRIPTED_STT_OPTIONS, ...opts });
    this.words = scriptWords(labels);
  }

  /** The audio clock reached `audioMs`. */
  advance(audioMs: number): SttEvent[] {
    const out: SttEvent[] = [];
    if (audioMs <= this.lastAudioMs) return out;
    this.lastAudioMs = audioMs;
    const o = this.options;
    for (;;) {
      const w = this.words[this.heard];
      const lastHeard = this.words[this.heard - 1];
      // Endpoint: silence after the last heard word (before the next word starts).
      if (lastHeard && this.finalUpTo < this.heard) {
        const nextStart = w ? w.startMs : Infinity;
        const endpointAt = lastHeard.endMs + o.endpointingMs;
        if (endpointAt <= audioMs && endpointAt <= nextStart) {
          out.push(this.final(this.heard, true, false));
          continue;
        }
      }
      if (lastHeard && !this.utteranceEndSent) {
        const nextStart = w ? w.startMs : Infinity;
        const at = lastHeard.endMs + o.utteranceEndMs;
        if (at <= audioMs && at <= nextStart) {
          this.utteranceEndSent = true;
          out.push({ type: "utteranceEnd", lastWordEndMs: lastHeard.endMs });
          continue;
        }
      }
      if (w && w.endMs <= audioMs) {
        this.heard++;
        this.utteranceEndSent = false;
        const pending = this.words.slice(this.finalUpTo, this.heard);
        out.push({
          type: "transcript",
          text: interimText(pending),
          words: pending,
          startMs: pending[0]!.startMs,
          endMs: w.endMs,
          isFinal: false,
          speechFinal: false,
          fromFinalize: false,
        });
        continue;
      }
      return out;
    }
  }

  /** The engine sent `Finalize` when the audio clock was at `audioMs`. */
  finalize(audioMs: number): SttEvent[] {
    const out = this.advance(audioMs);
    if (this.finalUpTo < this.heard) out.push(this.final(this.heard, false, true));
    return out;
  }

  private final(upTo: number, speechFinal: boolean, fromFinalize: boolean): SttEvent {
    const ws = this.words.slice(this.finalUpTo, upTo);
    this.finalUpTo = upTo;
    return {
      type: "transcript",
      text: ws.map((w) => w.word).join(" "),
      words: ws,
      startMs: ws[0]!.startMs,
      endMs: ws[ws.length - 1]!.endMs,
      isFinal: true,
      speechFinal,
      fromFinalize,
    };
  }

  /** Deepgram's wire JSON for an event (what a live recording's `stt` line holds). */
  static wire(ev: SttEvent): Record<string, unknown> {
    return encodeDeepgramMessage(ev);
  }
}
