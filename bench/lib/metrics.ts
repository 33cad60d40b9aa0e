/** Binary classification metrics and small statistics for benchmarks. */

/** Counts of a binary confusion matrix. */
export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** Scores derived from a confusion matrix. */
export interface BinaryScores {
  precision: number;
  recall: number;
  f1: number;
  mcc: number;
  balancedAccuracy: number;
  frames: number;
}

/** An empty confusion matrix. */
export function confusion(): Confusion {
  return { tp: 0, fp: 0, tn: 0, fn: 0 };
}

/** Add one (predicted, actual) pair. */
export function count(c: Confusion, predicted: boolean, actual: boolean): void {
  if (predicted) actual ? c.tp++ : c.fp++;
  else actual ? c.fn++ : c.tn++;
}

/** Precision, recall, F1, Matthews correlation and balanced accuracy. */
export function scores(c: Confusion): BinaryScores {
  const { tp, fp, tn, fn } = c;
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  const den = Math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
  const mcc = den > 0 ? (tp * tn - fp * fn) / den : 0;
  const tnr = tn + fp > 0 ? tn / (tn + fp) : 0;
  return { precision, recall, f1, mcc, balancedAccuracy: (recall + tnr) / 2, frames: tp + fp + tn + fn };
}

/** Median of a list (NaN when empty). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Quantile q in 0..1 of a list (nearest rank; NaN when empty). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}
