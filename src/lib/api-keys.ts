/** API key format and hashing. Keys are `sk_live_…` / `sk_test_…`; only the SHA-256 is stored. */
import { createHash, randomBytes } from "node:crypto";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
export const API_KEY_PATTERN = /^sk_(live|test)_[A-Za-z0-9]{16,128}$/;

export type KeyMode = "live" | "test";

/** A new random key: 32 characters from a 56-symbol alphabet (~186 bits). */
export function generateApiKey(mode: KeyMode): string {
  const bytes = randomBytes(32);
  let body = "";
  for (const b of bytes) body += ALPHABET[b % ALPHABET.length];
  return `sk_${mode}_${body}`;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function keyMode(key: string): KeyMode {
  return key.startsWith("sk_test_") ? "test" : "live";
}

/** What may be shown of a key after creation: its mode and first characters. */
export function keyPrefix(key: string): string {
  return key.slice(0, 12);
}
