/**
 * A virtual clock: a queue of callbacks ordered by time (host ms), then by scheduling order, so
 * a replay is deterministic. `run` advances time by jumping straight to the next callback.
 */

interface Entry {
  atMs: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A cancellable scheduled callback. */
export interface Timer {
  cancel(): void;
}

/** See the file comment. */
export class VirtualClock {
  /** Current virtual time, ms. */
  nowMs = 0;
  private heap: Entry[] = [];
  private seq = 0;

  /** Run `fn` at `atMs` (never earlier than now). */
  at(atMs: number, fn: () => void): Timer {
    const e: Entry = { atMs: Math.max(atMs, this.nowMs), seq: this.seq++, fn, cancelled: false };
    this.heap.push(e);
    this.up(this.heap.length - 1);
    return { cancel: () => void (e.cancelled = true) };
  }

  /** Run `fn` after `delayMs`. */
  after(delayMs: number, fn: () => void): Timer {
    return this.at(this.nowMs + delayMs, fn);
  }

  /** Run callbacks in time order until none is left (or `untilMs` is passed). */
  run(untilMs = Infinity): void {
    while (this.heap.length > 0) {
      const top = this.heap[0]!;
      if (top.atMs > untilMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.nowMs = top.atMs;
      top.fn();
    }
  }

  private less(a: Entry, b: Entry): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      const t = h[i]!;
      h[i] = h[p]!;
      h[p] = t;
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    if (h.length === 0) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
