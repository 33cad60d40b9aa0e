/**
 * Bounded waits on a provider stream: a first-item deadline (time to first byte / token) and an
 * idle deadline between items, plus cancellation through an AbortSignal. On a deadline or abort
 * the source is cancelled (its `return()` called, without waiting for it) and the generator
 * throws, so a stalled vendor never leaves a call silent.
 */

/** Why a guarded stream stopped early. */
export type GuardStop = "first_item_timeout" | "idle_timeout" | "aborted";

/** Deadlines, milliseconds. */
export interface StreamGuardOptions {
  readonly firstItemTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly signal?: AbortSignal | undefined;
  /** Builds the error thrown for a stop. */
  readonly error: (stop: GuardStop) => Error;
  /** Called once when the stream stops early (close sockets, abort fetches). */
  readonly onStop?: (stop: GuardStop) => void;
}

/** Yields the items of `source` under the deadlines of `opts`. */
export async function* guardStream<T>(source: AsyncIterable<T>, opts: StreamGuardOptions): AsyncGenerator<T, void, undefined> {
  const it = source[Symbol.asyncIterator]();
  const signal = opts.signal;
  let first = true;
  let done = false;
  const stop = (why: GuardStop): Error => {
    opts.onStop?.(why);
    void it.return?.()?.catch(() => undefined);
    return opts.error(why);
  };
  try {
    while (true) {
      if (signal?.aborted) throw stop("aborted");
      const waitMs = first ? opts.firstItemTimeoutMs : opts.idleTimeoutMs;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const stopped = new Promise<GuardStop>((resolve) => {
        timer = setTimeout(() => resolve(first ? "first_item_timeout" : "idle_timeout"), waitMs);
        if (signal) {
          onAbort = () => resolve("aborted");
          signal.addEventListener("abort", onAbort, { once: true });
        }
      });
      let result: IteratorResult<T> | GuardStop;
      try {
        result = await Promise.race([it.next(), stopped]);
      } finally {
        clearTimeout(timer);
        if (onAbort) signal?.removeEventListener("abort", onAbort);
      }
      if (typeof result === "string") throw stop(result);
      if (result.done) {
        done = true;
        return;
      }
      first = false;
      yield result.value;
    }
  } finally {
    // Consumer broke out early: release the source.
    if (!done) void it.return?.()?.catch(() => undefined);
  }
}
