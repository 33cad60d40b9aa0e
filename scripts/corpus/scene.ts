/**
 * A call's far-end audio, composed on the 20 ms frame grid, with its truth labels kept beside it:
 * speech items (utterances, backchannels, machine greetings), tones (beeps, DTMF, SIT) and beds
 * (music, room noise). Rendering runs the telephone chain: mix, 300–3400 Hz band, line noise,
 * PCM16 clip. Labels come from the clean items, never from the noisy mix.
 */
import {
  FRAME_MS, FRAME_SAMPLES, dbToGain, mixInto, msToSamples, normalizeActive, rmsDb, snapMs, whiteNoise,
} from "./audio.ts";
import { telephoneBand } from "./filter.ts";
import type { Rng } from "./prng.ts";
import { energySpeechFrames, framesToRanges, rangeSpeechFrames, unionRanges } from "./speech-frames.ts";

/** What a speech item is, for the labels. */
export type SpeechRole = "utterance" | "backchannel" | "greeting";

/** Options of one speech item. */
export interface SayOptions {
  readonly text: string;
  readonly role: SpeechRole;
  /** Whether the speaker has finished their thought at the end of this item (default true). */
  readonly complete?: boolean;
  /** Active speech level in dBFS (default −20). */
  readonly levelDb?: number;
  /** Truth from manual labels (ms from the buffer start) instead of energy (ten-vad clips). */
  readonly manualSpeechMs?: ReadonlyArray<readonly [number, number]>;
  /** The caller starts this over the agent's expected reply (barge-in truth). */
  readonly interrupts?: boolean;
}

/** Where an item's speech (or tone) sits, audio ms [startMs, endMs). */
export interface Placed {
  readonly startMs: number;
  readonly endMs: number;
}

/** A labelled tone. */
export interface ToneLabel {
  readonly kind: "beep" | "dtmf" | "sit";
  readonly startMs: number;
  readonly endMs: number;
  readonly hz?: readonly number[];
  readonly digits?: string;
}

/** One caller utterance (a piece of speech between pauses) in the labels. */
export interface UtteranceLabel {
  readonly startMs: number;
  readonly endMs: number;
  readonly text: string;
  readonly complete: boolean;
  readonly interrupts?: boolean;
}

interface SpeechItem {
  readonly atSample: number;
  readonly audio: Float32Array;
  readonly flags: readonly boolean[];
  readonly role: SpeechRole;
  readonly label: UtteranceLabel;
}

interface Bed {
  readonly atSample: number;
  readonly audio: Float32Array;
  readonly kind: "music" | "room";
  readonly startMs: number;
  readonly endMs: number;
}

/** Identity and truth of a scene known before rendering. */
export interface SceneInfo {
  readonly category: string;
  readonly answeredBy: "human" | "machine";
  readonly description: string;
}

/** The rendered call: PCM16 at 8 kHz and its labels (header `labels` object, minus network). */
export interface RenderedScene {
  readonly pcm: Int16Array;
  readonly durationMs: number;
  readonly labels: Record<string, unknown>;
}

/** A scene under construction. */
export class Scene {
  /** Line noise level, dBFS RMS after band-limiting. */
  lineNoiseDb = -60;
  /** Free-form provenance notes (voices, recordings) copied into the labels. */
  readonly sources: string[] = [];
  private readonly speech: SpeechItem[] = [];
  private readonly toneItems: Array<{ atSample: number; audio: Float32Array; label: ToneLabel }> = [];
  private readonly beds: Bed[] = [];
  private beep: { startMs: number; hz: number; durationMs: number } | null = null;

  constructor(readonly info: SceneInfo) {}

  /**
   * Place speech so that its first speech frame starts at `atMs` (snapped to the frame grid).
   * Leading non-speech of the source is trimmed. Returns the labelled speech extent.
   */
  say(atMs: number, audio: Float32Array, opts: SayOptions): Placed {
    const level = opts.levelDb ?? -20;
    const all = opts.manualSpeechMs
      ? rangeSpeechFrames(opts.manualSpeechMs, Math.ceil(audio.length / FRAME_SAMPLES))
      : energySpeechFrames(audio);
    const first = all.indexOf(true);
    const last = all.lastIndexOf(true);
    if (first < 0) throw new Error(`no speech in "${opts.text}"`);
    const tailFrames = 2;
    const endFrame = Math.min(all.length, last + 1 + tailFrames);
    const clip = normalizeActive(audio.slice(first * FRAME_SAMPLES, endFrame * FRAME_SAMPLES), level);
    const flags = all.slice(first, endFrame);
    const startMs = snapMs(atMs);
    const placed = { startMs, endMs: startMs + (last - first + 1) * FRAME_MS };
    const label: UtteranceLabel = {
      startMs: placed.startMs,
      endMs: placed.endMs,
      text: opts.text,
      complete: opts.complete ?? true,
      ...(opts.interrupts ? { interrupts: true } : {}),
    };
    this.speech.push({ atSample: msToSamples(startMs), audio: clip, flags, role: opts.role, label });
    return placed;
  }

