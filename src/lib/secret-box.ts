/**
 * Encrypts provider credentials at rest with AES-256-GCM. The key comes from SECRETS_KEY, or from a
 * file created once under the data directory when SECRETS_KEY is unset. A sealed value is
 * `v1.<iv base64>.<ciphertext+tag base64>`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
}

export function createSecretBox(key: Uint8Array): SecretBox {
  if (key.length !== 32) throw new Error("secrets key must be 32 bytes");
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
      return `v1.${iv.toString("base64")}.${body.toString("base64")}`;
    },
    open(sealed) {
      const [version, ivB64, bodyB64] = sealed.split(".");
      if (version !== "v1" || !ivB64 || !bodyB64) throw new Error("not a sealed secret");
      const body = Buffer.from(bodyB64, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(ivB64, "base64"));
      decipher.setAuthTag(body.subarray(body.length - 16));
      return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
    },
  };
}

/** The configured key, or the one kept in `keyFile` (created with mode 0600 on first use). */
export function resolveSecretsKey(configured: string, keyFile: string): Uint8Array {
  if (configured) return Buffer.from(configured, "base64");
  if (existsSync(keyFile)) {
    const key = Buffer.from(readFileSync(keyFile, "utf8").trim(), "base64");
    if (key.length !== 32) throw new Error(`${keyFile} does not hold a 32-byte base64 key`);
    return key;
  }
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(keyFile, 0o600);
  return key;
}
