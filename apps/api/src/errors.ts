import { randomUUID } from "node:crypto";
import type { ErrorRequestHandler, Response } from "express";
import type { Logger } from "pino";

/**
 * Every error response has this shape, whatever produced it (route, Express, Node's HTTP parser):
 * `{"error": "<stable machine code>", "message": "<text for humans>", "requestId": "<this request's id>"}`, the shape
 * of the gateway's own errors. Clients branch on `error`; `requestId` finds the request's log line (and is the
 * response's `x-request-id` header).
 */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly requestId: string;
}

/** An error that maps to one HTTP response. `code` is the stable `error` field clients branch on. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidRequestIdError extends HttpError {
  constructor() {
    // The raw input is never echoed: it may be huge, or crafted for log/HTML injection.
    super(400, "invalid_request_id", "requestId must be a UUID such as 3f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c90");
  }
}

export class InvalidOwnerError extends HttpError {
  constructor() {
    super(
      400,
      "invalid_owner",
      "The x-request-owner header must be one identity of at most 256 visible ASCII characters, as the query API sets it",
    );
  }
}

export class RequestNotFoundError extends HttpError {
  constructor(requestId: string) {
    super(
      404,
      "not_found",
      `No request with id ${requestId}: it may still be queued or processing, or its result has expired`,
    );
  }
}

export class MissingHostError extends HttpError {
  constructor() {
    super(400, "bad_request", "HTTP/1.1 requests must carry a Host header");
  }
}

export class RouteNotFoundError extends HttpError {
  constructor() {
    super(404, "route_not_found", "No such route");
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(allowed: readonly string[]) {
    super(405, "method_not_allowed", `Allowed methods: ${allowed.join(", ")}`, { Allow: allowed.join(", ") });
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    // Closing the connection stops Node from reading (and discarding) the rest of a huge body.
    super(413, "payload_too_large", `Request bodies over ${limitBytes} bytes are not accepted`, {
      Connection: "close",
    });
  }
}

export class UriTooLongError extends HttpError {
  constructor(limitBytes: number) {
    super(414, "uri_too_long", `URLs over ${limitBytes} bytes are not accepted`);
  }
}

/** DynamoDB is unreachable, throttling or failing after the SDK's retries: the client should retry later. */
export class DependencyUnavailableError extends HttpError {
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(503, "service_unavailable", message, { "Retry-After": String(retryAfterSeconds) }, options);
  }
}

export class ShuttingDownError extends HttpError {
  constructor() {
    super(503, "shutting_down", "This instance is shutting down", { "Retry-After": "1", Connection: "close" });
  }
}

export function errorBody(code: string, message: string, requestId: string): string {
  return JSON.stringify({ error: code, message, requestId } satisfies ErrorBody);
}

/** The id app.ts's request log gave this request (a fresh one for a response that started before it). */
export function requestIdOf(res: Response): string {
  const id = (res.locals as { requestId?: unknown }).requestId;
  return typeof id === "string" ? id : randomUUID();
}

export function sendError(res: Response, error: HttpError): void {
  // no-store: a 404 now may be a 200 in a second (the item is still being processed); no cache may keep it.
  res
    .status(error.status)
    .set({ "Cache-Control": "no-store", ...error.headers })
    .type("application/json")
    .send(errorBody(error.code, error.message, requestIdOf(res)));
}

/** Errors Express or its parsers raise with a 4xx `status` (e.g. a path with bad percent-encoding). */
function isClientError(error: unknown): error is { status: number } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}

/**
 * The single place errors become responses. Known errors keep their status and code; anything else is a 500
 * with a generic message (the details, including the stack, go to the log only).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    // Headers already sent: only Express's default handler can abort the connection properly.
    if (res.headersSent) return next(error);
    if (error instanceof HttpError) {
      if (error.status >= 500) logger.warn({ err: error, url: req.originalUrl }, error.message);
      return sendError(res, error);
    }
    if (isClientError(error)) {
      return sendError(res, new HttpError(error.status, "bad_request", "Malformed request"));
    }
    logger.error({ err: error, url: req.originalUrl }, "unhandled error");
    sendError(res, new HttpError(500, "internal_error", "Internal server error"));
  };
}
