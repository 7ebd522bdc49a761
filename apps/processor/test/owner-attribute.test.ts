import { describe, expect, it } from "vitest";
import { buildItem, MAX_OWNER_LENGTH, parseMessage, parseOwner } from "../src/domain.js";

/** The `owner` message attribute: what is valid, how it is normalized, and how it reaches the item. */

const string = (stringValue: string | undefined) => ({ dataType: "String", stringValue });
const reasonOf = (attribute: Parameters<typeof parseOwner>[0]) => {
  const result = parseOwner(attribute);
  return result.ok ? `owner ${JSON.stringify(result.owner)}` : result.reason;
};

describe("domain: owner attribute", () => {
  it("domain: no attribute is no owner; a String is normalized to the part before its first colon", () => {
    expect(parseOwner(undefined)).toEqual({ ok: true, owner: "" });
    expect(parseOwner(string("AIDAUSERID"))).toEqual({ ok: true, owner: "AIDAUSERID" });
    expect(parseOwner(string("AROAROLEID:session-1"))).toEqual({ ok: true, owner: "AROAROLEID" });
    expect(reasonOf(string("!~"))).toBe('owner "!~"');
  });

  it("domain: an owner of exactly 256 characters is valid; one more is rejected with its length", () => {
    expect(MAX_OWNER_LENGTH).toBe(256);
    expect(reasonOf(string("a".repeat(256)))).toBe(`owner "${"a".repeat(256)}"`);
    expect(reasonOf(string("a".repeat(257)))).toBe("owner attribute is 257 characters, above the 256-character limit");
  });

  it.each([
    ["Binary", { dataType: "Binary", stringValue: undefined }, "owner attribute must be of type String (got Binary)"],
    ["Number", { dataType: "Number", stringValue: "12" }, "owner attribute must be of type String (got Number)"],
    [
      "custom String type",
      { dataType: "String.id", stringValue: "x" },
      "owner attribute must be of type String (got String.id)",
    ],
    ["no type", { dataType: undefined, stringValue: "x" }, "owner attribute must be of type String (got undefined)"],
    ["String without a value", string(undefined), "owner attribute must be of type String (got String)"],
  ])("domain: rejects an owner attribute of the wrong type (%s), naming it", (_, attribute, reason) => {
    expect(reasonOf(attribute)).toBe(reason);
  });

  it.each([
    ["empty", ""],
    ["a space", "AIDA USER"],
    ["a newline", "AIDAUSER\n"],
    ["a tab", "\tAIDAUSER"],
    ["DEL", "AIDA\u007f"],
    ["a NUL", "AIDA\u0000"],
    ["Unicode", "AIDAUSÉR"],
  ])("domain: rejects an owner with %s: only visible ASCII", (_, value) => {
    expect(reasonOf(string(value))).toBe(
      "owner attribute must be visible ASCII characters (no spaces, control characters or Unicode)",
    );
  });

  it("domain: rejects an owner that is empty before its first colon (it would read as no owner)", () => {
    expect(reasonOf(string(":session"))).toBe('owner attribute is empty before its first ":"');
    expect(reasonOf(string(":"))).toBe('owner attribute is empty before its first ":"');
  });
});

describe("domain: parseMessage", () => {
  it("domain: a valid message carries its payload and normalized owner", () => {
    expect(parseMessage('{"a":1}', string("AROAROLEID:s"))).toEqual({
      ok: true,
      payload: { a: 1 },
      owner: "AROAROLEID",
    });
    expect(parseMessage('{"a":1}', undefined)).toEqual({ ok: true, payload: { a: 1 }, owner: "" });
  });

  it("domain: a bad body or a bad owner makes the message invalid; the body is judged first", () => {
    expect(parseMessage("[1]", string(":x"))).toEqual({
      ok: false,
      reason: "body is JSON but not an object (got array)",
    });
    expect(parseMessage('{"a":1}', string(":x"))).toEqual({
      ok: false,
      reason: 'owner attribute is empty before its first ":"',
    });
  });
});

describe("domain: the item's owner", () => {
  const now = new Date("2026-01-02T03:04:05.678Z");
  const base = { messageId: "m", payload: { a: 1 }, result: null, sentTimestamp: undefined, now };

  it("domain: an owner is stored as the item's owner attribute", () => {
    expect(buildItem({ ...base, owner: "AIDAUSERID" })).toEqual({
      requestId: "m",
      status: "processed",
      payload: { a: 1 },
      result: null,
      receivedAt: now.toISOString(),
      processedAt: now.toISOString(),
      owner: "AIDAUSERID",
    });
  });

  it("domain: no owner (empty or absent) writes no owner attribute at all", () => {
    expect(buildItem({ ...base, owner: "" })).not.toHaveProperty("owner");
    expect(buildItem(base)).not.toHaveProperty("owner");
  });
});
