/**
 * DynamoDB capacity units by AWS's documented rules, for the benches and the bill. DynamoDB Local reports consumed
 * capacity when asked (`ReturnConsumedCapacity`) and agrees with these rules for PutItem, BatchWriteItem and GetItem
 * (test/cost/capacity.test.ts checks it), but it under-reports TransactWriteItems, so transactions are priced here.
 *
 * Item size (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html): the sum
 * of each attribute's name (UTF-8 bytes) and value; strings are UTF-8 bytes; numbers are 1 byte per two significant
 * digits plus 1; booleans and null are 1 byte; maps and lists are 3 bytes plus 1 byte per element (a map element
 * also counts its key's bytes).
 */

export const WRITE_UNIT_BYTES = 1_024;
export const READ_UNIT_BYTES = 4_096;

/** Size of a document-client item (plain JS values, as lib-dynamodb marshals them) in DynamoDB's accounting. */
export function itemSizeBytes(item: object): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    size += Buffer.byteLength(name, "utf8") + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return Buffer.byteLength(value, "utf8");
  if (typeof value === "number" || typeof value === "bigint") return numberSize(String(value));
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
  if (typeof value === "object") {
    let size = 3;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined) continue;
      size += 1 + Buffer.byteLength(key, "utf8") + valueSize(v);
    }
    return size;
  }
  throw new Error(`itemSizeBytes: unsupported value type ${typeof value}`);
}

/** 1 byte per two significant digits (leading and trailing zeros trimmed) plus 1. */
function numberSize(text: string): number {
  const [mantissa = "0"] = text.replace("-", "").toLowerCase().split("e");
  const digits = mantissa.replace(".", "").replace(/^0+/, "").replace(/0+$/, "");
  return Math.ceil(Math.max(1, digits.length) / 2) + 1;
}

/** PutItem / one BatchWriteItem put: one unit per started KB. */
export const writeUnits = (itemBytes: number) => Math.max(1, Math.ceil(itemBytes / WRITE_UNIT_BYTES));
/** One put inside TransactWriteItems: two units per started KB. */
export const transactWriteUnits = (itemBytes: number) => 2 * writeUnits(itemBytes);
/** GetItem: one unit per started 4 KB strongly consistent, half that eventually consistent. */
export const readUnits = (itemBytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(itemBytes / READ_UNIT_BYTES)) * (consistent ? 1 : 0.5);
