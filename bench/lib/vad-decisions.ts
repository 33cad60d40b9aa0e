/** A VAD's per-frame decisions over a list of frames, for scoring against frame labels. */
import { createVad, type VadOptions } from "../../src/engine/vad.ts";

/** Per frame (1 = yes): the live decision, the settled one (VadFrame.settledAt), the music flag. */
export interface VadDecisions {
  live: Uint8Array;
  settled: Uint8Array;
  music: Uint8Array;
}

/** Run one VAD over `frameList`; a segment's settled boundaries rewrite the frames before them. */
export function vadDecisions(frameList: readonly Int16Array[], opts: Partial<VadOptions> = {}): VadDecisions {
  const vad = createVad(opts);
  const n = frameList.length;
  const live = new Uint8Array(n);
  const settled = new Uint8Array(n);
  const music = new Uint8Array(n);
  frameList.forEach((f, i) => {
    const r = vad.push(f);
    if (r.onset) settled.fill(1, r.settledAt, i);
    if (r.offset) settled.fill(0, r.settledAt, i);
    live[i] = settled[i] = r.speech ? 1 : 0;
    music[i] = r.music ? 1 : 0;
  });
  return { live, settled, music };
}
