/** Small helpers shared by the compat dialects. */
import { ApiError } from "../../lib/errors.ts";

export type JsonBody = Record<string, unknown>;

/** The body as an object, or null when it is not one (a JSON array, a string...). */
export function asObject(body: unknown): JsonBody | null {
  return body && typeof body === "object" && !Array.isArray(body) ? (body as JsonBody) : null;
}

export const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** A string field, or an invalid_field error naming it. */
export function str(body: JsonBody, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") throw new ApiError("invalid_field", 400, `${field} must be a string`, { field });
  return v;
}

/** A string map, or an invalid_field error naming it. Non-string values are stringified. */
export function stringMap(body: JsonBody, field: string, stringify = false): Record<string, string> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "object" || Array.isArray(v)) throw new ApiError("invalid_field", 400, `${field} must be an object`, { field });
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val === "string") out[k] = val;
    else if (stringify) out[k] = typeof val === "object" ? JSON.stringify(val) : String(val);
    else throw new ApiError("invalid_field", 400, `${field}.${k} must be a string`, { field: `${field}.${k}` });
  }
  return out;
}
