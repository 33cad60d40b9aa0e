/** A gateway on an in-memory database with two accounts, for route tests via app.handle(). */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../src/config.ts";
import { buildGateway, type Gateway } from "../../src/gateway.ts";

export interface TestGateway extends Gateway {
  keyA: string;
  keyB: string;
  accountA: string;
  accountB: string;
  request(method: string, path: string, opts?: { key?: string | null; body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>;
  [Symbol.dispose](): void;
}

export function testGateway(env: Record<string, string> = {}): TestGateway {
  const dataDir = mkdtempSync(join(tmpdir(), "gw-test-"));
  const config = loadConfig({ DATABASE_PATH: ":memory:", DATA_DIR: dataDir, LOG_LEVEL: "silent", ...env });
  const gw = buildGateway(config);
  const a = gw.accounts.createAccount("A");
  const b = gw.accounts.createAccount("B");
  const keyA = gw.accounts.createKey(a.id).key;
  const keyB = gw.accounts.createKey(b.id).key;
  return {
    ...gw,
    keyA,
    keyB,
    accountA: a.id,
    accountB: b.id,
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const key = opts.key === undefined ? keyA : opts.key;
      if (key) headers.authorization ??= `Bearer ${key}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
        headers["content-type"] ??= "application/json";
      }
      const res = await gw.app.handle(new Request(`http://localhost${path}`, { method, headers, body }));
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    [Symbol.dispose]() {
      gw.close();
    },
  };
}
