/** Minimal RIFF/WAVE reader for 16-bit PCM mono files (bench-only, reads from disk). */
import { readFileSync } from "node:fs";

/** Decoded PCM16 mono audio. */
export interface Wav {
  sampleRateHz: number;
  samples: Int16Array;
}

/** Read a PCM16 WAV file; multi-channel files keep only the first channel. */
export function readWav(path: string): Wav {
  const buf = readFileSync(path);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.toString("ascii", 0, 4) !== "RIFF" || buf.toString("ascii", 8, 12) !== "WAVE") {
    throw new Error(`${path}: not a RIFF/WAVE file`);
  }
  let off = 12;
  let sampleRateHz = 0;
  let channels = 1;
  let bits = 16;
  while (off + 8 <= buf.length) {
    const id = buf.toString("ascii", off, off + 4);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (id === "fmt ") {
      channels = view.getUint16(body + 2, true);
      sampleRateHz = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
    } else if (id === "data") {
      if (bits !== 16) throw new Error(`${path}: only 16-bit PCM is supported`);
      const frames = Math.floor(Math.min(size, buf.length - body) / (2 * channels));
      const samples = new Int16Array(frames);
      for (let i = 0; i < frames; i++) samples[i] = view.getInt16(body + i * 2 * channels, true);
      return { sampleRateHz, samples };
    }
    off = body + size + (size & 1);
  }
  throw new Error(`${path}: no data chunk`);
}
