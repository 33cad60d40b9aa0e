/** Loader of the ten-vad test set converted to telephone audio, with 20 ms frame labels. */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readWav } from "./wav.ts";
import { frames, toTelephone } from "./telephone.ts";

/** One clip: 20 ms telephone frames and a speech label per frame (label at the frame centre). */
export interface LabelledClip {
  name: string;
  frames: Int16Array[];
  labels: boolean[];
}

/** Default location of the corpus. */
export const TEN_VAD_DIR = "/work/shared/corpus/ten-vad";

/** Parse an .scv line `name,start,end,label,...` into [startS, endS, label] triples. */
export function parseScv(text: string): Array<[number, number, number]> {
  const parts = text.trim().split(",");
  const out: Array<[number, number, number]> = [];
  for (let i = 1; i + 2 < parts.length; i += 3) {
    const s = Number(parts[i]);
    const e = Number(parts[i + 1]);
    const l = Number(parts[i + 2]);
    if (!Number.isFinite(s) || !Number.isFinite(e) || !Number.isFinite(l)) break;
    out.push([s, e, l]);
  }
  return out;
}

/** Load every clip of the corpus, converted and labelled. */
export function loadTenVad(dir = TEN_VAD_DIR, frameMs = 20): LabelledClip[] {
  const names = readdirSync(dir).filter((f) => f.endsWith(".wav")).sort();
  return names.map((file) => {
    const name = file.replace(/\.wav$/, "");
    const wav = readWav(join(dir, file));
    const pcm = toTelephone(wav.samples, wav.sampleRateHz);
    const fr = frames(pcm, (8000 * frameMs) / 1000);
    const segs = parseScv(readFileSync(join(dir, `${name}.scv`), "utf8"));
    const labels = fr.map((_, i) => {
      const t = ((i + 0.5) * frameMs) / 1000;
      const seg = segs.find(([s, e]) => t >= s && t < e);
      return seg !== undefined && seg[2] === 1;
    });
    return { name, frames: fr, labels };
  });
}
