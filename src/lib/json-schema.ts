/** Checks that a value is a usable JSON Schema (draft 2020-12 meta-schema, and it compiles). */
import Ajv2020 from "ajv/dist/2020.js";

const ajv = new Ajv2020({ strict: false, allErrors: false, validateSchema: true });

/** Returns null when `schema` is a valid JSON Schema object, else a reason. */
export function jsonSchemaProblem(schema: unknown): string | null {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return "must be a JSON Schema object";
  try {
    if (!ajv.validateSchema(schema)) return ajv.errorsText(ajv.errors, { dataVar: "schema" });
    ajv.compile(schema);
    return null;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
