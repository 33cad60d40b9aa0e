import { describe, expect, test } from "bun:test";
import { percentiles, quantile, stages, summarize } from "../../src/session/latency.ts";

describe("latency", () => {
  test("nearest-rank quantiles", () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([quantile(v, 0.5), quantile(v, 0.9), quantile(v, 0.99), quantile([7], 0.99)]).toEqual([50, 90, 99, 7]);
    expect(percentiles([Number.NaN, 3, 1, 2])).toEqual({ p50: 2, p90: 3, p99: 3, n: 3 });
    expect(percentiles([])).toBeNull();
  });

  test("stages add up: endpointing + providers + overhead = turn latency", () => {
    const t = { speechEndMs: 1000, endOfTurnMs: 1300, replyStartMs: 1150, firstPhraseMs: 1500, finalTranscriptMs: 1350, firstLlmTokenMs: 1460, firstTtsByteMs: 1660, firstMediaMs: 1672 };
    const s = stages(t);
    expect(s).toEqual({
      turn_latency_ms: 672,
      endpointing_ms: 150,
      end_of_turn_ms: 300,
      final_transcript_ms: 350,
      llm_first_token_ms: 310,
      llm_first_phrase_ms: 350,
      tts_first_byte_ms: 160,
      gateway_overhead_ms: 12,
    });
    expect(s.endpointing_ms! + s.llm_first_phrase_ms! + s.tts_first_byte_ms! + s.gateway_overhead_ms!).toBe(s.turn_latency_ms!);
    expect(summarize([t, { ...t, firstMediaMs: 1772 }]).turn_latency_ms).toEqual({ p50: 672, p90: 772, p99: 772, n: 2 });
  });
});
