/** Runs the real gateway process (src/main.ts) for kill-and-restart tests. */
import { type Subprocess } from "bun";

export interface GatewayProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  lines: string[];
  /** Resolves with the first log line that satisfies `match`. */
  waitFor(match: (line: string) => boolean, timeoutMs?: number): Promise<string>;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  const proc = Bun.spawn(["bun", "run", "src/main.ts"], {
    cwd: `${import.meta.dir}/../..`,
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env, LOG_LEVEL: "info" },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const waiters: { match: (l: string) => boolean; resolve: (l: string) => void }[] = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buf = "";
    for await (const chunk of proc.stdout) {
      buf += decoder.decode(chunk);
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        lines.push(line);
        for (const w of waiters.splice(0)) (w.match(line) ? w.resolve(line) : waiters.push(w));
      }
    }
  })();
  const waitFor = (match: (l: string) => boolean, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const found = lines.find(match);
      if (found) return resolve(found);
      const timer = setTimeout(() => reject(new Error(`gateway did not log the expected line; got:\n${lines.join("\n")}`)), timeoutMs);
      waiters.push({ match, resolve: (l) => (clearTimeout(timer), resolve(l)) });
    });
  const listening = await waitFor((l) => l.includes('"gateway listening"'));
  const port = (JSON.parse(listening) as { port: number }).port;
  return { proc, port, lines, waitFor };
}
