/**
 * Prometheus metrics (prom-client), one registry per gateway so tests and benchmarks do not share
 * state: per-turn latency stages, live calls, malformed frames, and the usual process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { TurnLatency } from "../db/schema/transcripts.ts";
import { stages } from "../session/latency.ts";

const BUCKETS_MS = [50, 100, 150, 200, 300, 400, 500, 600, 700, 800, 1000, 1250, 1500, 2000, 3000, 5000];

export class GatewayMetrics {
  readonly registry = new Registry();
  readonly turnStage = new Histogram({
    name: "voice_gateway_turn_stage_ms",
    help: "Per-turn latency by stage, ms (turn_latency_ms: caller's end of speech to our first audio frame)",
    labelNames: ["stage"],
    buckets: BUCKETS_MS,
    registers: [this.registry],
  });
  readonly liveCalls = new Gauge({ name: "voice_gateway_live_calls", help: "Media sessions in progress", registers: [this.registry] });
  readonly malformedFrames = new Counter({ name: "voice_gateway_malformed_frames_total", help: "Media websocket frames that could not be parsed", registers: [this.registry] });
  readonly callsEnded = new Counter({ name: "voice_gateway_sessions_ended_total", help: "Media sessions ended, by reason", labelNames: ["reason"], registers: [this.registry] });

  constructor(opts: { processMetrics?: boolean } = {}) {
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  observeTurn(t: TurnLatency): void {
    for (const [stage, ms] of Object.entries(stages(t))) if (Number.isFinite(ms)) this.turnStage.observe({ stage }, ms);
  }
}
