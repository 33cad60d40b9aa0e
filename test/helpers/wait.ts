/** Polls until `f` returns a value (for end-to-end tests over real sockets). */
export async function until<T>(what: string, f: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const v = f();
    if (v) return v;
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}
