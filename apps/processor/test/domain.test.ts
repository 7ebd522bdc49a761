import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildItem, MAX_BODY_BYTES, parseBody, sentTimestampToIso, summarize } from "../src/domain.js";

describe("domain: parseBody", () => {
  it("domain: accepts any JSON object and returns it unchanged", () => {
    // GIVEN objects of several shapes WHEN parsed THEN each comes back deep-equal
    for (const value of [{}, { a: 1 }, { nested: { list: [1, "x", null, true, { deep: [] }] }, empty: "" }]) {
      expect(parseBody(JSON.stringify(value))).toEqual({ ok: true, payload: value });
    }
  });

  it.each([
    ["not JSON", "{not json", /not JSON/],
    ["an array", "[1,2]", /not an object \(got array\)/],
    ["a number", "42", /not an object \(got number\)/],
    ["a string", '"hello"', /not an object \(got string\)/],
    ["null", "null", /not an object \(got null\)/],
    ["empty", "", /not JSON/],
  ])("domain: rejects a body that is %s, with the reason", (_, body, reason) => {
    const result = parseBody(body);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(reason);
  });

  it("domain: rejects what DynamoDB cannot store (empty key, > 32 levels, number out of range, oversize)", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 32; i++) deep = { a: deep };
    const cases: [string, RegExp][] = [
      [JSON.stringify({ ok: { "": 1 } }), /empty key/],
      [JSON.stringify(deep), /nests deeper/],
      ['{"n": 1e200}', /outside DynamoDB's number range/],
      ['{"n": [1e-131]}', /outside DynamoDB's number range/],
      [JSON.stringify({ big: "x".repeat(MAX_BODY_BYTES) }), /above the 262144-byte limit/],
    ];
    for (const [body, reason] of cases) {
      const result = parseBody(body);
      expect(!result.ok && result.reason, body.slice(0, 40)).toMatch(reason);
    }
  });

  it("domain: accepts the deepest and largest payloads DynamoDB can store", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 31; i++) deep = { a: deep };
    expect(parseBody(JSON.stringify(deep)).ok).toBe(true);
    expect(parseBody(JSON.stringify({ n: 9.9e125, m: -1e-130, z: 0 })).ok).toBe(true);
  });
});

