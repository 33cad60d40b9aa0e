/**
 * Low-pass FIR filtering and integer-factor decimation (e.g. 16 kHz wideband audio down to the
 * 8 kHz telephone rate). A Blackman-windowed sinc: about −74 dB of stop-band rejection.
 */

/** Options of a decimating low-pass filter. */
export interface DecimatorOptions {
  /** Input sample rate in Hz. Default 16000. */
  inputRateHz: number;
  /** Output sample rate in Hz; inputRateHz must be an integer multiple of it. Default 8000. */
  outputRateHz: number;
  /** Low-pass cut-off (−6 dB point) in Hz. Default 3400 (telephone band edge). */
  cutoffHz: number;
  /** Filter length in taps (odd). Default 97. */
  taps: number;
}

/** Defaults: 16 kHz → 8 kHz, cut-off 3400 Hz, 97 taps. */
export const DEFAULT_DECIMATOR_OPTIONS: Readonly<DecimatorOptions> = Object.freeze({
  inputRateHz: 16000,
  outputRateHz: 8000,
  cutoffHz: 3400,
  taps: 97,
});

/** A streaming decimator that keeps its filter state between calls. */
export interface Decimator {
  readonly options: Readonly<DecimatorOptions>;
  /** Filter and decimate a block; returns the output samples (rounded, clipped to PCM16). */
  process(input: Int16Array): Int16Array;
}

/** Windowed-sinc low-pass coefficients, unity gain at DC. `cutoff` is a fraction of the rate. */
export function lowPassCoefficients(cutoffFraction: number, taps: number): Float64Array {
  const h = new Float64Array(taps);
  const mid = (taps - 1) / 2;
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const x = i - mid;
    const sinc = x === 0 ? 2 * cutoffFraction : Math.sin(2 * Math.PI * cutoffFraction * x) / (Math.PI * x);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    sum += h[i]!;
  }
  for (let i = 0; i < taps; i++) h[i] = h[i]! / sum;
  return h;
}

/** Create a streaming low-pass decimator. */
export function createDecimator(opts: Partial<DecimatorOptions> = {}): Decimator {
  const options: Readonly<DecimatorOptions> = Object.freeze({ ...DEFAULT_DECIMATOR_OPTIONS, ...opts });
  const factor = options.inputRateHz / options.outputRateHz;
  if (!Number.isInteger(factor) || factor < 1) throw new RangeError("input rate must be an integer multiple of output rate");
  const h = lowPassCoefficients(options.cutoffHz / options.inputRateHz, options.taps);
  const taps = options.taps;
  // Delay line holding the last `taps − 1` input samples before the current block.
  let delay = new Float64Array(taps - 1);
  let phase = 0; // input samples to skip before the next output sample

  function process(input: Int16Array): Int16Array {
    const buf = new Float64Array(delay.length + input.length);
    buf.set(delay, 0);
    for (let i = 0; i < input.length; i++) buf[delay.length + i] = input[i]!;
    const outCount = Math.max(0, Math.ceil((input.length - phase) / factor));
    const out = new Int16Array(outCount);
    let o = 0;
    let n = phase;
    for (; n < input.length; n += factor) {
      // Output aligned with input sample n (filter delay (taps−1)/2 samples, as any linear-phase FIR).
      let acc = 0;
      const base = n; // buf[n .. n + taps − 1] ends at input[n]
      for (let t = 0; t < taps; t++) acc += buf[base + t]! * h[taps - 1 - t]!;
      const v = Math.round(acc);
      out[o++] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    phase = n - input.length;
    delay = buf.slice(buf.length - (taps - 1));
    return out;
  }

  return { options, process };
}
