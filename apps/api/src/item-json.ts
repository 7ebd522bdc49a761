import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/**
 * Serialises a DynamoDB item (wire format) straight to JSON text.
 *
 * Why not `unmarshall` + `JSON.stringify`: unmarshall turns integers beyond 2^53 into BigInt, which
 * JSON.stringify cannot serialise (a 500 for a valid item), and rounds long decimals. DynamoDB numbers are
 * already decimal text, so they are copied verbatim and the client gets exactly what the processor stored.
 * Sets (never written by the processor, but legal in the table) become arrays; binary becomes base64.
 * `hidden` names a top-level attribute left out of the text (the owner: clients see the item's fields, not whose it is).
 */
export function itemToJson(item: Record<string, AttributeValue>, hidden?: string): string {
  return mapToJson(item, hidden);
}

/** DynamoDB normalises numbers (`1E+3` -> `1000`); anything that is still not a JSON number is quoted. */
const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

function numberToJson(text: string): string {
  return JSON_NUMBER.test(text) ? text : JSON.stringify(text);
}

function binaryToJson(bytes: Uint8Array): string {
  return JSON.stringify(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64"));
}

function mapToJson(map: Record<string, AttributeValue>, hidden?: string): string {
  const members: string[] = [];
  for (const key of Object.keys(map))
    if (key !== hidden) members.push(`${JSON.stringify(key)}:${valueToJson(map[key]!)}`);
  return `{${members.join(",")}}`;
}

function valueToJson(value: AttributeValue): string {
  if (value.S !== undefined) return JSON.stringify(value.S);
  if (value.N !== undefined) return numberToJson(value.N);
  if (value.BOOL !== undefined) return value.BOOL ? "true" : "false";
  if (value.NULL !== undefined) return "null";
  if (value.M !== undefined) return mapToJson(value.M);
  if (value.L !== undefined) return `[${value.L.map(valueToJson).join(",")}]`;
  if (value.SS !== undefined) return JSON.stringify(value.SS);
  if (value.NS !== undefined) return `[${value.NS.map(numberToJson).join(",")}]`;
  if (value.B !== undefined) return binaryToJson(value.B);
  if (value.BS !== undefined) return `[${value.BS.map(binaryToJson).join(",")}]`;
  // A type added to DynamoDB after this SDK version: fail loudly (a 500 and a log line) rather than guess.
  throw new Error(`Unsupported DynamoDB attribute type: ${Object.keys(value).join(",")}`);
}
