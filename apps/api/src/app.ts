import { randomUUID } from "node:crypto";
import express, { Router, type Express, type RequestHandler, type Response } from "express";
import type { Logger } from "pino";
import { MissingHostError, PayloadTooLargeError, RouteNotFoundError, UriTooLongError, errorHandler } from "./errors.js";
import type { RequestsReader } from "./requests-table.js";
import { setLogRequestId } from "../../shared/src/tracing-spans.js";
import { getRequest, health, methodNotAllowed, ready } from "./routes.js";

export interface AppDeps {
  readonly requests: RequestsReader;
  readonly logger: Logger;
  /** True once SIGTERM arrived: readiness fails and responses ask clients to close their connections. */
  readonly isShuttingDown?: () => boolean;
  /** Also serve every route under this prefix (the stage name a VPC Link v2 integration sends). @default none */
  readonly pathPrefix?: string;
  /** Share of requests below 500 that get a request log line (5xx and abandoned ones always do). @default 1 */
  readonly requestLogSampleRate?: number;
  /** The sampling draw, in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/** The longest valid URL is ~50 bytes; 2 KiB leaves room for query strings a proxy may add. */
export const MAX_URL_BYTES = 2_048;
/** This API reads no bodies; a small allowance tolerates clients that send an empty JSON object on GET. */
export const MAX_BODY_BYTES = 1_024;

const GET_ONLY = ["GET", "HEAD"] as const;

/** Builds the Express app; never listens (main.ts and the tests do). */
export function buildApp(deps: AppDeps): Express {
  const isShuttingDown = deps.isShuttingDown ?? (() => false);
  const app = express();
  // ETags would hash every body for nothing (items are immutable and no client sends If-None-Match).
  app.set("etag", false);
  app.set("query parser", false);
  // API Gateway routes case-sensitively; /HEALTH or /Requests/... are unknown routes here too.
  app.set("case sensitive routing", true);
  app.disable("x-powered-by");

  app.use(requestLog(deps.logger, isShuttingDown, deps.requestLogSampleRate ?? 1, deps.random ?? Math.random));
  app.use(jsonApiHeaders);
  app.use(requestLimits);

  const routes = Router({ caseSensitive: true });
  routes.route("/health").get(health).all(methodNotAllowed(GET_ONLY));
  routes.route("/ready").get(ready(deps.requests, isShuttingDown)).all(methodNotAllowed(GET_ONLY));
  // `/requests` and `/requests/` land here too, so an empty id is a 400 like any other bad id.
  routes.route("/requests{/:requestId}").get(getRequest(deps.requests)).all(methodNotAllowed(GET_ONLY));
  // The ALB's health checks call /health at the root; requests through a VPC Link v2 arrive under the stage name.
  app.use(routes);
  if (deps.pathPrefix) app.use(deps.pathPrefix, routes);

  app.use(() => {
    throw new RouteNotFoundError();
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/**
 * A JSON log line per request with status and latency at the task, written when the response finishes or the client
 * goes away. The ALB's X-Amzn-Trace-Id (present on every request through the ALB) correlates with its logs.
 * API Gateway's access log already has every call with its status and latencies, so the line is only kept where it
 * adds something: always for a 5xx (next to the error line that says why) and for a request the client abandoned
 * (which the access log cannot tell from a slow answer); a sample of the rest keeps the task-side latency visible.
 */
function requestLog(
  logger: Logger,
  isShuttingDown: () => boolean,
  sampleRate: number,
  random: () => number,
): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The ALB sets X-Amzn-Trace-Id on every request; without it (local runs) the line simply has no traceId.
    const traceId = req.get("x-amzn-trace-id") ?? req.get("x-request-id");
    // This request's own id: in every error body (errors.ts), the x-request-id header and this log line.
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    setLogRequestId(requestId);
    res.setHeader("x-request-id", requestId);
    closeConnectionWhenDraining(res, isShuttingDown);
    res.once("close", () => {
      const status = res.headersSent ? res.statusCode : null;
      const aborted = !res.writableFinished;
      if (!aborted && status !== null && status < 500 && !(random() < sampleRate)) return;
      logger.info(
        {
          method: req.method,
          url: req.originalUrl.slice(0, 256),
          // A client that went away before the answer got none: no status rather than the 200 Express starts with.
          status,
          durationMs: Number(process.hrtime.bigint() - started) / 1e6,
          traceId,
          requestId,
          ...(aborted ? { aborted: true } : {}),
        },
        "request",
      );
    });
    next();
  };
}

/**
 * While draining, tell keep-alive clients (the ALB) to send their next request elsewhere. Decided when the response
 * head is written (Node writes it through `writeHead`, also for a bare `end()`), so a request that was already in
 * flight when SIGTERM arrived gets `Connection: close` too, and its socket is not reused while the server closes.
 */
function closeConnectionWhenDraining(res: Response, isShuttingDown: () => boolean): void {
  const writeHead = res.writeHead.bind(res);
  res.writeHead = ((...args: Parameters<typeof writeHead>) => {
    if (isShuttingDown()) res.setHeader("Connection", "close");
    return writeHead(...args);
  }) as typeof writeHead;
}

/**
 * The response headers that matter for a JSON API behind API Gateway, set once per request. helmet's defaults are
 * for HTML pages (CSP, frame, download and cross-origin policies): they protect nothing in a JSON response and cost
 * CPU on every one. `nosniff` stops a browser from reading a JSON body as script or HTML; HSTS keeps clients on
 * HTTPS; `no-store` because a 404 now may be a 200 a second later, and no cache should keep either.
 */
const jsonApiHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  res.setHeader("Cache-Control", "no-store");
  next();
};

/**
 * Rejects what no route reads anyway, before any work: an HTTP/1.1 request without Host (RFC 9112 requires a 400;
 * Node's own answer has no body, so the check is done here), an oversized URL, and any sizeable or chunked body.
 */
const requestLimits: RequestHandler = (req, _res, next) => {
  if (req.headers.host === undefined && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)
    throw new MissingHostError();
  if (Buffer.byteLength(req.originalUrl) > MAX_URL_BYTES) throw new UriTooLongError(MAX_URL_BYTES);
  const declared = Number(req.get("content-length") ?? 0);
  // A chunked body has no declared length: it could be anything, and nothing here reads it.
  if (declared > MAX_BODY_BYTES || req.get("transfer-encoding") !== undefined)
    throw new PayloadTooLargeError(MAX_BODY_BYTES);
  next();
};
