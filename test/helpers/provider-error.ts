/** Awaits a promise that must reject with a ProviderError, and returns the error. */
import { ProviderError } from "../../src/providers/errors.ts";

export async function providerErrorOf(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ProviderError) return e;
    throw e;
  }
  throw new Error("expected a ProviderError");
}
