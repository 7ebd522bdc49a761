import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { itemToJson } from "../src/item-json.js";

describe("item-json: DynamoDB wire format to JSON text", () => {
  it("item-json: converts every JSON-shaped type", () => {
    const item: Record<string, AttributeValue> = {
      s: { S: 'text "quoted" \n ✓' },
      n: { N: "-12.5" },
      t: { BOOL: true },
      f: { BOOL: false },
      z: { NULL: true },
      m: { M: { inner: { L: [{ N: "1" }, { S: "two" }, { M: {} }, { L: [] }] } } },
    };
    expect(JSON.parse(itemToJson(item))).toEqual({
      s: 'text "quoted" \n ✓',
      n: -12.5,
      t: true,
      f: false,
      z: null,
      m: { inner: [1, "two", {}, []] },
    });
  });

  it("item-json: copies numbers verbatim, beyond 2^53 and beyond double precision", () => {
    const text = itemToJson({
      big: { N: "123456789012345678901234567890" },
      exp: { N: "1E+3" },
      small: { N: "0.000000000000000000000000000001" },
    });
    expect(text).toBe('{"big":123456789012345678901234567890,"exp":1E+3,"small":0.000000000000000000000000000001}');
  });

  it("item-json: quotes a number text that is not valid JSON rather than emit broken JSON", () => {
    expect(itemToJson({ odd: { N: ".5" } })).toBe('{"odd":".5"}');
    expect(itemToJson({ odd: { N: "1x" } })).toBe('{"odd":"1x"}');
  });

  it("item-json: keeps every JSON exponent form verbatim (unsigned, signed, several digits)", () => {
    expect(itemToJson({ a: { N: "1E3" }, b: { N: "2e-7" }, c: { N: "3E+30" } })).toBe('{"a":1E3,"b":2e-7,"c":3E+30}');
  });

  it("item-json: turns sets into arrays and binary into base64", () => {
    const text = itemToJson({
      ss: { SS: ["a", "b"] },
      ns: { NS: ["1", "2.5"] },
      b: { B: new Uint8Array([104, 105]) },
      bs: { BS: [new Uint8Array([0]), new Uint8Array([255])] },
    });
    expect(JSON.parse(text)).toEqual({ ss: ["a", "b"], ns: [1, 2.5], b: "aGk=", bs: ["AA==", "/w=="] });
  });

  it("item-json: escapes keys, including ones that look like prototype keys", () => {
    // Built with JSON.parse: an object literal's "__proto__" would set the prototype instead of a key.
    const item = JSON.parse('{"__proto__":{"S":"x"},"k\\"ey":{"S":"y"}}') as Record<string, AttributeValue>;
    expect(itemToJson(item)).toBe('{"__proto__":"x","k\\"ey":"y"}');
  });

  it("item-json: leaves out the hidden top-level attribute only, wherever it sits; nested ones of that name stay", () => {
    const item: Record<string, AttributeValue> = {
      owner: { S: "first" },
      a: { N: "1" },
      m: { M: { owner: { S: "nested" } } },
    };
    expect(itemToJson(item, "owner")).toBe('{"a":1,"m":{"owner":"nested"}}');
    expect(itemToJson({ a: { N: "1" }, owner: { S: "last" } }, "owner")).toBe('{"a":1}');
    expect(itemToJson({ a: { N: "1" } }, "owner")).toBe('{"a":1}');
    expect(itemToJson(item)).toBe('{"owner":"first","a":1,"m":{"owner":"nested"}}');
  });

  it("item-json: fails loudly on an attribute type it does not know", () => {
    expect(() => itemToJson({ x: { $unknown: ["NEW", 1] } as unknown as AttributeValue })).toThrow(
      /Unsupported DynamoDB attribute type/,
    );
    expect(() => itemToJson({ x: { NEW: 1, OTHER: 2 } as unknown as AttributeValue })).toThrow(
      "Unsupported DynamoDB attribute type: NEW,OTHER",
    );
  });
});
