/**
 * What every wire codec of the engine shares: errors as values, and the first step of parsing a
 * message that may arrive as text or as already-parsed JSON. Never throws.
 */
import type { WireError } from "./types.ts";

export type Json = Record<string, unknown>;

export function wireError(code: string, message: string): WireError {
  return { error: true, code, message };
}

/** True when a parse result is an error. */
export function isWireError(value: unknown): value is WireError {
  return typeof value === "object" && value !== null && (value as { error?: unknown }).error === true;
}

/** The value as a JSON object, or null (arrays and primitives are not objects here). */
export function asObject(v: unknown): Json | null {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : null;
}

/** A text frame or a parsed value, as a JSON object, or the error saying why it is not one. */
export function jsonObject(raw: unknown): Json | WireError {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch {
      return wireError("not_json", "message is not JSON");
    }
  }
  return asObject(value) ?? wireError("not_object", "message is not a JSON object");
}
