/**
 * Domain errors are data with a code and an HTTP status (ARCHITECTURE.md rule 7). The API turns
 * them into `{"error":{"code","message","details"}}`; services never see HTTP types.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody(): { error: { code: string; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export const notFound = (resource: string, id: string) =>
  new ApiError(`${resource}_not_found`, 404, `No ${resource.replaceAll("_", " ")} with id ${id}`, { id });

export const missingField = (field: string) =>
  new ApiError("missing_field", 400, `${field} is required`, { field });

export const invalidField = (field: string, message: string) =>
  new ApiError("invalid_field", 400, `${field}: ${message}`, { field });
