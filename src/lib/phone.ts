/** E.164 checks through libphonenumber-js. */
import { parsePhoneNumberFromString } from "libphonenumber-js/max";

const E164 = /^\+[1-9]\d{6,14}$/;

/** True for a syntactically E.164 number whose country calling code exists (`+447386172392`). */
export function isE164(value: string): boolean {
  if (!E164.test(value)) return false;
  return parsePhoneNumberFromString(value)?.countryCallingCode !== undefined;
}

/** The country calling code of an E.164 number (`+447386172392` → `"44"`), or null. */
export function callingCode(value: string): string | null {
  return parsePhoneNumberFromString(value)?.countryCallingCode ?? null;
}
