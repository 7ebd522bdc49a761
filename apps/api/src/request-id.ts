/**
 * Request ids are SQS MessageIds: UUIDs in the canonical 8-4-4-4-12 hex form, which SQS emits in lowercase.
 *
 * Decision: accept any letter case (RFC 9562 says UUIDs compare case-insensitively) and normalise to lowercase,
 * the form the processor stores. Version and variant nibbles are not checked: SQS does not document which UUID
 * version it uses, and a stricter check could only turn a real id into a 400.
 * Only ASCII hex matches (no `\d`, no `i` flag surprises with Unicode look-alikes); anything else is rejected
 * before it reaches DynamoDB, so path tricks and injection strings never become a key.
 */
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export type RequestId = string & { readonly __brand: "RequestId" };

/** Returns the normalised id, or undefined when `raw` is not a UUID. */
export function parseRequestId(raw: string): RequestId | undefined {
  // The anchored, fixed-length pattern is the whole check (a separate length test was redundant with it).
  if (!UUID.test(raw)) return undefined;
  return raw.toLowerCase() as RequestId;
}
