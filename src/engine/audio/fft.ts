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
  /**
   * Power spectrum of `input[n]·window[n]`: writes |X[k]|²·`scale` for bins 0..N/2 into `power`
   * (at least N/2 + 1 long). The window is applied while loading, so no windowed copy is needed.
   */
  power(input: Float64Array, window: Float64Array, power: Float64Array, scale: number): void;
}

/** Constant tables of a real FFT of one size (shared by every instance of that size). */
interface FftTables {
  /** Bit-reversal permutation of the m = n/2 complex points. */
  readonly bitrev: Uint16Array;
  /** Stage twiddles of the m-point complex FFT (see `tablesFor`). */
  readonly twr: Float64Array;
  readonly twi: Float64Array;
  /** Split twiddles of the real transform: e^(−2πik/n), k ≤ m. */
  readonly spr: Float64Array;
  readonly spi: Float64Array;
  /** A window of ones (the transform without a window). */
  readonly ones: Float64Array;
}

/** One table set per size, built on first use: engines are created per call, by the hundred. */
const TABLES = new Map<number, FftTables>();

function tablesFor(n: number): FftTables {
  const cached = TABLES.get(n);
  if (cached) return cached;
  const m = n >> 1;
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
  const spr = new Float64Array(m + 1);
  const spi = new Float64Array(m + 1);
  for (let k = 0; k <= m; k++) {
    spr[k] = Math.cos((-2 * Math.PI * k) / n);
    spi[k] = Math.sin((-2 * Math.PI * k) / n);
  }
  const t: FftTables = { bitrev, twr, twi, spr, spi, ones: new Float64Array(n).fill(1) };
  TABLES.set(n, t);
  return t;
}

