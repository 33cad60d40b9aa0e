/**
 * Structured JSON logs (pino). Secrets never reach a line: the usual carriers are redacted by path,
 * and code logs ids, never keys or tokens.
 */
import pino, { type Logger } from "pino";

export type { Logger };

export const REDACT_PATHS = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  'headers["x-api-key"]',
  "apiKey",
  "*.apiKey",
  "key",
  "*.key",
  "token",
  "*.token",
  "authToken",
  "*.authToken",
  "twilio_auth_token",
  "*.twilio_auth_token",
  "twilio_account_sid",
  "*.twilio_account_sid",
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
