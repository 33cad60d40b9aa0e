/**
 * A webhook receiver on 127.0.0.1 for tests. Each path answers as scripted: a queue of
 * behaviours consumed one request at a time, then the path's default (200). It records every
 * request it received, including those it never answered.
 */
export type Behaviour = { status: number; body?: string } | { redirect: string } | { hang: true };

export interface Received {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  headers: Record<string, string>;
}

export interface Receiver {
  port: number;
  url(path: string): string;
  received: Received[];
  /** Queues behaviours for `path`; `fallback` replaces its default (200) afterwards. */
  script(path: string, behaviours: Behaviour[], fallback?: Behaviour): void;
  /** Resolves when `n` requests have arrived in total. */
  waitForCount(n: number): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

export function startReceiver(): Receiver {
  const queues = new Map<string, Behaviour[]>();
  const fallbacks = new Map<string, Behaviour>();
  const received: Received[] = [];
  const hung: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const path = new URL(req.url).pathname;
      const body = await req.text();
      const headers = Object.fromEntries(req.headers.entries());
      received.push({ path, body, headers, id: headers["webhook-id"] ?? "", timestamp: headers["webhook-timestamp"] ?? "", signature: headers["webhook-signature"] ?? "" });
      for (const w of waiters.splice(0)) (received.length >= w.n ? w.resolve() : waiters.push(w));
      const b = queues.get(path)?.shift() ?? fallbacks.get(path) ?? { status: 200, body: "ok" };
      if ("hang" in b) return new Promise<Response>((resolve) => hung.push(() => resolve(new Response("late", { status: 200 }))));
      if ("redirect" in b) return new Response(null, { status: 302, headers: { location: b.redirect } });
      return new Response(b.body ?? "", { status: b.status });
    },
  });
  return {
    port: server.port!,
    url: (path) => `http://127.0.0.1:${server.port}${path}`,
    received,
    script(path, behaviours, fallback) {
      queues.set(path, [...behaviours]);
      if (fallback) fallbacks.set(path, fallback);
    },
    waitForCount: (n) => (received.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    async [Symbol.asyncDispose]() {
      for (const h of hung.splice(0)) h();
      await server.stop(true);
    },
  };
}
