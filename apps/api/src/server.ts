import { randomUUID } from "node:crypto";
import { STATUS_CODES, createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { errorBody } from "./errors.js";

/**
 * Connection timeouts for running behind an ALB.
 * - keepAliveTimeout above the ALB's 60 s idle timeout, so the ALB (not Node) closes idle connections; the
 *   other way round the ALB can send a request on a socket Node is closing and answer the client with a 502.
 * - headersTimeout above keepAliveTimeout (the long-standing guidance: a lower one could cut idle keep-alive
 *   sockets early on older Node versions), and requestTimeout no lower than headersTimeout (Node requires it).
 */
export const SERVER_TIMEOUTS = {
  keepAliveTimeoutMs: 65_000,
  headersTimeoutMs: 66_000,
  requestTimeoutMs: 66_000,
} as const;

/** Request line + headers. Node's default, made explicit; the ALB allows 16 KiB for the request line alone. */
export const MAX_HEADER_BYTES = 16_384;

/**
 * The Node HTTP server in front of Express. Some requests never reach Express, and Node's own answer to them is a
 * bodyless status line or a dropped socket: those are answered here in the same JSON error shape as every other
 * response (parser errors, `Expect` values other than 100-continue, CONNECT). A missing Host header is left to Express
 * (`requireHostHeader: false`), which rejects it with the shared error handler.
 */
export function createHttpServer(app: RequestListener, logger: Logger): Server {
  const server = createServer(
    {
      keepAliveTimeout: SERVER_TIMEOUTS.keepAliveTimeoutMs,
      headersTimeout: SERVER_TIMEOUTS.headersTimeoutMs,
      requestTimeout: SERVER_TIMEOUTS.requestTimeoutMs,
      maxHeaderSize: MAX_HEADER_BYTES,
      requireHostHeader: false,
    },
    app,
  );
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket, logger));
  server.on("checkExpectation", (req: IncomingMessage, res: ServerResponse) => {
    const requestId = randomUUID();
    logger.info(
      {
        method: req.method,
        url: req.url?.slice(0, 256),
        status: 417,
        expect: req.headers.expect?.slice(0, 64),
        requestId,
      },
      "request",
    );
    const body = errorBody("expectation_failed", "Only `Expect: 100-continue` is supported", requestId);
    res
      .writeHead(417, {
        ...ERROR_HEADERS,
        "x-request-id": requestId,
        "Content-Length": Buffer.byteLength(body),
        Connection: "close",
      })
      .end(body);
  });
  server.on("connect", (req: IncomingMessage, socket: Duplex) => {
    const requestId = randomUUID();
    logger.info({ method: req.method, url: req.url?.slice(0, 256), status: 405, requestId }, "request");
    endWithError(socket, requestId, 405, "method_not_allowed", "Allowed methods: GET, HEAD", { Allow: "GET, HEAD" });
  });
  return server;
}

/** Headers every error response carries (errors.ts sends the same through Express). */
const ERROR_HEADERS = { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" } as const;

/** Requests Node's HTTP parser rejects (Node's default answer is a bodyless 400/431). */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, logger: Logger): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] =
    error.code === "HPE_HEADER_OVERFLOW"
      ? [431, "headers_too_large", `Request line and headers over ${MAX_HEADER_BYTES} bytes are not accepted`]
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "request_timeout", "The request was not received in time"]
        : [400, "bad_request", "Malformed HTTP request"];
  const requestId = randomUUID();
  logger.info({ status, parserError: error.code, requestId }, "rejected by HTTP parser");
  endWithError(socket, requestId, status, code, message);
}

/** Writes a whole JSON error response on a raw socket (no ServerResponse exists here) and closes it. */
function endWithError(
  socket: Duplex,
  requestId: string,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = errorBody(code, message, requestId);
  const lines = Object.entries({
    ...ERROR_HEADERS,
    ...headers,
    "x-request-id": requestId,
    "Content-Length": String(Buffer.byteLength(body)),
    Connection: "close",
  });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.map(([name, value]) => `${name}: ${value}\r\n`).join("")}\r\n${body}`,
  );
}

export function listen(server: Server, port: number, host?: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export type ShutdownOutcome = "drained" | "forced";

/**
 * Stops accepting connections, closes idle keep-alive sockets, lets in-flight requests finish, and after
 * `timeoutMs` cuts whatever is left so the process exits before ECS sends SIGKILL.
 * ECS has already deregistered the task from the ALB target group (and waited out the deregistration delay)
 * before it sends SIGTERM, so refusing new connections here loses no traffic.
 */
export function shutdownGracefully(server: Server, timeoutMs: number): Promise<ShutdownOutcome> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve("drained");
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      resolve("forced");
    }, timeoutMs);
    server.close(() => {
      clearTimeout(deadline);
      resolve("drained");
    });
    // A keep-alive socket that goes idle after its last in-flight response must not hold close() open.
    const sweeper = setInterval(() => server.closeIdleConnections(), 250);
    server.once("close", () => clearInterval(sweeper));
    server.closeIdleConnections();
  });
}
