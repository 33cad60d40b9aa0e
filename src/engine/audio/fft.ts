/**
 * Real-input radix-2 FFT, allocation-free after construction.
 *
 * A real sequence of N samples is packed into N/2 complex values (even samples real, odd
 * samples imaginary), transformed with an N/2-point complex FFT and split into the N/2 + 1
 * non-redundant bins of the real transform. Half the work of a complex FFT of the same size.
 *
 * The arithmetic runs in WebAssembly with 128-bit SIMD (fft.wat, embedded in fft-wasm.ts), two
 * butterflies or two bins per instruction, with exactly the operations of the scalar algorithm
 * below in the same order, so its results are bit-identical to it:
 * - The first radix-2 stages have trivial twiddles (1 and −i at sizes 2 and 4, and ±1, −i and
 *   (±1 − i)/√2 at size 8): they are fused into the bit-reversed load, four or eight points at a
 *   time. Eight when that leaves an even number of stages (log2 m odd, m ≥ 8), else four (m ≥ 4),
 *   else the size-2 stage alone (m = 2). The window, if any, is applied while loading.
 * - The stages left then go two at a time (sizes s and 2s): their butterflies close over groups
 *   of four points, each loaded and stored once per pair of stages; the products and sums are the
 *   same as stage by stage. The fused load always leaves an even number of stages.
 * - Split: X[k] = E[k] + W^k O[k], E = (Z[k] + conj Z[m−k]) / 2, O = (Z[k] − conj Z[m−k]) / 2i;
 *   bins k and m − k read the same two points (for m − k, E is conj E(k), O is conj O(k) and the
 *   twiddle is −conj W^k), so both come from one pair of loads.
 *
 * The kernels work in one module memory shared by every transform: each size has a plan there
 * (tables and buffers, built on first use); a call copies its input in and its bins out.
 */
import { base64Decode } from "../base64.ts";
import { FFT_WASM_BASE64 } from "./fft-wasm.ts";

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
   * Needs N ≥ 8.
   */
  power(input: Float64Array, window: Float64Array, power: Float64Array, scale: number): void;
}

interface Kernels {
  readonly memory: WebAssembly.Memory;
  /** Power spectrum of the plan's input·window into its `out` (see fft.wat). */
  readonly power: (plan: number, scale: number) => void;
  /** Forward transform of the plan's input into its `out` (re) and `im`. */
  readonly forward: (plan: number) => void;
}

const KERNELS: Kernels = (() => {
  const instance = new WebAssembly.Instance(new WebAssembly.Module(base64Decode(FFT_WASM_BASE64)!));
  return instance.exports as unknown as Kernels;
})();

/** First free byte of the kernels' memory (plans are never freed: one per size). */
let heapTop = 0;

/** `bytes` of the kernels' memory, 16-byte aligned, growing the memory when needed. */
function allocate(bytes: number): number {
  const at = (heapTop + 15) & ~15;
  heapTop = at + bytes;
  const have = KERNELS.memory.buffer.byteLength;
  if (heapTop > have) KERNELS.memory.grow(Math.ceil((heapTop - have) / 65536));
  return at;
}

/** Views of a plan's buffers; remade when the memory grows (which detaches the old ones). */
interface PlanViews {
  readonly buffer: ArrayBuffer;
  readonly input: Float64Array;
  readonly window: Float64Array;
  /** Power, or the real part of the forward transform: m + 1 bins. */
  readonly out: Float64Array;
  readonly im: Float64Array;
}

/** One transform size laid out in the kernels' memory (field order as in fft.wat). */
interface Plan {
  /** Byte offset of the plan's header. */
  readonly at: number;
  readonly n: number;
  readonly m: number;
  /** Byte offsets of the buffers the views cover. */
  readonly inputAt: number;
  readonly windowAt: number;
  readonly outAt: number;
  readonly imAt: number;
  views: PlanViews | null;
}

/** One plan per size, built on first use: engines are created per call, by the hundred. */
const PLANS = new Map<number, Plan>();

