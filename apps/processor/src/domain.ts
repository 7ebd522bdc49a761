import { createHash } from "node:crypto";

/**
 * Pure functions of the data contract (the "Item" and "Valid body" rules in apps/processor/README.md): what a valid
 * message body is, the default business hook, and the item written for it. No I/O here.
 */

export type Payload = Record<string, unknown>;

export type ParseResult =
  { readonly ok: true; readonly payload: Payload } | { readonly ok: false; readonly reason: string };

/** SQS's classic body limit; the contract promises any JSON object up to this size is valid (and fits a 400 KB item). */
export const MAX_BODY_BYTES = 256 * 1024;
/** DynamoDB nests documents at most 32 levels deep; the payload itself sits one level below the item. */
const MAX_PAYLOAD_DEPTH = 31;
/** DynamoDB's number range (38 significant digits, magnitude 1E-130 .. 9.99E+125); JSON allows far more. */
const MAX_NUMBER_MAGNITUDE = 1e126;
const MIN_NUMBER_MAGNITUDE = 1e-130;

/**
 * A valid body is a JSON object (not an array, not a primitive, not null) that DynamoDB can store
 * (no empty keys, at most 32 levels deep, numbers within DynamoDB's range).
 * Anything else can never succeed, so the caller leaves it for the redrive policy to move to the DLQ.
 */
export function parseBody(body: string | undefined): ParseResult {
  if (body === undefined) return { ok: false, reason: "message has no body" };
  const bytes = Buffer.byteLength(body); // UTF-8, the default
  if (bytes > MAX_BODY_BYTES)
    return { ok: false, reason: `body is ${bytes} bytes, above the ${MAX_BODY_BYTES}-byte limit` };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return {
      ok: false,
      reason: `body is JSON but not an object (got ${value === null ? "null" : Array.isArray(value) ? "array" : typeof value})`,
    };
  }
  const problem = findUnstorable(value, 1, "payload");
  return problem ? { ok: false, reason: problem } : { ok: true, payload: value as Payload };
}

/** Returns why DynamoDB would reject this JSON value (empty key, too deep, number out of range), or undefined. */
function findUnstorable(value: unknown, depth: number, path: string): string | undefined {
  if (typeof value === "number") {
    const magnitude = Math.abs(value);
    if (magnitude !== 0 && (magnitude >= MAX_NUMBER_MAGNITUDE || magnitude < MIN_NUMBER_MAGNITUDE)) {
      return `${path} is ${value}, outside DynamoDB's number range`;
    }
    return undefined;
  }
  if (value === null || typeof value !== "object") return undefined;
  if (depth > MAX_PAYLOAD_DEPTH) return `${path} nests deeper than DynamoDB's ${MAX_PAYLOAD_DEPTH + 1}-level limit`;
  const entries: Iterable<[string, unknown]> = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as [string, unknown])
    : Object.entries(value);
  for (const [key, child] of entries) {
    if (key === "") return `${path} has an empty key, which DynamoDB cannot store as an attribute name`;
    // The document client builds attribute maps as plain objects, where this key sets the prototype instead: the
    // value would vanish from the stored item. Refused, so that nothing is dropped silently.
    if (key === "__proto__") return `${path} has a "__proto__" key, which the DynamoDB document client would drop`;
    const problem = findUnstorable(child, depth + 1, `${path}.${key}`);
    if (problem) return problem;
  }
  return undefined;
}

/** What the default hook records: enough to check the item against its message without re-reading the body. */
export interface Summary {
  readonly fieldCount: number;
  readonly bytes: number;
  readonly sha256: string;
}

export interface HookContext {
  readonly messageId: string;
  /** The raw body, as received. */
  readonly body: string;
  /** Aborted when shutdown can no longer wait for this message; a long hook should stop and throw. */
  readonly signal: AbortSignal;
}

/** The business hook: given a valid payload, returns the `result` stored with it. May be async; a throw fails the message. */
export type ProcessHook = (payload: Payload, context: HookContext) => unknown;

export const summarize: ProcessHook = (payload, { body }): Summary => ({
  fieldCount: Object.keys(payload).length,
  bytes: Buffer.byteLength(body), // UTF-8, the default
  sha256: createHash("sha256").update(body).digest("hex"),
});

export interface RequestItem {
  readonly requestId: string;
  readonly status: "processed";
  readonly payload: Payload;
  readonly result: unknown;
  /** When API Gateway enqueued the request (the message's SentTimestamp). */
  readonly receivedAt: string;
  /** When this item was written. */
  readonly processedAt: string;
}

export function buildItem(input: {
  messageId: string;
  payload: Payload;
  result: unknown;
  sentTimestamp: string | undefined;
  now: Date;
}): RequestItem {
  return {
    requestId: input.messageId,
    status: "processed",
    payload: input.payload,
    // DynamoDB cannot store `undefined`; a hook that returns nothing records null.
    result: input.result === undefined ? null : input.result,
    receivedAt: sentTimestampToIso(input.sentTimestamp) ?? input.now.toISOString(),
    processedAt: input.now.toISOString(),
  };
}

/** SQS's SentTimestamp is epoch milliseconds as a string; anything else yields undefined. */
export function sentTimestampToIso(sentTimestamp: string | undefined): string | undefined {
  if (!sentTimestamp || !/^\d+$/.test(sentTimestamp)) return undefined;
  const date = new Date(Number(sentTimestamp));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
