import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseRequestId } from "../src/request-id.js";

describe("request id (SQS MessageId) parsing", () => {
  it("request id: accepts a lowercase UUID unchanged", () => {
    const id = randomUUID();
    expect(parseRequestId(id)).toBe(id);
  });

  it("request id: accepts any letter case and normalises to lowercase (the stored form)", () => {
    expect(parseRequestId("3F2B8C1E-5D7A-4E0F-9B6C-2A1D4E8F7C90")).toBe("3f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c90");
  });

  it("request id: accepts any UUID version (SQS does not document one)", () => {
    expect(parseRequestId("00000000-0000-0000-0000-000000000000")).toBeDefined();
    expect(parseRequestId("01890a5d-ac96-774b-bcce-b302099a8057")).toBeDefined();
  });

  it("request id: accepts every canonical UUID (property)", () => {
    fc.assert(fc.property(fc.uuid(), (id) => parseRequestId(id) === id.toLowerCase()));
  });

  it("request id: rejects every string that is not 36 characters (property)", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme" }).filter((s) => s.length !== 36),
        (s) => parseRequestId(s) === undefined,
      ),
    );
  });

  it("request id: rejects a UUID with any one character replaced by a non-hex character (property)", () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.nat(35),
        fc.constantFrom("g", "z", " ", "\0", "\n", "%", "'", "-", "０", "٣", "é", "İ"),
        (id, index, char) => {
          fc.pre(id[index] !== char);
          return parseRequestId(id.slice(0, index) + char + id.slice(index + 1)) === undefined;
        },
      ),
    );
  });

  it("request id: rejects a UUID with anything before or after it (the whole string must be the UUID)", () => {
    // GIVEN a valid UUID WHEN one character is added at either end, or a newline after it THEN it is rejected
    const id = "3f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c90";
    for (const raw of [`x${id}`, `${id}x`, `${id}\n`, ` ${id}`, `${id.slice(1)}0`.padStart(37, "0")]) {
      expect(parseRequestId(raw), JSON.stringify(raw)).toBeUndefined();
    }
  });

  it("request id: rejects 36 characters whose groups are not 8-4-4-4-12", () => {
    expect(parseRequestId("3f2b8c1e5-d7a-4e0f-9b6c-2a1d4e8f7c90")).toBeUndefined();
    expect(parseRequestId("3f2b8c1e-5d7a4-e0f-9b6c-2a1d4e8f7c90")).toBeUndefined();
    expect(parseRequestId("3f2b8c1e-5d7a-4e0f-9b6c2-a1d4e8f7c90")).toBeUndefined();
    expect(parseRequestId("3f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c9-")).toBeUndefined();
  });

  it("request id: rejects the empty string (what the route passes when the segment is absent)", () => {
    expect(parseRequestId("")).toBeUndefined();
  });
});