function planFor(n: number): Plan {
  const cached = PLANS.get(n);
  if (cached) return cached;
  const m = n >> 1;
  const log2m = Math.log2(m) | 0;
  const load = m >= 8 && (log2m & 1) === 1 ? 8 : m >= 4 ? 4 : 2;
  const f64 = (count: number): number => allocate(8 * count);
  const header = allocate(64);
  const rev = allocate(4 * m);
  // Twiddles of the m-point complex FFT laid out stage by stage in the order the butterflies use
  // them (stage of size s uses e^(−2πij/s), j < s/2), so the butterflies read them sequentially.
  const twr = f64(Math.max(1, m - 1));
  const twi = f64(Math.max(1, m - 1));
  const spr = f64(m + 1);
  const spi = f64(m + 1);
  const fields = [m, load, 2 * load, load - 1, rev, twr, twi, spr, spi, f64(n), f64(n), f64(m), f64(m), f64(m + 1), f64(m + 1), f64(n)];
  const mem = KERNELS.memory.buffer;
  new Int32Array(mem, header, 16).set(fields);
  // Bit-reversal permutation of m points, as the byte offset of the packed point's real part.
  const revs = new Int32Array(mem, rev, m);
  for (let i = 0; i < m; i++) {
    let r = 0;
    for (let b = 0; b < log2m; b++) r |= ((i >> b) & 1) << (log2m - 1 - b);
    revs[i] = 16 * r;
  }
  const wr = new Float64Array(mem, twr, Math.max(1, m - 1));
  const wi = new Float64Array(mem, twi, Math.max(1, m - 1));
  for (let size = 2, off = 0; size <= m; size <<= 1) {
    for (let j = 0; j < size >> 1; j++, off++) {
      wr[off] = Math.cos((-2 * Math.PI * j) / size);
      wi[off] = Math.sin((-2 * Math.PI * j) / size);
    }
  }
  const sr = new Float64Array(mem, spr, m + 1);
  const si = new Float64Array(mem, spi, m + 1);
  for (let k = 0; k <= m; k++) {
    sr[k] = Math.cos((-2 * Math.PI * k) / n);
    si[k] = Math.sin((-2 * Math.PI * k) / n);
  }
  new Float64Array(mem, fields[15]!, n).fill(1);
  const plan: Plan = { at: header, n, m, inputAt: fields[9]!, windowAt: fields[10]!, outAt: fields[13]!, imAt: fields[14]!, views: null };
  PLANS.set(n, plan);
  return plan;
}

function viewsOf(plan: Plan): PlanViews {
  const buffer = KERNELS.memory.buffer;
  if (plan.views?.buffer === buffer) return plan.views;
  const { n, m } = plan;
  plan.views = {
    buffer,
    input: new Float64Array(buffer, plan.inputAt, n),
    window: new Float64Array(buffer, plan.windowAt, n),
    out: new Float64Array(buffer, plan.outAt, m + 1),
    im: new Float64Array(buffer, plan.imAt, m + 1),
  };
  return plan.views;
}

/** `a[0..n)`, as itself when it is exactly that long. */
function head(a: Float64Array, n: number): Float64Array {
  return a.length === n ? a : a.subarray(0, n);
}

/** Build a real FFT of `sizeSamples` points (a power of two ≥ 4). */
export function createRealFft(sizeSamples: number): RealFft {
  if (sizeSamples < 4 || (sizeSamples & (sizeSamples - 1)) !== 0) {
    throw new RangeError(`FFT size must be a power of two ≥ 4, got ${sizeSamples}`);
  }
  const n = sizeSamples;
  const plan = planFor(n);

  function forward(input: Float64Array, re: Float64Array, im: Float64Array): void {
    const v = viewsOf(plan);
    v.input.set(head(input, n));
    KERNELS.forward(plan.at);
    re.set(v.out);
    im.set(v.im);
  }

  function power(input: Float64Array, window: Float64Array, out: Float64Array, scale: number): void {
    if (n < 8) throw new RangeError("power() needs an FFT of at least 8 points");
    const v = viewsOf(plan);
    v.input.set(head(input, n));
    v.window.set(head(window, n));
    KERNELS.power(plan.at, scale);
    out.set(v.out);
  }

  return { sizeSamples: n, forward, power };
}
