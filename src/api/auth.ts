/**
 * API key authentication: `Authorization: Bearer <key>` or `x-api-key: <key>`. Resolves the
 * account for every route of the feature that uses it. A derive (not a resolve) so that
 * authentication runs before body validation: an unauthenticated request learns nothing else.
 */
import { Elysia } from "elysia";
import { ApiError } from "../lib/errors.ts";
import type { AccountsService } from "../services/accounts.ts";

export function readApiKey(headers: Record<string, string | undefined>): string | null {
  const auth = headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1]!;
  }
  return headers["x-api-key"]?.trim() || null;
}

export function auth(accounts: AccountsService) {
  return new Elysia({ name: "auth" }).derive({ as: "scoped" }, ({ headers }) => {
    const key = readApiKey(headers);
    if (!key) throw new ApiError("missing_api_key", 401, "Send your API key as Authorization: Bearer <key> or x-api-key");
    const who = accounts.authenticate(key);
    if (!who) throw new ApiError("invalid_api_key", 401, "The API key is invalid or revoked");
    return { accountId: who.accountId, keyMode: who.mode };
  });
}
