/** The retry schedule of webhook deliveries. */

/** Delays after each failed attempt, ms: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts in all). */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);

/** `"10, 20,40"` → `[10, 20, 40]`; empty → null (use the default). */
export function parseRetryScheduleMs(value: string): number[] | null {
  if (value.trim() === "") return null;
  return value.split(",").map((p) => {
    const n = Number(p.trim());
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`not a delay in ms: ${JSON.stringify(p)}`);
    return n;
  });
}

/**
 * The delay before the attempt after `failedAttempts` failures in the current round, with
 * ±`jitterRatio` jitter (`random` in [0, 1)), or null when the schedule is exhausted.
 */
export function nextDelayMs(delaysMs: readonly number[], failedAttempts: number, jitterRatio: number, random: () => number): number | null {
  const base = delaysMs[failedAttempts - 1];
  if (base === undefined) return null;
  return Math.max(0, Math.round(base * (1 + (random() * 2 - 1) * jitterRatio)));
}
