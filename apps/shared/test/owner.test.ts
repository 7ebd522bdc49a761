import { describe, expect, it } from "vitest";
import { isReadableBy, isWellFormedOwner, normalizeOwner, OWNER_ATTRIBUTE, OWNER_HEADER } from "../src/owner.js";

describe("owner: the rules both services share", () => {
  it("owner: normalizing keeps the part before the first colon; no identity is no owner", () => {
    expect(normalizeOwner(undefined)).toBe("");
    expect(normalizeOwner("")).toBe("");
    expect(normalizeOwner("AIDAUSERID")).toBe("AIDAUSERID");
    expect(normalizeOwner("AROAROLEID:session-name")).toBe("AROAROLEID");
    expect(normalizeOwner("AROAROLEID:session:with:colons")).toBe("AROAROLEID");
    expect(normalizeOwner("AROAROLEID:")).toBe("AROAROLEID");
    expect(normalizeOwner(":session")).toBe("");
    expect(normalizeOwner("a")).toBe("a");
  });

  it("owner: an item is readable only by its owner; an ownerless item only by callers without an owner", () => {
    expect(isReadableBy("AIDAUSERID", "AIDAUSERID")).toBe(true);
    expect(isReadableBy("AIDAUSERID", "AIDAOTHER")).toBe(false);
    expect(isReadableBy("AIDAUSERID", "")).toBe(false);
    expect(isReadableBy("AIDAUSERID", "aidauserid")).toBe(false);
    expect(isReadableBy(undefined, "")).toBe(true);
    expect(isReadableBy(undefined, "AIDAUSERID")).toBe(false);
    expect(isReadableBy("", "")).toBe(true);
  });

  it("owner: the item attribute is named owner", () => {
    expect(OWNER_ATTRIBUTE).toBe("owner");
  });

  it("owner: well formed is 1 to 256 visible ASCII characters, as the gateway's identities are", () => {
    for (const raw of ["a", "!", "~", "AROAROLEID:session", "A".repeat(256), "123456789012"])
      expect(isWellFormedOwner(raw), raw.slice(0, 20)).toBe(true);
    for (const raw of ["", "A".repeat(257), "a b", "a, b", "a\tb", "a\u007f", "\u00e9", " a", "a "])
      expect(isWellFormedOwner(raw), JSON.stringify(raw.slice(0, 20))).toBe(false);
  });

  it("owner: the api reads the owner from x-request-owner", () => {
    expect(OWNER_HEADER).toBe("x-request-owner");
  });
});
