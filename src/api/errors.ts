/**
 * The one error shape: `{"error":{"code","message","details"}}` with the HTTP status. Validation
 * failures name the field; malformed JSON is `invalid_json`; an oversized body is 413.
 */
import { Elysia, ValidationError } from "elysia";
import { ApiError } from "../lib/errors.ts";
import type { Logger } from "../lib/logger.ts";

interface TypeBoxIssue {
  path: string;
  message: string;
  value?: unknown;
  schema?: { description?: string; format?: string; pattern?: string };
}

/** `/tools/0/name` → `tools[0].name` */
export function fieldName(path: string): string {
  return path
    .split("/")
    .filter(Boolean)
    .map((seg, i) => (/^\d+$/.test(seg) ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join("");
}

/** Maps a TypeBox validation failure to our codes: absent → missing_field, else invalid_field. */
export function validationToApiError(error: ValidationError): ApiError {
  const issues = (error.all ?? []) as TypeBoxIssue[];
  const first = issues.find((i) => i.value === undefined) ?? issues[0];
  const where = error.type === "query" ? "query parameter" : error.type === "params" ? "path parameter" : "field";
  if (!first) return new ApiError("invalid_field", 400, `invalid ${where}`);
  // Elysia validates query parameters one by one with an empty path; such schemas carry their own
  // name as `x-field` (see fieldSchema in pagination.ts).
  const named = (error.validator as { "x-field"?: string } | undefined)?.["x-field"];
  const field = fieldName(first.path) || named || error.type;
  if (first.value === undefined) return new ApiError("missing_field", 400, `${field} is required`, { field, in: error.type });
  return new ApiError("invalid_field", 400, `${field}: ${first.message}`, { field, in: error.type });
}

export function errorHandler(log: Logger) {
  return new Elysia({ name: "error-handler" }).onError({ as: "global" }, ({ code, error, set, request }) => {
    let apiError: ApiError;
    const cause = error instanceof Error ? error.cause : undefined;
    if (error instanceof ApiError) apiError = error;
    else if (cause instanceof ApiError) apiError = cause; // thrown inside a parser, wrapped by Elysia
    else if (code === "VALIDATION") apiError = validationToApiError(error as ValidationError);
    else if (code === "PARSE") apiError = new ApiError("invalid_json", 400, "The request body is not valid JSON");
    else if (code === "NOT_FOUND") apiError = new ApiError("route_not_found", 404, `No route ${request.method} ${new URL(request.url).pathname}`);
    else {
      log.error({ err: error, code }, "unhandled error");
      apiError = new ApiError("internal_error", 500, "Internal error");
    }
    set.status = apiError.status;
    set.headers["content-type"] = "application/json";
    return apiError.toBody();
  });
}
