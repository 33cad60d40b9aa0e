/**
 * A virtual clock: a queue of callbacks ordered by time (host ms), then by scheduling order, so
 * a replay is deterministic. `run` advances time by jumping straight to the next callback.
 *
 * A replay schedules tens of thousands of callbacks, so the queue is a binary heap of entries
 * that are their own cancel handles (one allocation per callback), sifted with a hole rather
 * than by swapping.
 */

/** A cancellable scheduled callback. */
export interface Timer {
  cancel(): void;
}

class Entry implements Timer {
  cancelled = false;
  constructor(
    readonly atMs: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }
}

/** Does `a` run before `b`? Time first, then scheduling order. */
function before(a: Entry, b: Entry): boolean {
  return a.atMs < b.atMs || (a.atMs === b.atMs && a.seq < b.seq);
}

/** See the file comment. */
export class VirtualClock {
  /** Current virtual time, ms. */
  nowMs = 0;
  private readonly heap: Entry[] = [];
  private seq = 0;

  /** Run `fn` at `atMs` (never earlier than now). */
  at(atMs: number, fn: () => void): Timer {
    const e = new Entry(atMs > this.nowMs ? atMs : this.nowMs, this.seq++, fn);
    const h = this.heap;
    // Sift up: move parents down into the hole until `e` fits.
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p]!;
      if (!before(e, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
    return e;
  }

  /** Run `fn` after `delayMs`. */
  after(delayMs: number, fn: () => void): Timer {
    return this.at(this.nowMs + delayMs, fn);
  }

  /** Run callbacks in time order until none is left (or `untilMs` is passed). */
  run(untilMs = Infinity): void {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      if (top.atMs > untilMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.nowMs = top.atMs;
      top.fn();
    }
  }

  /**
   * Run every callback due strictly before `atMs`, then move now to `atMs` (never back). A host
   * with its own time-ordered list (a recording's lines) steps through it with this instead of
   * scheduling every line: at equal times its item then comes before every callback scheduled
   * by now, exactly as if it had been scheduled first.
   */
  advanceTo(atMs: number): void {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0]!;
      if (top.atMs >= atMs) break;
      this.pop();
      if (top.cancelled) continue;
      this.nowMs = top.atMs;
      top.fn();
    }
    if (atMs > this.nowMs) this.nowMs = atMs;
  }

  /** Remove the first entry: sift the last one down from the root. */
  private pop(): void {
    const h = this.heap;
    const last = h.pop()!;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let m = l;
      const r = l + 1;
      if (r < n && before(h[r]!, h[l]!)) m = r;
      const child = h[m]!;
      if (!before(child, last)) break;
      h[i] = child;
      i = m;
    }
    h[i] = last;
  }
}