  /** Place a tone (already at its level) at `atMs`; returns its extent (first/last loud sample). */
  tone(atMs: number, audio: Float32Array, label: Omit<ToneLabel, "startMs" | "endMs">): Placed {
    const startMs = snapMs(atMs);
    const on = toneExtent(audio);
    const placed = { startMs: startMs + on.startMs, endMs: startMs + on.endMs };
    this.toneItems.push({ atSample: msToSamples(startMs), audio, label: { ...label, ...placed } });
    return placed;
  }

  /** Place the voicemail beep (a tone whose onset is the `beepStartMs` truth). */
  voicemailBeep(atMs: number, audio: Float32Array, hz: number): Placed {
    const placed = this.tone(atMs, audio, { kind: "beep", hz: [hz] });
    this.beep = { startMs: placed.startMs, hz, durationMs: placed.endMs - placed.startMs };
    return placed;
  }

  /** Lay a non-speech background from `fromMs` to `toMs` at `levelDb` dBFS RMS. */
  bed(fromMs: number, toMs: number, audio: Float32Array, levelDb: number, kind: "music" | "room"): void {
    const a = snapMs(fromMs);
    const n = msToSamples(snapMs(toMs) - a);
    const clip = audio.slice(0, n);
    const level = rmsDb(clip);
    const scaled = Number.isFinite(level) ? clip.map((v) => v * dbToGain(levelDb - level)) : clip;
    this.beds.push({ atSample: msToSamples(a), audio: scaled, kind, startMs: a, endMs: a + clip.length / 8 });
  }

  /** Render `durationMs` of audio (snapped down to whole frames) with its labels. */
  render(rng: Rng, durationMs: number): RenderedScene {
    const total = snapMs(durationMs);
    const n = msToSamples(total);
    const mix = new Float32Array(n);
    for (const s of this.speech) mixInto(mix, s.audio, s.atSample);
    for (const t of this.toneItems) mixInto(mix, t.audio, t.atSample);
    for (const b of this.beds) mixInto(mix, b.audio, b.atSample);
    const band = telephoneBand(mix);
    const noise = telephoneBand(whiteNoise(rng, n, 0));
    const noiseGain = dbToGain(this.lineNoiseDb - rmsDb(noise));
    const pcm = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const v = Math.round((band[i]! + noise[i]! * noiseGain) * 32767);
      pcm[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return { pcm, durationMs: total, labels: this.labels(total) };
  }

  private labels(totalMs: number): Record<string, unknown> {
    const clipRange = ([a, b]: readonly [number, number]): [number, number] => [Math.min(a, totalMs), Math.min(b, totalMs)];
    const speech = unionRanges(
      this.speech.flatMap((s) => framesToRanges(s.flags, (s.atSample / FRAME_SAMPLES) * FRAME_MS)),
    ).map(clipRange).filter(([a, b]) => b > a);
    const byStart = (p: { label: UtteranceLabel }, q: { label: UtteranceLabel }) => p.label.startMs - q.label.startMs;
    const talk = this.speech.filter((s) => s.role !== "backchannel").sort(byStart);
    const utterances = talk.map((s) => s.label);
    const backchannels = this.speech
      .filter((s) => s.role === "backchannel")
      .sort(byStart)
      .map((s) => ({ startMs: s.label.startMs, endMs: s.label.endMs, text: s.label.text }));
    const greeting = this.speech.filter((s) => s.role === "greeting");
    const firstComplete = utterances.find((u) => u.complete);
    return {
      answeredBy: this.info.answeredBy,
      beepStartMs: this.beep ? this.beep.startMs : null,
      speech,
      category: this.info.category,
      beepHz: this.beep ? this.beep.hz : null,
      beepMs: this.beep ? this.beep.durationMs : null,
      greetingEndMs: greeting.length > 0 ? Math.max(...greeting.map((g) => g.label.endMs)) : null,
      firstUtteranceEndMs: firstComplete ? firstComplete.endMs : null,
      utterances,
      backchannels,
      tones: this.toneItems.map((t) => t.label).sort((p, q) => p.startMs - q.startMs),
      music: this.beds.filter((b) => b.kind === "music").map((b) => [b.startMs, Math.min(b.endMs, totalMs)]),
      roomNoise: this.beds.filter((b) => b.kind === "room").map((b) => [b.startMs, Math.min(b.endMs, totalMs)]),
      lineNoiseDb: this.lineNoiseDb,
      sources: this.sources,
    };
  }
}

/** First and last sample above 10 % of the peak, as ms from the buffer start. */
function toneExtent(audio: Float32Array): Placed {
  let peak = 0;
  for (const v of audio) peak = Math.max(peak, Math.abs(v));
  const thr = peak * 0.1;
  let first = -1;
  let last = -1;
  for (let i = 0; i < audio.length; i++) {
    if (Math.abs(audio[i]!) > thr) {
      if (first < 0) first = i;
      last = i;
    }
  }
  return { startMs: Math.round(first / 8), endMs: Math.round((last + 1) / 8) };
}