/** Build a real FFT of `sizeSamples` points (a power of two ≥ 4). */
export function createRealFft(sizeSamples: number): RealFft {
  if (sizeSamples < 4 || (sizeSamples & (sizeSamples - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two ≥ 4, got ${sizeSamples}`);
  }
  const n = sizeSamples;
  const m = n >> 1; // complex points
  // Per instance only the work buffers; the constant tables are shared by every FFT of this size.
  const zr = new Float64Array(m);
  const zi = new Float64Array(m);
  const { bitrev, twr, twi, spr, spi, ones } = tablesFor(n);

  // The first radix-2 stages have trivial twiddles (1 and −i at sizes 2 and 4, and ±1, −i and
  // (±1 − i)/√2 at size 8): they are fused into the bit-reversed load, four or eight points at a
  // time. Eight when that leaves an even number of stages, which then go two at a time (below):
  // for m = 128 that is 3 passes over the data instead of 4.
  const quads = m >= 4;
  const eights = m >= 8 && (Math.log2(m) & 1) === 1;

  /** The m-point complex FFT of the packed (optionally windowed) input into zr/zi. */
  function transform(input: Float64Array, window: Float64Array | null): void {
    if (eights) loadEights(input, window ?? ones);
    else if (quads) {
      const w = window ?? ones;
      // Bit-reversed load fused with stages of size 2 and 4.
      for (let i = 0; i < m; i += 4) {
        const j0 = bitrev[i]! << 1;
        const j1 = bitrev[i + 1]! << 1;
        const j2 = bitrev[i + 2]! << 1;
        const j3 = bitrev[i + 3]! << 1;
        const ar = input[j0]! * w[j0]!;
        const ai = input[j0 + 1]! * w[j0 + 1]!;
        const br = input[j1]! * w[j1]!;
        const bi = input[j1 + 1]! * w[j1 + 1]!;
        const cr = input[j2]! * w[j2]!;
        const ci = input[j2 + 1]! * w[j2 + 1]!;
        const dr = input[j3]! * w[j3]!;
        const di = input[j3 + 1]! * w[j3 + 1]!;
        const s0r = ar + br;
        const s0i = ai + bi;
        const d0r = ar - br;
        const d0i = ai - bi;
        const s1r = cr + dr;
        const s1i = ci + di;
        const d1r = cr - dr;
        const d1i = ci - di;
        zr[i] = s0r + s1r;
        zi[i] = s0i + s1i;
        zr[i + 2] = s0r - s1r;
        zi[i + 2] = s0i - s1i;
        // −i·(d1r + i·d1i) = d1i − i·d1r
        zr[i + 1] = d0r + d1i;
        zi[i + 1] = d0i - d1r;
        zr[i + 3] = d0r - d1i;
        zi[i + 3] = d0i + d1r;
      }
    } else {
      for (let i = 0; i < m; i += 2) {
        const j0 = bitrev[i]! << 1;
        const j1 = bitrev[i + 1]! << 1;
        const ar = input[j0]!;
        const ai = input[j0 + 1]!;
        const br = input[j1]!;
        const bi = input[j1 + 1]!;
        zr[i] = ar + br;
        zi[i] = ai + bi;
        zr[i + 1] = ar - br;
        zi[i + 1] = ai - bi;
      }
    }
    stages();
  }

  /** Bit-reversed load of input·window fused with the stages of size 2, 4 and 8 (m ≥ 8). */
  function loadEights(input: Float64Array, window: Float64Array): void {
    for (let i = 0; i < m; i += 8) {
      // Two groups of four (stages 2 and 4) ...
      let j = bitrev[i]! << 1;
      const ar = input[j]! * window[j]!;
      const ai = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 1]! << 1;
      const br = input[j]! * window[j]!;
      const bi = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 2]! << 1;
      const cr = input[j]! * window[j]!;
      const ci = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 3]! << 1;
      const dr = input[j]! * window[j]!;
      const di = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 4]! << 1;
      const er = input[j]! * window[j]!;
      const ei = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 5]! << 1;
      const fr = input[j]! * window[j]!;
      const fi = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 6]! << 1;
      const gr = input[j]! * window[j]!;
      const gi = input[j + 1]! * window[j + 1]!;
      j = bitrev[i + 7]! << 1;
      const hr = input[j]! * window[j]!;
      const hi = input[j + 1]! * window[j + 1]!;
      // Size 2.
      const abr = ar + br;
      const abi = ai + bi;
      const xbr = ar - br;
      const xbi = ai - bi;
      const cdr = cr + dr;
      const cdi = ci + di;
      const xdr = cr - dr;
      const xdi = ci - di;
      const efr = er + fr;
      const efi = ei + fi;
      const xfr = er - fr;
      const xfi = ei - fi;
      const ghr = gr + hr;
      const ghi = gi + hi;
      const xhr = gr - hr;
      const xhi = gi - hi;
      // Size 4 (twiddles 1, −i): p0..p3 from a..d, q0..q3 from e..h.
      const p0r = abr + cdr;
      const p0i = abi + cdi;
      const p2r = abr - cdr;
      const p2i = abi - cdi;
      const p1r = xbr + xdi;
      const p1i = xbi - xdr;
      const p3r = xbr - xdi;
      const p3i = xbi + xdr;
      const q0r = efr + ghr;
      const q0i = efi + ghi;
      const q2r = efr - ghr;
      const q2i = efi - ghi;
      const q1r = xfr + xhi;
      const q1i = xfi - xhr;
      const q3r = xfr - xhi;
      const q3i = xfi + xhr;
      // ... then size 8: q_j turned by e^(−2πij/8).
      const t1r = (q1r + q1i) * Math.SQRT1_2;
      const t1i = (q1i - q1r) * Math.SQRT1_2;
      const t3r = (q3i - q3r) * Math.SQRT1_2;
      const t3i = -(q3r + q3i) * Math.SQRT1_2;
      zr[i] = p0r + q0r;
      zi[i] = p0i + q0i;
      zr[i + 4] = p0r - q0r;
      zi[i + 4] = p0i - q0i;
      zr[i + 1] = p1r + t1r;
      zi[i + 1] = p1i + t1i;
      zr[i + 5] = p1r - t1r;
      zi[i + 5] = p1i - t1i;
      // −i·q2 = q2i − i·q2r
      zr[i + 2] = p2r + q2i;
      zi[i + 2] = p2i - q2r;
      zr[i + 6] = p2r - q2i;
      zi[i + 6] = p2i + q2r;
      zr[i + 3] = p3r + t3r;
      zi[i + 3] = p3i + t3i;
      zr[i + 7] = p3r - t3r;
      zi[i + 7] = p3i - t3i;
    }
  }

  function stages(): void {
    let size = eights ? 16 : quads ? 8 : 4;
    let off = eights ? 7 : quads ? 3 : 1;
    // Two radix-2 stages at a time (sizes s and 2s): their butterflies close over groups of four
    // points, so each point is loaded and stored once per pair of stages. The arithmetic is the
    // very same as stage by stage (same products, same order), hence bit-identical results.
    for (; size * 2 <= m; off += (size >> 1) + size, size <<= 2) {
      const h = size >> 1;
      const offB = off + h;
      for (let j = 0; j < h; j++) {
        const w1r = twr[off + j]!;
        const w1i = twi[off + j]!;
        const w2r = twr[offB + j]!;
        const w2i = twi[offB + j]!;
        const w3r = twr[offB + j + h]!;
        const w3i = twi[offB + j + h]!;
        for (let i0 = j; i0 < m; i0 += 2 * size) {
          const i1 = i0 + h;
          const i2 = i0 + size;
          const i3 = i2 + h;
          const x0r = zr[i0]!;
          const x0i = zi[i0]!;
          const x1r = zr[i1]!;
          const x1i = zi[i1]!;
          const x2r = zr[i2]!;
          const x2i = zi[i2]!;
          const x3r = zr[i3]!;
          const x3i = zi[i3]!;
          // Stage s: (i0, i1) and (i2, i3), twiddle w1.
          let tr = x1r * w1r - x1i * w1i;
          let ti = x1r * w1i + x1i * w1r;
          const y0r = x0r + tr;
          const y0i = x0i + ti;
          const y1r = x0r - tr;
          const y1i = x0i - ti;
          tr = x3r * w1r - x3i * w1i;
          ti = x3r * w1i + x3i * w1r;
          const y2r = x2r + tr;
          const y2i = x2i + ti;
          const y3r = x2r - tr;
          const y3i = x2i - ti;
          // Stage 2s: (i0, i2) with twiddle w2, (i1, i3) with twiddle w3.
          tr = y2r * w2r - y2i * w2i;
          ti = y2r * w2i + y2i * w2r;
          zr[i0] = y0r + tr;
          zi[i0] = y0i + ti;
          zr[i2] = y0r - tr;
          zi[i2] = y0i - ti;
          tr = y3r * w3r - y3i * w3i;
          ti = y3r * w3i + y3i * w3r;
          zr[i1] = y1r + tr;
          zi[i1] = y1i + ti;
          zr[i3] = y1r - tr;
          zi[i3] = y1i - ti;
        }
      }
    }
    if (size <= m) {
      // One stage left over.
      const half = size >> 1;
      for (let j = 0; j < half; j++) {
        const wr = twr[off + j]!;
        const wi = twi[off + j]!;
        for (let a = j; a < m; a += size) {
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
  }

  function forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    transform(input, null);
    // Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i.
    // k = 0 and k = m both read Z[0]; X is real there.
    const z0r = zr[0]!;
    const z0i = zi[0]!;
    re[0] = z0r + z0i;
    im[0] = 0;
    re[m] = z0r - z0i;
    im[m] = 0;
    // Bins k and m − k from one pair of loads (see power()).
    for (let k = 1, h = m >> 1; k <= h; k++) {
      const ar = zr[k]!;
      const ai = zi[k]!;
      const br = zr[m - k]!;
      const bi = -zi[m - k]!;
      const er = (ar + br) * 0.5;
      const ei = (ai + bi) * 0.5;
      // (a − b) / 2i = (ai − bi)/2 − i (ar − br)/2
      const or = (ai - bi) * 0.5;
      const oi = (br - ar) * 0.5;
      const wr = spr[k]!;
      const wi = spi[k]!;
      const orwr = or * wr;
      const oiwi = oi * wi;
      const orwi = or * wi;
      const oiwr = oi * wr;
      re[k] = er + orwr - oiwi;
      im[k] = ei + orwi + oiwr;
      re[m - k] = er - orwr + oiwi;
      im[m - k] = -ei + orwi + oiwr;
    }
  }

  function power(input: Float64Array, window: Float64Array, out: Float64Array, scale: number): void {
    if (!quads) throw new RangeError("power() needs an FFT of at least 8 points");
    transform(input, window);
    const z0r = zr[0]!;
    const z0i = zi[0]!;
    out[0] = (z0r + z0i) * (z0r + z0i) * scale;
    out[m] = (z0r - z0i) * (z0r - z0i) * scale;
    // As in forward(), with the ½ of E and O folded into the scale (¼ on the power).
    const s4 = scale * 0.25;
    // Bins k and m − k read the same two points: for m − k, E is conj E(k), O is conj O(k) and
    // the twiddle is −conj W^k, so both come from one pair of loads.
    for (let k = 1, h = m >> 1; k <= h; k++) {
      const ar = zr[k]!;
      const ai = zi[k]!;
      const br = zr[m - k]!;
      const bi = -zi[m - k]!;
      const er = ar + br;
      const ei = ai + bi;
      const or = ai - bi;
      const oi = br - ar;
      const wr = spr[k]!;
      const wi = spi[k]!;
      const ow = or * wr;
      const oiwi = oi * wi;
      const orwi = or * wi;
      const oiwr = oi * wr;
      const xr = er + ow - oiwi;
      const xi = ei + orwi + oiwr;
      out[k] = (xr * xr + xi * xi) * s4;
      const yr = er - ow + oiwi;
      const yi = -ei + orwi + oiwr;
      out[m - k] = (yr * yr + yi * yi) * s4;
    }
  }

  return { sizeSamples: n, forward, power };
}
