/**
 * The generator's external inputs: Debian tools and recordings, and ten-vad's clips from the
 * shared corpus. Nothing is installed here; missing inputs are reported with the apt command.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

/** Where each input lives. */
export interface InputPaths {
  /** asterisk-core-sounds-en-wav prompts (8 kHz WAV). */
  readonly asteriskSoundsDir: string;
  /** asterisk-moh-opsound-wav music on hold (8 kHz WAV). */
  readonly mohDir: string;
  /** ten-vad test set: 16 kHz WAV + `.scv` labels. */
  readonly tenVadDir: string;
}

/** Default input locations, relative to the project root for ten-vad (`../shared/corpus/ten-vad`). */
export function defaultInputPaths(projectRoot: string): InputPaths {
  return Object.freeze({
    asteriskSoundsDir: "/usr/share/asterisk/sounds/en_US_f_Allison",
    mohDir: "/usr/share/asterisk/moh",
    tenVadDir: resolve(projectRoot, "..", "shared", "corpus", "ten-vad"),
  });
}

interface Requirement {
  readonly what: string;
  readonly present: boolean;
  readonly aptPackage: string | null;
}

function onPath(tool: string): boolean {
  return Bun.which(tool) !== null;
}

/**
 * Check every input; returns the list of missing ones as printable lines (empty when all are
 * present), each with the apt package that provides it.
 */
export function missingInputs(paths: InputPaths): string[] {
  const reqs: Requirement[] = [
    { what: "espeak-ng (speech synthesis)", present: onPath("espeak-ng"), aptPackage: "espeak-ng" },
    { what: "sox (resampling)", present: onPath("sox"), aptPackage: "sox" },
    {
      what: `asterisk prompts and beep.wav in ${paths.asteriskSoundsDir}`,
      present: existsSync(join(paths.asteriskSoundsDir, "beep.wav")),
      aptPackage: "asterisk-core-sounds-en-wav",
    },
    {
      what: `music on hold in ${paths.mohDir}`,
      present: existsSync(join(paths.mohDir, "macroform-cold_day.wav")),
      aptPackage: "asterisk-moh-opsound-wav",
    },
    {
      what: `ten-vad clips in ${paths.tenVadDir}`,
      present: existsSync(join(paths.tenVadDir, "testset-audio-01.wav")),
      aptPackage: null,
    },
  ];
  const missing = reqs.filter((r) => !r.present);
  const lines = missing.map((r) => `missing: ${r.what}`);
  const pkgs = missing.flatMap((r) => (r.aptPackage ? [r.aptPackage] : []));
  if (pkgs.length > 0) lines.push(`install with: apt-get install -y ${pkgs.join(" ")}`);
  if (missing.some((r) => r.aptPackage === null)) {
    lines.push("ten-vad is read from ../shared/corpus/ten-vad (the shared reference corpus)");
  }
  return lines;
}
