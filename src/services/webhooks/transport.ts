/**
 * One HTTP attempt: POST the body, no redirects followed (a redirect is a failure: the receiver
 * must give its final URL), a timeout over the whole exchange, and only the first bytes of the
 * response body kept.
 */

/** What came back (or did not). Latency covers the request and the bounded body read, ms. */
export interface HttpOutcome {
  statusCode: number | null;
  responseBody: string | null;
  error: string | null;
  latencyMs: number;
  location: string | null;
}

export interface PostOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  fetch: typeof fetch;
  /** Aborts the attempt (the deliverer is stopping). */
  signal?: AbortSignal;
}

export async function postWebhook(url: string, headers: Record<string, string>, body: string, opts: PostOptions): Promise<HttpOutcome> {
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
  const onStop = () => controller.abort(new Error("deliverer stopped"));
  opts.signal?.addEventListener("abort", onStop, { once: true });
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await opts.fetch(url, { method: "POST", headers, body, redirect: "manual", signal: controller.signal });
    const responseBody = await readBounded(res, opts.maxResponseBytes);
    return { statusCode: res.status, responseBody, error: null, latencyMs: elapsed(), location: res.headers.get("location") };
  } catch (e) {
    const reason = controller.signal.aborted ? controller.signal.reason : e;
    return { statusCode: null, responseBody: null, error: reason instanceof Error ? reason.message : String(reason), latencyMs: elapsed(), location: null };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", onStop);
  }
}

/** Reads at most `maxBytes` of the body, then stops reading. */
async function readBounded(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < maxBytes) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const all = Buffer.concat(chunks).subarray(0, maxBytes);
  return new TextDecoder("utf-8", { fatal: false }).decode(all);
}
