import { createHash } from "node:crypto";
import { isWellFormedOwner, MAX_OWNER_LENGTH, normalizeOwner } from "../../shared/src/owner.js";
import type { MessageAttribute } from "./queue.js";

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

export type OwnerResult =
  { readonly ok: true; readonly owner: string } | { readonly ok: false; readonly reason: string };

export { MAX_OWNER_LENGTH };

/**
 * The message's `owner` attribute (the client that sent it), normalized (the part before the first ":"); "" when the
 * message has none. An attribute that is not a String of 1 to MAX_OWNER_LENGTH visible ASCII characters, or that is
 * empty before its first ":", makes the message poison like a bad body: storing it without its owner would hand the
 * result to callers without one.
 */
export function parseOwner(attribute: MessageAttribute | undefined): OwnerResult {
  if (attribute === undefined) return { ok: true, owner: "" };
  const { dataType, stringValue } = attribute;
  if (dataType !== "String" || stringValue === undefined)
    return { ok: false, reason: `owner attribute must be of type String (got ${dataType})` };
  if (stringValue.length > MAX_OWNER_LENGTH)
    return {
      ok: false,
      reason: `owner attribute is ${stringValue.length} characters, above the ${MAX_OWNER_LENGTH}-character limit`,
    };
  if (!isWellFormedOwner(stringValue))
    return {
      ok: false,
      reason: "owner attribute must be visible ASCII characters (no spaces, control characters or Unicode)",
    };
  const owner = normalizeOwner(stringValue);
  if (owner === "") return { ok: false, reason: 'owner attribute is empty before its first ":"' };
  return { ok: true, owner };
}

export type MessageResult =
  | { readonly ok: true; readonly payload: Payload; readonly owner: string }
  | { readonly ok: false; readonly reason: string };

/** A message is valid when both its body and its `owner` attribute are; the first problem found is the reason. */
export function parseMessage(body: string | undefined, ownerAttribute: MessageAttribute | undefined): MessageResult {
  const parsed = parseBody(body);
  if (!parsed.ok) return parsed;
  const owner = parseOwner(ownerAttribute);
  return owner.ok ? { ok: true, payload: parsed.payload, owner: owner.owner } : owner;
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
  /** The client that sent the request; absent when it came without one. */
  readonly owner?: string;
}

export function buildItem(input: {
  messageId: string;
  payload: Payload;
  result: unknown;
  sentTimestamp: string | undefined;
  now: Date;
  /** "" or absent: no owner, and the item gets no `owner` attribute. */
  owner?: string;
}): RequestItem {
  const item: RequestItem = {
    requestId: input.messageId,
    status: "processed",
    payload: input.payload,
    // DynamoDB cannot store `undefined`; a hook that returns nothing records null.
    result: input.result === undefined ? null : input.result,
    receivedAt: sentTimestampToIso(input.sentTimestamp) ?? input.now.toISOString(),
    processedAt: input.now.toISOString(),
  };
  return input.owner ? { ...item, owner: input.owner } : item;
}

/** SQS's SentTimestamp is epoch milliseconds as a string; anything else yields undefined. */
export function sentTimestampToIso(sentTimestamp: string | undefined): string | undefined {
  if (!sentTimestamp || !/^\d+$/.test(sentTimestamp)) return undefined;
  const date = new Date(Number(sentTimestamp));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
