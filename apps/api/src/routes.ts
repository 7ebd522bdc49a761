import type { RequestHandler } from "express";
import { isWellFormedOwner, normalizeOwner, OWNER_HEADER } from "../../shared/src/owner.js";
import {
  DependencyUnavailableError,
  InvalidOwnerError,
  InvalidRequestIdError,
  MethodNotAllowedError,
  RequestNotFoundError,
  ShuttingDownError,
} from "./errors.js";
import { parseRequestId } from "./request-id.js";
import type { RequestsReader } from "./requests-table.js";

/** Liveness for the ALB/NLB health checks: answers from memory only, never from DynamoDB (see README). */
export const health: RequestHandler = (_req, res) => {
  res.status(200).json({ status: "ok" });
};

/** Readiness: can this instance serve reads right now? Probes DynamoDB; 503 while draining or when it fails. */
export function ready(requests: RequestsReader, isShuttingDown: () => boolean): RequestHandler {
  return async (_req, res) => {
    if (isShuttingDown()) throw new ShuttingDownError();
    try {
      await requests.ping();
    } catch (error) {
      throw error instanceof DependencyUnavailableError
        ? error
        : new DependencyUnavailableError("The data store is not usable by this instance", 5, { cause: error });
    }
    res.status(200).json({ status: "ready" });
  };
}

/**
 * GET /requests/:requestId: validate the id, read the item, return it exactly as stored (without its owner). Another
 * owner's item answers 404 exactly like a missing one, so ids cannot be probed.
 */
export function getRequest(requests: RequestsReader): RequestHandler {
  return async (req, res) => {
    const requestId = parseRequestId((req.params.requestId as string | undefined) ?? "");
    if (requestId === undefined) throw new InvalidRequestIdError();
    const owner = callerOwner(req.headers[OWNER_HEADER] as string | undefined);
    const json = await requests.getRequestJson(requestId, owner);
    if (json === undefined) throw new RequestNotFoundError(requestId);
    // The hot path. The item is already JSON text, so Express's res.send (re-encode to a Buffer, parse the
    // content type for a charset, compute freshness) is skipped: measured at ~25% of Express's per-request CPU.
    // Node adds Content-Length (only when the headers are still unsent at end(), hence no writeHead), keeps the
    // headers set earlier (nosniff, HSTS, Cache-Control), and sends no body for HEAD. A Buffer rather than the
    // string: Node 24 writes a string body by encoding head and body together in one native call, which a CPU
    // profile under load showed costing more than encoding the body here and writing both as one vector (as
    // Express's send does).
    res.statusCode = 200;
    res.setHeader("Content-Type", "application/json; charset=utf-8");
    res.end(Buffer.from(json));
  };
}

/** For known paths hit with another method; `Allow` lists what is supported (HEAD comes with GET in Express). */
export function methodNotAllowed(allowed: readonly string[]): RequestHandler {
  return () => {
    throw new MethodNotAllowedError(allowed);
  };
}

/**
 * The caller's identity from OWNER_HEADER (Node joins a repeated custom header into one string, so never an array).
 * Absent or empty: a caller without an owner. A value the gateway could not have sent (a repeated header, spaces,
 * control characters) is refused rather than cut down to an owner it might name.
 */
function callerOwner(header: string | undefined): string {
  if (header === undefined || header === "") return "";
  if (!isWellFormedOwner(header)) throw new InvalidOwnerError();
  return normalizeOwner(header);
}
