/**
 * A scripted speech-to-text for benchmarks: from the labelled utterances of a fixture, the
 * transcript a streaming recogniser with interim results would deliver. Words are spread evenly
 * over the utterance; interim results every `interimEveryMs` of audio carry the words already
 * spoken, the final comes at the end; each is delivered `latencyMs` after the audio it covers.
 */
import type { FixtureUtterance } from "./fixture.ts";

/** One delivered transcript. */
export interface ScriptedTranscript {
  atMs: number;
  text: string;
  isFinal: boolean;
}

/** Options of the script. */
export interface ScriptedSttOptions {
  latencyMs: number;
  interimEveryMs: number;
}

/** Defaults: results 300 ms after the audio, interims every 500 ms. */
export const DEFAULT_SCRIPTED_STT: Readonly<ScriptedSttOptions> = Object.freeze({ latencyMs: 300, interimEveryMs: 500 });

/** The transcripts for a list of utterances, sorted by delivery time. Placeholder texts in
 * parentheses (real recordings without a transcript) deliver nothing. */
export function scriptTranscripts(
  utterances: readonly FixtureUtterance[],
  opts: Partial<ScriptedSttOptions> = {},
): ScriptedTranscript[] {
  const o = { ...DEFAULT_SCRIPTED_STT, ...opts };
  const out: ScriptedTranscript[] = [];
  for (const u of utterances) {
    if (/^\s*\(.*\)\s*$/.test(u.text)) continue;
    const words = u.text.split(/\s+/).filter((w) => w !== "");
    if (words.length === 0) continue;
    const span = Math.max(1, u.endMs - u.startMs);
    for (let t = u.startMs + o.interimEveryMs; t < u.endMs; t += o.interimEveryMs) {
      const n = Math.floor(((t - u.startMs) / span) * words.length);
      if (n > 0) out.push({ atMs: t + o.latencyMs, text: words.slice(0, n).join(" "), isFinal: false });
    }
    out.push({ atMs: u.endMs + o.latencyMs, text: words.join(" "), isFinal: true });
  }
  return out.sort((a, b) => a.atMs - b.atMs);
}
