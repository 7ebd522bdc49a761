import type { AuthorizationMode } from "../../config/authorization-fields.js";

/**
 * Who owns a request: the caller's identity as API Gateway verified it, read from the request context and never from
 * a client's header. The ingest integration stores it with the message, the query integration hands it to the api,
 * which serves an item only to its owner.
 */

/** The context variable (request-parameter form, without `$`) that identifies the caller in each mode. */
export const OWNER_CONTEXT_VARIABLE: Readonly<Record<AuthorizationMode, string>> = {
  // The key's id: rotating a client's key gives it a new owner.
  api_key: "context.identity.apiKeyId",
  // The principal id: "AIDA..." for a user, "AROA...:<session>" for a role, the account id for root.
  iam: "context.identity.user",
  // For a client-credentials token, the app client's id.
  cognito: "context.authorizer.claims.sub",
};

/** The header the query integration sets from OWNER_CONTEXT_VARIABLE; the api reads it. */
export { OWNER_HEADER } from "../../apps/shared/src/owner.js";

/**
 * Velocity that sets `$owner` in each mode, one function per mode. `$!` renders a missing value as "", and the
 * quotes make `$owner` a string even then (a `#set` to null would keep the previous value). IAM cuts a role's
 * session name off at the first ":", so every session of a role is one owner.
 */
export const OWNER_VELOCITY: Readonly<Record<AuthorizationMode, () => string>> = {
  api_key: () => `#set($owner = "$!context.identity.apiKeyId")`,
  iam: () =>
    `#set($owner = "$!context.identity.user")#set($cut = $owner.indexOf(":"))#if($cut >= 0)#set($owner = $owner.substring(0, $cut))#end`,
  cognito: () => `#set($owner = "$!context.authorizer.claims.sub")`,
};
