/** Per-frame cost measurement for benchmarks (wall time, bench-only). */

/** Median over `rounds` of the mean µs per call of `fn` over `frames`. */
export function microsPerFrame(frames: readonly Int16Array[], rounds: number, makeFn: () => (f: Int16Array) => void): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const fn = makeFn();
    const t0 = Bun.nanoseconds();
    for (const f of frames) fn(f);
    samples.push((Bun.nanoseconds() - t0) / 1000 / frames.length);
  }
  samples.sort((a, b) => a - b);
  return samples[samples.length >> 1]!;
}
