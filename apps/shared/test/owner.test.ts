import { describe, expect, it } from "vitest";
import { isReadableBy, normalizeOwner, OWNER_ATTRIBUTE } from "../src/owner.js";

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
});
