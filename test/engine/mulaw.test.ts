import { describe, expect, test } from "bun:test";
import { mulaw } from "alawmulaw";
import { decodeMulaw, encodeMulaw, encodeMulawSample, MULAW_DECODE_TABLE, MULAW_SILENCE } from "../../src/engine/audio/mulaw.ts";

const ALL_CODES = Uint8Array.from({ length: 256 }, (_, i) => i);
const ALL_PCM = Int16Array.from({ length: 65536 }, (_, i) => i - 32768);

describe("mu-law (G.711)", () => {
  test("every code decodes and re-encodes to itself, except negative zero 0x7f → 0xff", () => {
    const back = encodeMulaw(decodeMulaw(ALL_CODES));
    const expected = Uint8Array.from(ALL_CODES, (c) => (c === 0x7f ? 0xff : c));
    expect(back).toEqual(expected);
  });

  test("decoding matches the alawmulaw oracle for all 256 codes", () => {
    expect(decodeMulaw(ALL_CODES)).toEqual(mulaw.decode(ALL_CODES));
  });

  test("encoding matches the alawmulaw oracle for all 65536 PCM16 values", () => {
    expect(encodeMulaw(ALL_PCM)).toEqual(mulaw.encode(ALL_PCM));
  });

  test("the decode table spans ±32124 and is odd-symmetric", () => {
    expect([MULAW_DECODE_TABLE[0x00], MULAW_DECODE_TABLE[0x80], MULAW_DECODE_TABLE[0xff]]).toEqual([-32124, 32124, 0]);
    const asymmetric = ALL_CODES.filter((c) => c < 0x80 && MULAW_DECODE_TABLE[c] !== -MULAW_DECODE_TABLE[c | 0x80]!);
    expect(Array.from(asymmetric)).toEqual([]);
  });

  test("decoded values are monotonic in the code within each sign", () => {
    const pos = Array.from({ length: 128 }, (_, i) => MULAW_DECODE_TABLE[0xff - i]!);
    expect(pos).toEqual([...pos].sort((a, b) => a - b));
  });

  test("silence and clipping", () => {
    expect([encodeMulawSample(0), MULAW_SILENCE, encodeMulawSample(32767), encodeMulawSample(-32768)]).toEqual([0xff, 0xff, 0x80, 0x00]);
  });

  test("writes into a caller's buffers", () => {
    const out = new Int16Array(4);
    const res = decodeMulaw(Uint8Array.of(0xff, 0x80, 0x00, 0x7f), out);
    expect(res).toBe(out);
    expect(Array.from(out)).toEqual([0, 32124, -32124, 0]);
  });
});
