import { Agent, request } from "node:http";

/**
 * HTTP/1.1 calls to the local backends (the SQS adapter, fauxqs, the api service) over keep-alive connections.
 * node:http rather than fetch: on Node 20, fetch's WHATWG streams cost several times more CPU per call, and the
 * gateway makes two or three such calls per client request in the same event loop as the emulator.
 */
export interface HttpResponse {
  readonly status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export class HttpTimeoutError extends Error {
  override readonly name = "TimeoutError";
}

/**
 * Idle sockets are dropped after 30 s, before any local server closes them (gateway 60 s, SQS adapter and api 65 s,
 * fauxqs 72 s): reusing a socket the server is closing at that moment fails the request with ECONNRESET.
 */
const agent = new Agent({ keepAlive: true, maxSockets: 128, timeout: 30_000 });

export function httpRequest(
  url: string,
  options: {
    readonly method: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly timeoutMs: number;
  },
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body, "utf8");
    const req = request(
      url,
      {
        method: options.method,
        agent,
        headers: { ...options.headers, ...(body ? { "content-length": String(body.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          clearTimeout(timer);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString("utf8") });
        });
        res.on("error", (error) => {
          clearTimeout(timer);
          reject(error);
        });
      },
    );
    const timer = setTimeout(
      () => req.destroy(new HttpTimeoutError(`no response from ${url} within ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    req.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}
