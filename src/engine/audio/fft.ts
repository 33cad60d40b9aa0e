/**
 * Real-input radix-2 FFT, allocation-free after construction.
 *
 * A real sequence of N samples is packed into N/2 complex values (even samples real, odd
 * samples imaginary), transformed with an N/2-point complex FFT and split into the N/2 + 1
 * non-redundant bins of the real transform. Half the work of a complex FFT of the same size.
 */

/** A reusable real FFT of a fixed power-of-two size. */
export interface RealFft {
  /** Transform size N in samples (power of two, ≥ 4). */
  readonly sizeSamples: number;
  /**
   * Forward transform of `input[0..N)`. Writes bins 0..N/2 into `re` and `im` (each at least
   * N/2 + 1 long). Unnormalised: X[k] = Σ x[n]·e^(−2πikn/N).
   */
  forward(input: Float64Array, re: Float64Array, im: Float64Array): void;
}

/** Build a real FFT of `sizeSamples` points (a power of two ≥ 4). */
export function createRealFft(sizeSamples: number): RealFft {
  if (sizeSamples < 4 || (sizeSamples & (sizeSamples - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two ≥ 4, got ${sizeSamples}`);
  }
  const n = sizeSamples;
  const m = n >> 1; // complex points
  const zr = new Float64Array(m);
  const zi = new Float64Array(m);
  // Bit-reversal permutation of m points.
  const bitrev = new Uint16Array(m);
  const bits = Math.log2(m) | 0;
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    bitrev[i] = r;
  }
  // Twiddles of the m-point complex FFT laid out stage by stage in the order the butterflies use
  // them (stage of size s uses e^(−2πij/s), j < s/2), so the inner loop reads them sequentially
  // instead of striding through one table.
  const stageTw = Math.max(1, m - 1);
  const twr = new Float64Array(stageTw);
  const twi = new Float64Array(stageTw);
  for (let size = 2, off = 0; size <= m; size <<= 1) {
    for (let j = 0; j < size >> 1; j++, off++) {
      twr[off] = Math.cos((-2 * Math.PI * j) / size);
      twi[off] = Math.sin((-2 * Math.PI * j) / size);
    }
  }
  // Split twiddles of the real transform: e^(−2πik/n), k ≤ m.
  const spr = new Float64Array(m + 1);
  const spi = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    spr[k] = Math.cos((-2 * Math.PI * k) / n);
    spi[k] = Math.sin((-2 * Math.PI * k) / n);
  }

  function forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    // Bit-reversed load fused with the first (twiddle-free) radix-2 stage.
    for (let i = 0; i < m; i += 2) {
      const j0 = bitrev[i]!;
      const j1 = bitrev[i + 1]!;
      const ar = input[2 * j0]!;
      const ai = input[2 * j0 + 1]!;
      const br = input[2 * j1]!;
      const bi = input[2 * j1 + 1]!;
      zr[i] = ar + br;
      zi[i] = ai + bi;
      zr[i + 1] = ar - br;
      zi[i + 1] = ai - bi;
    }
    for (let size = 4, off = 1; size <= m; off += size >> 1, size <<= 1) {
      const half = size >> 1;
      for (let start = 0; start < m; start += size) {
        for (let j = 0; j < half; j++) {
          const wr = twr[off + j]!;
          const wi = twi[off + j]!;
          const a = start + j;
          const b = a + half;
          const br = zr[b]!;
          const bi = zi[b]!;
          const tr = br * wr - bi * wi;
          const ti = br * wi + bi * wr;
          const ar = zr[a]!;
          const ai = zi[a]!;
          zr[a] = ar + tr;
          zi[a] = ai + ti;
          zr[b] = ar - tr;
          zi[b] = ai - ti;
        }
      }
    }
    // Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i.
    for (let k = 0; k <= m; k++) {
      const k1 = k === m ? 0 : k;
      const k2 = k === 0 ? 0 : m - k;
      const ar = zr[k1]!;
      const ai = zi[k1]!;
      const br = zr[k2]!;
      const bi = -zi[k2]!;
      const er = (ar + br) * 0.5;
      const ei = (ai + bi) * 0.5;
      // (a − b) / 2i = (ai − bi)/2 − i (ar − br)/2
      const or = (ai - bi) * 0.5;
      const oi = -(ar - br) * 0.5;
      const wr = spr[k]!;
      const wi = spi[k]!;
      re[k] = er + or * wr - oi * wi;
      im[k] = ei + or * wi + oi * wr;
    }
  }

  return { sizeSamples: n, forward };
}
