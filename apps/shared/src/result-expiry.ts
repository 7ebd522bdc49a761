/**
 * Stored results expire (the "Expiry" rule in apps/processor/README.md): the processor stamps each item with an
 * epoch-seconds expiry that DynamoDB TTL deletes by, and the api treats an item past it as absent, because TTL
 * deletes expired items only within a few days of their expiry, not at it.
 */
export interface ResultExpiry {
  /** The item attribute DynamoDB TTL is enabled on. */
  readonly attribute: string;
  /** How long a result stays readable after it is written. */
  readonly retentionSeconds: number;
}

export const SECONDS_PER_DAY = 86_400;

/** The expiry to store with an item written at `now`: whole epoch seconds, the unit DynamoDB TTL reads. */
export function expiresAtSeconds(expiry: ResultExpiry, now: Date): number {
  return Math.floor(now.getTime() / 1_000) + expiry.retentionSeconds;
}

/**
 * Whether an item whose expiry attribute holds this number is past it at `nowMs`. DynamoDB TTL ignores an attribute
 * that is not a number, so such an item never expires here either.
 */
export function isPastExpiry(expiresAt: string | undefined, nowMs: number): boolean {
  if (expiresAt === undefined) return false;
  const seconds = Number(expiresAt);
  return Number.isFinite(seconds) && seconds * 1_000 <= nowMs;
}
