/** Drive the streaming AMD (and Asterisk's, for comparison) over one recorded call. */
import { createAmd, type AmdEvent, type AmdOptions, type AmdVerdict } from "../../src/engine/amd.ts";
import { createFeatureExtractor } from "../../src/engine/audio/features.ts";
import type { BeepEvent } from "../../src/engine/beep.ts";
import { createVad } from "../../src/engine/vad.ts";
import { createAsteriskAmd, type AsteriskAmdResult } from "../asterisk-amd.ts";
import type { Fixture } from "./fixture.ts";
import { scriptTranscripts } from "./scripted-stt.ts";

/** What one AMD run produced. */
export interface AmdRun {
  verdict: AmdVerdict | null;
  decidedAtMs: number | null;
  reason: string | null;
  beep: BeepEvent | null;
  greetingEnded: { atMs: number; by: "beep" | "silence"; detectedAtMs: number } | null;
}

const FRAME_MS = 20;
const FRAME_SAMPLES = 160;

/** Run our AMD over a fixture; `stt` feeds scripted transcripts from the labels. After the audio
 * ends, the detector is woken at its deadlines (as the live driver would) for up to 10 s.
 * `engineVad` (default true) drives it as the call engine does: one feature extractor and the
 * engine's one VAD (default options, music rejection on) feed the AMD; false lets the AMD run
 * its own VAD. */
export function runAmd(fx: Fixture, stt: boolean, opts: Partial<AmdOptions> = {}, engineVad = true): AmdRun {
  // With transcripts the detector is told to expect them, as the call engine does.
  const amd = createAmd({ expectTranscripts: stt, ...opts });
  const features = engineVad ? createFeatureExtractor() : null;
  const vad = engineVad ? createVad() : null;
  const transcripts = stt ? scriptTranscripts(fx.labels.utterances ?? []) : [];
  let ti = 0;
  const run: AmdRun = { verdict: null, decidedAtMs: null, reason: null, beep: null, greetingEnded: null };
  const take = (evs: readonly AmdEvent[]): void => {
    for (const e of evs) {
      if (e.type === "greetingEnded" && !run.greetingEnded) run.greetingEnded = { atMs: e.atMs, by: e.by, detectedAtMs: e.detectedAtMs };
    }
  };
  let atMs = 0;
  for (let i = 0; i + FRAME_SAMPLES <= fx.pcm.length; i += FRAME_SAMPLES, atMs += FRAME_MS) {
    while (ti < transcripts.length && transcripts[ti]!.atMs <= atMs) {
      const tr = transcripts[ti++]!;
      take(amd.pushTranscript(tr.text, atMs, tr.isFinal));
    }
    const frame = fx.pcm.subarray(i, i + FRAME_SAMPLES);
    if (features && vad) {
      const f = features.compute(frame);
      take(amd.push(frame, atMs, f, vad.push(frame, f)));
    } else {
      take(amd.push(frame, atMs));
    }
  }
  const stopMs = atMs + 10_000;
  for (let d = amd.nextDeadlineMs(); d !== null && d <= stopMs; d = amd.nextDeadlineMs()) {
    take(amd.tick(d));
    if (amd.nextDeadlineMs() === d) break;
  }
  run.verdict = amd.verdict;
  run.decidedAtMs = amd.decidedAtMs;
  run.reason = amd.reason;
  run.beep = amd.beep;
  return run;
}

/** Run Asterisk's app_amd over a fixture (silence padded if the audio ends first). */
export function runAsteriskAmd(fx: Fixture): AsteriskAmdResult {
  const amd = createAsteriskAmd();
  const silence = new Int16Array(FRAME_SAMPLES);
  for (let i = 0; ; i += FRAME_SAMPLES) {
    const frame = i + FRAME_SAMPLES <= fx.pcm.length ? fx.pcm.subarray(i, i + FRAME_SAMPLES) : silence;
    const r = amd.push(frame);
    if (r) return r;
  }
}
