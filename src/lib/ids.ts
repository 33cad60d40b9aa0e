/**
 * Resource ids: a short type prefix and a UUIDv7 in hex. UUIDv7 starts with the millisecond time
 * and Bun keeps it monotonic within a millisecond, so ids sort by creation order and serve as
 * pagination cursors.
 */
export type IdPrefix = "acct" | "key" | "agent" | "pn" | "call" | "led" | "evt" | "whe" | "camp" | "tr";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${Bun.randomUUIDv7().replaceAll("-", "")}`;
}
