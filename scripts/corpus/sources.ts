/**
 * Source audio as 8 kHz mono Float32: espeak-ng speech, WAV recordings (asterisk prompts, music on
 * hold, ten-vad clips), all resampled by sox to 32-bit float so no dither (and no randomness)
 * enters. Results are memoised per process.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SAMPLE_RATE_HZ } from "./audio.ts";
import type { InputPaths } from "./inputs.ts";

const SOX_TO_FLOAT_8K = ["-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-r", String(SAMPLE_RATE_HZ), "-"];

function runTool(cmd: string[], stdin?: Uint8Array): Uint8Array {
  const proc = Bun.spawnSync({ cmd, stdin: stdin ?? "ignore", stdout: "pipe", stderr: "pipe" });
  if (proc.exitCode !== 0) {
    throw new Error(`${cmd[0]} failed (${proc.exitCode}): ${proc.stderr.toString().trim()}`);
  }
  return proc.stdout;
}

function floatsFrom(bytes: Uint8Array): Float32Array {
  const copy = new Uint8Array(bytes.length - (bytes.length % 4));
  copy.set(bytes.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}

/** An espeak-ng voice: voice+variant name, rate (words per minute), pitch (0–99). */
export interface Voice {
  readonly name: string;
  readonly wordsPerMinute: number;
  readonly pitch: number;
}

const ttsCache = new Map<string, Float32Array>();

/**
 * Synthesize `text` with espeak-ng and resample to 8 kHz float. espeak-ng's leading and trailing
 * silence is kept (speech labels are measured on the result).
 */
export function speak(text: string, voice: Voice): Float32Array {
  const key = `${voice.name}|${voice.wordsPerMinute}|${voice.pitch}|${text}`;
  const hit = ttsCache.get(key);
  if (hit) return hit;
  const wav = runTool([
    "espeak-ng", "-v", voice.name, "-s", String(voice.wordsPerMinute), "-p", String(voice.pitch), "--stdout", text,
  ]);
  const pcm = floatsFrom(runTool(["sox", "-V1", "-t", "wav", "-", ...SOX_TO_FLOAT_8K], wav));
  ttsCache.set(key, pcm);
  return pcm;
}

const fileCache = new Map<string, Float32Array>();

/**
 * Read any WAV file sox understands as 8 kHz float; when the source is wider band, sox's rate
 * effect low-passes it below 4 kHz (the telephone band filter comes later in the chain).
 */
export function readAudioFile(path: string): Float32Array {
  const hit = fileCache.get(path);
  if (hit) return hit;
  const pcm = floatsFrom(runTool(["sox", "-V1", path, ...SOX_TO_FLOAT_8K]));
  fileCache.set(path, pcm);
  return pcm;
}

/** An asterisk prompt by name (e.g. `vm-intro`, `digits/5`). */
export function asteriskPrompt(paths: InputPaths, name: string): Float32Array {
  return readAudioFile(join(paths.asteriskSoundsDir, `${name}.wav`));
}

/** A music-on-hold track by file stem. */
export function musicOnHold(paths: InputPaths, stem: string): Float32Array {
  return readAudioFile(join(paths.mohDir, `${stem}.wav`));
}

/** The music-on-hold stems shipped by asterisk-moh-opsound-wav. */
export const MOH_STEMS = Object.freeze([
  "macroform-cold_day",
  "macroform-robot_dity",
  "macroform-the_simplicity",
  "manolo_camp-morning_coffee",
  "reno_project-system",
] as const);

/** A ten-vad clip and its manual labels (seconds converted to ms). */
export interface TenVadClip {
  readonly name: string;
  readonly audio: Float32Array;
  /** Manually labelled speech ranges, ms from the clip start. */
  readonly speechMs: ReadonlyArray<readonly [number, number]>;
}

/** Load ten-vad clip number `n` (1–30). */
export function tenVadClip(paths: InputPaths, n: number): TenVadClip {
  const name = `testset-audio-${String(n).padStart(2, "0")}`;
  const audio = readAudioFile(join(paths.tenVadDir, `${name}.wav`));
  const fields = readFileSync(join(paths.tenVadDir, `${name}.scv`), "utf8").trim().split(",");
  const speechMs: Array<[number, number]> = [];
  for (let i = 1; i + 2 < fields.length + 1; i += 3) {
    const start = Number(fields[i]);
    const end = Number(fields[i + 1]);
    const label = fields[i + 2];
    if (label === undefined || !Number.isFinite(start) || !Number.isFinite(end)) break;
    if (label.trim() === "1") speechMs.push([Math.round(start * 1000), Math.round(end * 1000)]);
  }
  return { name, audio, speechMs };
}