describe("domain: parseBody at the limits and on every branch", () => {
  /** A JSON object of exactly `bytes` UTF-8 bytes: {"big":"xx...x"}. */
  const bodyOf = (bytes: number) => JSON.stringify({ big: "x".repeat(bytes - '{"big":""}'.length) });
  const reasonOf = (body: string | undefined) => {
    const result = parseBody(body);
    return result.ok ? "accepted" : result.reason;
  };

  it("domain: a body of exactly 256 KiB is valid; one byte more is rejected with its size", () => {
    expect(Buffer.byteLength(bodyOf(MAX_BODY_BYTES))).toBe(262_144);
    expect(parseBody(bodyOf(MAX_BODY_BYTES)).ok).toBe(true);
    expect(reasonOf(bodyOf(MAX_BODY_BYTES + 1))).toBe("body is 262145 bytes, above the 262144-byte limit");
  });

  it("domain: the size limit counts UTF-8 bytes, not characters", () => {
    // GIVEN 2-byte characters: under the limit in characters, over it in bytes
    const body = JSON.stringify({ big: "é".repeat(MAX_BODY_BYTES / 2) });
    expect(body.length).toBeLessThan(MAX_BODY_BYTES);
    expect(reasonOf(body)).toBe(`body is ${Buffer.byteLength(body)} bytes, above the 262144-byte limit`);
  });

  it("domain: a message without a body is rejected, saying so", () => {
    expect(parseBody(undefined)).toEqual({ ok: false, reason: "message has no body" });
  });

  it("domain: reasons name the path of the value DynamoDB cannot store", () => {
    expect(reasonOf(JSON.stringify({ ok: { "": 1 } }))).toBe(
      "payload.ok has an empty key, which DynamoDB cannot store as an attribute name",
    );
    expect(reasonOf(JSON.stringify({ list: [1, { n: 1e200 }] }))).toBe(
      "payload.list.1.n is 1e+200, outside DynamoDB's number range",
    );
  });

  it('domain: a "__proto__" key is refused with its path (the document client would drop it); "constructor" is fine', () => {
    expect(reasonOf('{"a": {"b": [{"__proto__": {"x": 1}}]}}')).toBe(
      'payload.a.b.0 has a "__proto__" key, which the DynamoDB document client would drop',
    );
    expect(parseBody('{"constructor": [], "toString": {"constructor": null}}')).toEqual({
      ok: true,
      payload: { constructor: [], toString: { constructor: null } },
    });
  });

  it("domain: every child is checked, not only the first (objects and arrays)", () => {
    expect(reasonOf(JSON.stringify({ a: 1, b: 2, c: { "": 1 } }))).toMatch(/^payload\.c has an empty key/);
    expect(reasonOf(JSON.stringify({ a: [1, 2, 1e-200] }))).toMatch(/^payload\.a\.2 is 1e-200, outside/);
  });

  it("domain: 32 levels is the limit (the item is one level above the payload), and the reason says 32", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 32; i++) deep = { a: deep };
    expect(reasonOf(JSON.stringify(deep))).toBe(
      `payload${".a".repeat(31)} nests deeper than DynamoDB's 32-level limit`,
    );
  });

  it("domain: numbers exactly at DynamoDB's range limits: 1e126 is out, 1e-130 is in, smaller is out", () => {
    expect(reasonOf('{"n": 1e126}')).toBe("payload.n is 1e+126, outside DynamoDB's number range");
    expect(reasonOf('{"n": -1e126}')).toBe("payload.n is -1e+126, outside DynamoDB's number range");
    expect(reasonOf('{"n": 1e-130, "m": -9.99e125}')).toBe("accepted");
    expect(reasonOf('{"n": 9.9e-131}')).toBe("payload.n is 9.9e-131, outside DynamoDB's number range");
  });
});

describe("domain: item", () => {
  it("domain: builds the contract's item from the message (requestId = MessageId, receivedAt = SentTimestamp)", () => {
    const now = new Date("2026-01-02T03:04:05.678Z");
    const item = buildItem({
      messageId: "m-1",
      payload: { a: 1 },
      result: { r: 2 },
      sentTimestamp: "1767225600000",
      now,
    });
    expect(item).toEqual({
      requestId: "m-1",
      status: "processed",
      payload: { a: 1 },
      result: { r: 2 },
      receivedAt: "2026-01-01T00:00:00.000Z",
      processedAt: "2026-01-02T03:04:05.678Z",
    });
  });

  it("domain: stores null for a hook that returns nothing, and falls back to now without a SentTimestamp", () => {
    const now = new Date("2026-01-02T00:00:00.000Z");
    const item = buildItem({ messageId: "m", payload: {}, result: undefined, sentTimestamp: undefined, now });
    expect(item.result).toBeNull();
    expect(item.receivedAt).toBe(now.toISOString());
    expect(sentTimestampToIso("abc")).toBeUndefined();
  });

  it("domain: a SentTimestamp must be only digits (Number() would accept these) within the Date range", () => {
    expect(sentTimestampToIso("0")).toBe("1970-01-01T00:00:00.000Z");
    for (const raw of ["", "1e12", "0x1F", " 1767225600000", "1767225600000 ", "-1", "99999999999999999"]) {
      expect(sentTimestampToIso(raw), JSON.stringify(raw)).toBeUndefined();
    }
  });

  it("domain: the default hook summarizes the body (field count, bytes, SHA-256)", () => {
    const body = '{"a":1,"b":"é"}';
    const summary = summarize(JSON.parse(body), { messageId: "m", body, signal: new AbortController().signal });
    expect(summary).toEqual({ fieldCount: 2, bytes: 16, sha256: createHash("sha256").update(body).digest("hex") });
  });
});
