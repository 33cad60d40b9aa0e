/**
 * A gateway served on a free loopback port together with the simulated carrier and providers:
 * what the end-to-end tests, the latency benchmarks and `bun run demo` run on.
 */
import { loadConfig, type Config } from "../config.ts";
import { buildGateway, type Gateway, type GatewayOptions } from "../gateway.ts";
import { serve } from "../server.ts";
import { startSimCarrier, type SimCarrier, type SimCarrierOptions } from "./carrier.ts";

export { CORPUS_DIR, readFixture, scriptFromFixture, SIM_ACCOUNT_SID, SIM_AUTH_TOKEN, DEFAULT_SIM_LATENCIES, type SimLatencies } from "./carrier.ts";

export interface SimWorldOptions extends SimCarrierOptions {
  /** Extra configuration. */
  env: Record<string, string>;
  gateway: GatewayOptions;
}

export interface SimWorld extends AsyncDisposable {
  gateway: Gateway;
  config: Config;
  server: ReturnType<typeof serve>;
  carrier: SimCarrier;
  twilio: SimCarrier["twilio"];
  deepgram: SimCarrier["deepgram"];
  elevenlabs: SimCarrier["elevenlabs"];
  openai: SimCarrier["openai"];
  callees: SimCarrier["callees"];
  baseUrl: string;
}

/** A free loopback port (the gateway's PUBLIC_URL must be known before it is built). */
export async function freePort(): Promise<number> {
  const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
  const port = probe.port ?? 0;
  await probe.stop(true);
  return port;
}

export async function startSimWorld(overrides: Partial<SimWorldOptions> = {}): Promise<SimWorld> {
  const { env = {}, gateway: gatewayOpts = {}, ...carrierOpts } = overrides;
  const carrier = startSimCarrier(carrierOpts);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: baseUrl,
    LOG_LEVEL: "silent",
    DATABASE_PATH: ":memory:",
    TWILIO_API_BASE_URL: carrier.twilio.baseUrl,
    WEBHOOK_ALLOW_PRIVATE: "true",
    ...env,
  });
  const gateway = buildGateway(config, { sim: carrier, providers: carrier.providers, processMetrics: true, ...gatewayOpts });
  const server = serve(gateway, { port, hostname: "127.0.0.1" });
  return {
    gateway,
    config,
    server,
    carrier,
    twilio: carrier.twilio,
    deepgram: carrier.deepgram,
    elevenlabs: carrier.elevenlabs,
    openai: carrier.openai,
    callees: carrier.callees,
    baseUrl,
    async [Symbol.asyncDispose]() {
      await server.stop(true);
      await carrier.stop();
      gateway.close();
    },
  };
}
