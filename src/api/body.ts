/**
 * JSON body parsing with a size limit, shared by every feature. Bun.serve enforces the limit for
 * real sockets too; this covers `app.handle()` and chunked bodies without a Content-Length.
 */
import { Elysia } from "elysia";
import { ApiError } from "../lib/errors.ts";

export function jsonBody(maxBodyBytes: number) {
  const tooLarge = () => new ApiError("payload_too_large", 413, `The request body exceeds ${maxBodyBytes} bytes`, { limit_bytes: maxBodyBytes });
  return new Elysia({ name: "json-body", seed: maxBodyBytes })
    .onRequest(({ request }) => {
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > maxBodyBytes) throw tooLarge();
    })
    .onParse({ as: "global" }, async ({ request, contentType }) => {
      if (!contentType?.startsWith("application/json")) return;
      const bytes = new Uint8Array(await request.arrayBuffer());
      if (bytes.length > maxBodyBytes) throw tooLarge();
      const text = new TextDecoder().decode(bytes).trim();
      if (text === "") return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ApiError("invalid_json", 400, "The request body is not valid JSON");
      }
    });
}
