import { describe, expect, test } from "bun:test";
import { ConfigError, loadConfig, publicWsUrl } from "../src/config.ts";

describe("config", () => {
  test("defaults boot with no environment at all", () => {
    const c = loadConfig({});
    expect({ port: c.PORT, db: c.DATABASE_PATH, url: c.PUBLIC_URL, level: c.LOG_LEVEL, bodyBytes: c.MAX_BODY_BYTES }).toEqual({
      port: 3000,
      db: "./data/gateway.db",
      url: "http://localhost:3000",
      level: "info",
      bodyBytes: 1_048_576,
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  test("values are parsed and derived", () => {
    const c = loadConfig({ PORT: "8080", DATABASE_PATH: ":memory:", PUBLIC_URL: "https://gw.example.com/", OPENAI_BASE_URL: "http://127.0.0.1:9000/v1" });
    expect([c.PORT, c.DATABASE_PATH, c.PUBLIC_URL, c.OPENAI_BASE_URL, publicWsUrl(c)]).toEqual([
      8080,
      ":memory:",
      "https://gw.example.com",
      "http://127.0.0.1:9000/v1",
      "wss://gw.example.com",
    ]);
  });

  test("an invalid value names its variable", () => {
    const rows: [Record<string, string>, string][] = [
      [{ PORT: "eighty" }, "PORT"],
      [{ PORT: "70000" }, "PORT"],
      [{ LOG_LEVEL: "loud" }, "LOG_LEVEL"],
      [{ PUBLIC_URL: "gw.example.com" }, "PUBLIC_URL"],
      [{ GATEWAY_BOOTSTRAP_KEY: "hunter2" }, "GATEWAY_BOOTSTRAP_KEY"],
      [{ SECRETS_KEY: "short" }, "SECRETS_KEY"],
      [{ DEEPGRAM_BASE_URL: "not a url" }, "DEEPGRAM_BASE_URL"],
      [{ MAX_BODY_BYTES: "12" }, "MAX_BODY_BYTES"],
    ];
    for (const [env, variable] of rows) {
      let err: unknown;
      try {
        loadConfig(env);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).variable).toBe(variable);
      expect((err as ConfigError).message.split("\n")).toHaveLength(1);
    }
  });

  test("the process stops with one line naming the variable", () => {
    const proc = Bun.spawnSync(["bun", "run", "src/main.ts"], {
      cwd: `${import.meta.dir}/..`,
      env: { ...process.env, PORT: "not-a-port", DATABASE_PATH: ":memory:" },
    });
    expect(proc.exitCode).toBe(1);
    const lines = proc.stderr.toString().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toStartWith("invalid configuration: PORT:");
  });
});
