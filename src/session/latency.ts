/** Per-turn latency marks and their percentiles. */
import type { TurnLatency } from "../db/schema/transcripts.ts";

export type { TurnLatency };

/** Value at quantile q (0..1) of sorted numbers, nearest-rank. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  n: number;
}

export function percentiles(values: readonly number[]): Percentiles | null {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return null;
  return { p50: quantile(v, 0.5), p90: quantile(v, 0.9), p99: quantile(v, 0.99), n: v.length };
}

/** The stages of a turn, in ms, derived from its marks. */
export function stages(t: TurnLatency): Record<string, number> {
  const d = (a: number | null, b: number | null) => (a === null || b === null ? Number.NaN : a - b);
  const start = t.replyStartMs ?? t.endOfTurnMs ?? null;
  const total = d(t.firstMediaMs, t.speechEndMs);
  // Endpointing: how long after the end of speech the reply started (speculation counts).
  const endpointing = d(start, t.speechEndMs);
  // Providers: waiting for the LLM's first token and first clause, and for the TTS first byte.
  const llm = d(t.firstPhraseMs ?? t.firstLlmTokenMs, start);
  const tts = d(t.firstTtsByteMs, t.firstPhraseMs ?? t.firstLlmTokenMs);
  return {
    turn_latency_ms: total,
    endpointing_ms: endpointing,
    end_of_turn_ms: d(t.endOfTurnMs, t.speechEndMs),
    final_transcript_ms: d(t.finalTranscriptMs, t.speechEndMs),
    llm_first_token_ms: d(t.firstLlmTokenMs, start),
    llm_first_phrase_ms: llm,
    tts_first_byte_ms: tts,
    // Everything that is neither endpointing nor a provider: the gateway's own overhead.
    gateway_overhead_ms: total - endpointing - llm - tts,
  };
}

/** Percentiles of every stage across turns (stages with no sample are left out). */
export function summarize(turns: readonly TurnLatency[]): Record<string, Percentiles> {
  const out: Record<string, Percentiles> = {};
  const all = turns.map(stages);
  for (const key of Object.keys(all[0] ?? {})) {
    const p = percentiles(all.map((s) => s[key]!));
    if (p) out[key] = p;
  }
  return out;
}
