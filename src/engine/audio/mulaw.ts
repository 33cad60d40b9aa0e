/**
 * G.711 mu-law codec, table driven (ITU-T G.711, section 3 "mu-law").
 *
 * Decoding is a 256-entry table; encoding is a 16K-entry table indexed by the 14-bit magnitude
 * (linear >> 2), which is exactly the resolution G.711 mu-law quantises from. Every one of the
 * 256 codes decodes to a value that encodes back to the same code (except the two zero codes,
 * 0x7f and 0xff, which both decode to 0 and encode to 0xff, as G.711 specifies).
 */

const BIAS = 0x84; // 132: added before the segment search so segment 0 starts at 33 (14-bit)
const CLIP = 32635;

/** Linear PCM16 value of each mu-law code. */
export const MULAW_DECODE_TABLE: Int16Array = (() => {
  const table = new Int16Array(256);
  for (let code = 0; code < 256; code++) {
    const u = ~code & 0xff;
    const sign = u & 0x80;
    const exponent = (u >> 4) & 0x07;
    const mantissa = u & 0x0f;
    const magnitude = (((mantissa << 3) + BIAS) << exponent) - BIAS;
    table[code] = sign ? -magnitude : magnitude;
  }
  return table;
})();

/** |PCM16 value| of each mu-law code: a frame's level without a decode and a branch per sample. */
export const MULAW_ABS_TABLE: Uint16Array = Uint16Array.from(MULAW_DECODE_TABLE, (v) => (v < 0 ? -v : v));

function encodeSlow(sample: number): number {
  let s = sample;
  let sign = 0;
  if (s < 0) {
    s = -s;
    sign = 0x80;
  }
  if (s > CLIP) s = CLIP;
  s += BIAS;
  let exponent = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exponent > 0; mask >>= 1) exponent--;
  const mantissa = (s >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Encode table for non-negative magnitudes, indexed by magnitude >> 2 (0..8191). */
const ENCODE_POS = new Uint8Array(8192);
/** Encode table for negative values, indexed by (-sample) >> 2 (0..8192). */
const ENCODE_NEG = new Uint8Array(8193);
for (let i = 0; i < 8192; i++) ENCODE_POS[i] = encodeSlow(i << 2);
for (let i = 0; i < 8193; i++) ENCODE_NEG[i] = encodeSlow(-(i << 2) || -1);
// -1..-3 quantise like -4 would not: G.711 treats tiny negatives as negative zero code 0x7f.
ENCODE_NEG[0] = 0x7f;

/** Encode one PCM16 sample (any integer in -32768..32767) to a mu-law byte. */
export function encodeMulawSample(sample: number): number {
  return sample >= 0 ? ENCODE_POS[sample >> 2]! : ENCODE_NEG[-sample >> 2]!;
}

/** Decode mu-law bytes to PCM16. Writes into `out` when given (must be at least as long). */
export function decodeMulaw(bytes: Uint8Array, out?: Int16Array): Int16Array {
  const pcm = out ?? new Int16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) pcm[i] = MULAW_DECODE_TABLE[bytes[i]!]!;
  return pcm;
}

/** Encode PCM16 samples to mu-law. Writes into `out` when given (must be at least as long). */
export function encodeMulaw(samples: Int16Array, out?: Uint8Array): Uint8Array {
  const bytes = out ?? new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) bytes[i] = encodeMulawSample(samples[i]!);
  return bytes;
}

/** The mu-law code of digital silence (linear 0). */
export const MULAW_SILENCE = 0xff;
