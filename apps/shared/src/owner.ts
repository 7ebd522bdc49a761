/**
 * The owner of a result: the client that sent the request (apps/processor/README.md, "Owner"). Both services use
 * these rules: the processor for the `owner` message attribute it stores, the api for the caller it compares with.
 * "" means no owner.
 */

/** The item attribute holding the owner (absent when the request came without one). */
export const OWNER_ATTRIBUTE = "owner";

/**
 * The header the query API's integration sets from the caller's identity for the api (the mapping replaces a
 * client's header of that name; the stack's OWNER_CONTEXT_VARIABLE says which identity).
 */
export const OWNER_HEADER = "x-request-owner";

/** The longest owner accepted: far above every identity the gateway sends (ids of 20 to 128 characters). */
export const MAX_OWNER_LENGTH = 256;
/**
 * Visible ASCII only: the identities API Gateway sends are ids, never spaces, control characters or Unicode. A
 * header sent twice reaches the api joined by ", ", so it is refused here rather than cut to its first value.
 */
const OWNER_CHARACTERS = /^[\x21-\x7e]+$/;

/** Whether a raw identity (before normalizeOwner) is one the gateway could have sent. */
export const isWellFormedOwner = (raw: string) => raw.length <= MAX_OWNER_LENGTH && OWNER_CHARACTERS.test(raw);

/**
 * The owner as both services store and compare it: the part before the first ":". An IAM role's caller id is
 * "<role id>:<session name>", so every session of a role is one owner; other identities contain no ":".
 * Undefined (no identity) is "" (no owner).
 */
export function normalizeOwner(raw: string | undefined): string {
  if (raw === undefined) return "";
  const colon = raw.indexOf(":");
  return colon === -1 ? raw : raw.slice(0, colon);
}

/**
 * Whether a caller may read an item: only when the item's owner is the caller. An item stored without an owner
 * (undefined) belongs to callers without one, so an identified client never reads an anonymous result and an
 * anonymous caller never reads a client's.
 */
export function isReadableBy(itemOwner: string | undefined, caller: string): boolean {
  return (itemOwner ?? "") === caller;
}
