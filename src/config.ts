/**
 * The only reader of the environment. Every setting is typed and validated with TypeBox, and the
 * result is frozen. An invalid value stops the process with one line naming the variable.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";

const Url = (description: string) =>
  T.String({ description, pattern: "^(|https?://\\S+|wss?://\\S+)$", default: "" });

export const ConfigSchema = T.Object({
  PORT: T.Integer({ minimum: 0, maximum: 65535, default: 3000, description: "HTTP port" }),
  HOST: T.String({ default: "0.0.0.0", description: "interface to listen on" }),
  DATA_DIR: T.String({ minLength: 1, default: "./data", description: "where the database, recordings and the generated secrets key live" }),
  DATABASE_PATH: T.String({ default: "", description: "SQLite file (`:memory:` allowed); default <DATA_DIR>/gateway.db" }),
  PUBLIC_URL: T.String({ pattern: "^(|https?://[^\\s/?#]+(/[^\\s?#]*)?)$", default: "", description: "the https base Twilio reaches; wss:// for media is derived from it" }),
  GATEWAY_BOOTSTRAP_KEY: T.String({ pattern: "^(|sk_(live|test)_[A-Za-z0-9]{16,})$", default: "", description: "when set and no account exists, create the default account with this exact key" }),
  LOG_LEVEL: T.Union(["fatal", "error", "warn", "info", "debug", "trace", "silent"].map((l) => T.Literal(l)), { default: "info" }),
  SECRETS_KEY: T.String({ pattern: "^(|[A-Za-z0-9+/]{43}=)$", default: "", description: "base64 of 32 bytes: encrypts provider credentials at rest" }),
  MAX_BODY_BYTES: T.Integer({ minimum: 1024, default: 1_048_576, description: "largest accepted request body" }),
  PRICE_PER_MINUTE_MILLI_CENTS: T.Integer({ minimum: 0, default: 10_000, description: "default price of a connected minute (10000 = 10 cents)" }),
  MAX_CONCURRENT_CALLS: T.Integer({ minimum: 1, default: 10, description: "default concurrent-call limit per account" }),
  ALLOWED_CALLING_CODES: T.String({
    pattern: "^(\\*|[1-9][0-9]{0,2}(,[1-9][0-9]{0,2})*)$",
    default: "1,44,61,64,353,49,33,34,39,31,32,41,43,45,46,47,358,351,971,65,91,81,52,55",
    description: "default allowlist of destination country calling codes (comma separated, or * for all)",
  }),
  RING_TIMEOUT_SECONDS: T.Integer({ minimum: 5, maximum: 600, default: 30, description: "how long an outbound call may ring" }),
  SIM_CARRIER: T.Boolean({ default: true, description: "serve numbers with provider `sim`: a simulated carrier and provider fakes on loopback (no keys needed)" }),
  RECORD_CALLS: T.Boolean({ default: false, description: "record every call: a replayable fixture and a two-channel WAV under <DATA_DIR>/recordings" }),
  TWILIO_API_BASE_URL: Url("Twilio REST base URL override (empty = api.twilio.com)"),
  DEEPGRAM_BASE_URL: Url("Deepgram base URL override (empty = api.deepgram.com)"),
  ELEVENLABS_BASE_URL: Url("ElevenLabs base URL override (empty = api.elevenlabs.io)"),
  OPENAI_BASE_URL: Url("OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 (empty = api.openai.com)"),
  DEEPGRAM_API_KEY: T.String({ default: "" }),
  ELEVENLABS_API_KEY: T.String({ default: "" }),
  OPENAI_API_KEY: T.String({ default: "" }),
  WEBHOOK_ALLOW_PRIVATE: T.Boolean({ default: false, description: "deliver webhooks to private, loopback and link-local addresses (true/false)" }),
  WEBHOOK_RETRY_SCHEDULE_MS: T.String({
    pattern: "^(|[0-9]+( *, *[0-9]+)*)$",
    default: "",
    description: "delays between webhook attempts, ms, comma separated (empty = 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)",
  }),
});

type Raw = Static<typeof ConfigSchema>;

/** Validated, frozen configuration. */
export type Config = Readonly<Raw & { DATABASE_PATH: string; PUBLIC_URL: string }>;

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`invalid configuration: ${variable}: ${message}`);
  }
}

const INTEGER_KEYS = new Set(["PORT", "MAX_BODY_BYTES", "PRICE_PER_MINUTE_MILLI_CENTS", "MAX_CONCURRENT_CALLS", "RING_TIMEOUT_SECONDS"]);
const BOOLEAN_KEYS = new Set(["WEBHOOK_ALLOW_PRIVATE", "RECORD_CALLS", "SIM_CARRIER"]);

/** Reads and validates configuration from an environment map (defaults to `process.env`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key];
    if (value === undefined) continue;
    if (BOOLEAN_KEYS.has(key)) {
      const v = value.trim().toLowerCase();
      if (!["true", "false", "1", "0", ""].includes(v)) throw new ConfigError(key, `expected true or false, got ${JSON.stringify(value)}`);
      input[key] = v === "true" || v === "1";
    } else if (INTEGER_KEYS.has(key)) {
      const n = value.trim() === "" ? Number.NaN : Number(value);
      if (!Number.isInteger(n)) throw new ConfigError(key, `expected an integer, got ${JSON.stringify(value)}`);
      input[key] = n;
    } else input[key] = value.trim();
  }
  const withDefaults = Value.Default(ConfigSchema, input) as Raw;
  const first = Value.Errors(ConfigSchema, withDefaults).First();
  if (first) {
    const variable = first.path.replace(/^\//, "") || "environment";
    throw new ConfigError(variable, `${first.message} (got ${JSON.stringify(env[variable] ?? "")})`);
  }
  const config: Config = {
    ...withDefaults,
    DATABASE_PATH: withDefaults.DATABASE_PATH || `${withDefaults.DATA_DIR}/gateway.db`,
    PUBLIC_URL: (withDefaults.PUBLIC_URL || `http://localhost:${withDefaults.PORT}`).replace(/\/+$/, ""),
  };
  return Object.freeze(config);
}

/** The wss:// base that Twilio's media stream connects to, derived from PUBLIC_URL. */
export function publicWsUrl(config: Pick<Config, "PUBLIC_URL">): string {
  return config.PUBLIC_URL.replace(/^http/, "ws");
}
