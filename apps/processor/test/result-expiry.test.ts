import { describe, expect, it } from "vitest";
import { expiresAtSeconds, isPastExpiry } from "../../shared/src/result-expiry.js";

/** The expiry rule both services share (apps/shared/src/result-expiry.ts), without I/O. */
describe("result expiry", () => {
  it("expiry: stamped in whole epoch seconds, the retention after the write (a fraction of a second is dropped)", () => {
    const expiry = { attribute: "expiresAt", retentionSeconds: 604_800 };
    expect(expiresAtSeconds(expiry, new Date(1_765_000_000_999))).toBe(1_765_000_000 + 604_800);
  });

  it("expiry: an item is past its expiry from that second on, not before", () => {
    expect(isPastExpiry("1765000000", 1_765_000_000_000)).toBe(true);
    expect(isPastExpiry("1765000000", 1_764_999_999_999)).toBe(false);
    expect(isPastExpiry("1765000000", 1_765_000_001_000)).toBe(true);
  });

  it("expiry: no attribute, or one that is not a number, never expires (DynamoDB TTL ignores it too)", () => {
    expect(isPastExpiry(undefined, Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(isPastExpiry("soon", Number.MAX_SAFE_INTEGER)).toBe(false);
    expect(isPastExpiry("Infinity", Number.MAX_SAFE_INTEGER)).toBe(false);
  });
});
