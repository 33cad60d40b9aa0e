/**
 * Table-driven base64 (RFC 4648 §4, standard alphabet with padding) for media payloads, without
 * the platform's `atob`/`Buffer`, so the engine stays pure and can decode into reused buffers.
 */

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ENCODE = new Uint8Array(64);
/** 255 marks a character outside the alphabet. */
const DECODE = new Uint8Array(256).fill(255);
for (let i = 0; i < 64; i++) {
  ENCODE[i] = ALPHABET.charCodeAt(i);
  DECODE[ALPHABET.charCodeAt(i)] = i;
}
const PAD = 61; // '='

/** Decoded length of a base64 string, or -1 if its length or padding is invalid. */
export function base64DecodedLength(text: string): number {
  const n = text.length;
  if (n % 4 !== 0) return -1;
  if (n === 0) return 0;
  let pad = 0;
  if (text.charCodeAt(n - 1) === PAD) pad++;
  if (text.charCodeAt(n - 2) === PAD) pad++;
  return (n / 4) * 3 - pad;
}

/**
 * Decode base64 into `out` (allocated when absent). Returns the bytes, or null if the text is not
 * valid base64.
 */
export function base64Decode(text: string, out?: Uint8Array): Uint8Array | null {
  const len = base64DecodedLength(text);
  if (len < 0) return null;
  const bytes = out && out.length >= len ? out.subarray(0, len) : new Uint8Array(len);
  const n = text.length;
  // Groups before the last cannot hold padding ('=' decodes to 255, rejected with the rest).
  const body = n - 4;
  let o = 0;
  let i = 0;
  for (; i < body; i += 4) {
    const a = DECODE[text.charCodeAt(i)]!;
    const b = DECODE[text.charCodeAt(i + 1)]!;
    const c = DECODE[text.charCodeAt(i + 2)]!;
    const d = DECODE[text.charCodeAt(i + 3)]!;
    if ((a | b | c | d) > 63) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o] = v >> 16;
    bytes[o + 1] = (v >> 8) & 0xff;
    bytes[o + 2] = v & 0xff;
    o += 3;
  }
  if (i < n) {
    // The last group: '=' stands for zero bits; only `len` bytes are written.
    const a = DECODE[text.charCodeAt(i)]!;
    const b = DECODE[text.charCodeAt(i + 1)]!;
    const c3 = text.charCodeAt(i + 2);
    const d3 = text.charCodeAt(i + 3);
    const c = c3 === PAD ? 0 : DECODE[c3]!;
    const d = d3 === PAD ? 0 : DECODE[d3]!;
    if ((a | b | c | d) > 63) return null;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    bytes[o++] = v >> 16;
    if (o < len) bytes[o++] = (v >> 8) & 0xff;
    if (o < len) bytes[o++] = v & 0xff;
  }
  return bytes;
}

/** ASCII code units → string: one native call, no intermediate array of numbers. */
const LATIN1 = new TextDecoder("latin1");
/** Output buffer reused by `base64Encode` for frames up to 3 KiB of input. */
const ENCODED = new Uint8Array(4096);

/** Encode bytes as base64 text. */
export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length;
  const len = Math.ceil(n / 3) * 4;
  const out = len <= ENCODED.length ? ENCODED.subarray(0, len) : new Uint8Array(len);
  let o = 0;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out[o] = ENCODE[v >> 18]!;
    out[o + 1] = ENCODE[(v >> 12) & 63]!;
    out[o + 2] = ENCODE[(v >> 6) & 63]!;
    out[o + 3] = ENCODE[v & 63]!;
    o += 4;
  }
  if (i < n) {
    const two = i + 1 < n;
    const v = (bytes[i]! << 16) | (two ? bytes[i + 1]! << 8 : 0);
    out[o++] = ENCODE[v >> 18]!;
    out[o++] = ENCODE[(v >> 12) & 63]!;
    out[o++] = two ? ENCODE[(v >> 6) & 63]! : PAD;
    out[o++] = PAD;
  }
  return LATIN1.decode(out);
}
