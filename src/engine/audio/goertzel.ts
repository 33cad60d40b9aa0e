/**
 * Goertzel single-frequency power: the DFT power at one frequency in O(N) with one multiply per
 * sample, used to time tone onsets and ends to a few milliseconds and to check a tone's level.
 */

/** The Goertzel recurrence coefficient 2·cos(2πf/fs) for `frequencyHz` at `sampleRateHz`. */
export function goertzelCoefficient(frequencyHz: number, sampleRateHz: number): number {
  return 2 * Math.cos((2 * Math.PI * frequencyHz) / sampleRateHz);
}

/**
 * Mean-square power at the coefficient's frequency over `samples[start .. start + length)`,
 * scaled so a sine of amplitude A centred on that frequency reads A²/2 (its mean power), whatever
 * the block length. Samples are PCM16 values (or any numbers).
 */
export function goertzelPower(
  samples: ArrayLike<number>,
  start: number,
  length: number,
  coefficient: number,
): number {
  let s1 = 0;
  let s2 = 0;
  const end = start + length;
  for (let i = start; i < end; i++) {
    const s0 = (samples[i] ?? 0) + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const p = s1 * s1 + s2 * s2 - coefficient * s1 * s2; // |X(f)|²
  return (2 * p) / (length * length);
}
