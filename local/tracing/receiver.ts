import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeOtlpJson, type ReceivedSpan } from "./spans.js";
import { renderWaterfall, tracesFor } from "./waterfall.js";

/**
 * `npm run local`'s trace receiver: an OTLP/HTTP endpoint on loopback that keeps the services' spans in memory and
 * shows them by request id:
 * - POST /v1/traces: what the services' exporters send (OTLP JSON; protobuf is refused with a 415 naming JSON);
 * - GET /traces/<id>: the waterfall of every trace with a span naming that id (a request id, an x-request-id, an
 *   X-Ray or OpenTelemetry trace id), as text; `?format=json` returns the spans instead.
 */
export interface TraceReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** What the services' OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set to. */
  readonly tracesEndpoint: string;
  spans(): readonly ReceivedSpan[];
  /** Every span received since the start, including those dropped from `spans()` (the benches count exports). */
  received(): number;
  close(): Promise<void>;
}

/** The newest spans kept; older ones are dropped first (one developer's session stays far below it). */
const MAX_SPANS = 50_000;
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export async function startTraceReceiver(options: { port?: number; host?: string } = {}): Promise<TraceReceiver> {
  let kept: ReceivedSpan[] = [];
  let received = 0;
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answer(res, 500, `receiver error: ${String(error)}\n`));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method === "POST" && url.pathname === "/v1/traces") {
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim();
      if (type !== "application/json")
        return answer(res, 415, `send OTLP/HTTP JSON (Content-Type application/json), got ${type || "none"}\n`);
      const body = await readBody(req);
      if (body === undefined) return answer(res, 413, `export bodies above ${MAX_BODY_BYTES} bytes are refused\n`);
      let spans: ReceivedSpan[];
      try {
        spans = decodeOtlpJson(body);
      } catch (error) {
        return answer(res, 400, `${(error as Error).message}\n`);
      }
      received += spans.length;
      kept = kept.concat(spans);
      if (kept.length > MAX_SPANS) kept = kept.slice(kept.length - MAX_SPANS);
      return answer(res, 200, "{}", "application/json");
    }
    const lookup = /^\/traces\/([^/]+)$/.exec(url.pathname);
    if (req.method === "GET" && lookup) {
      const id = decodeURIComponent(lookup[1]!);
      const traceIds = tracesFor(kept, id);
      const traces = traceIds.map((t) => kept.filter((s) => s.traceId === t));
      if (url.searchParams.get("format") === "json")
        return answer(res, 200, JSON.stringify(traces), "application/json");
      if (traces.length === 0)
        return answer(res, 404, `no span names ${id} yet (spans arrive about a second after their request ends)\n`);
      return answer(res, 200, traces.map(renderWaterfall).join("\n"));
    }
    answer(res, 404, "POST /v1/traces (OTLP JSON) or GET /traces/<request id or trace id>\n");
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url,
    tracesEndpoint: `${url}/v1/traces`,
    spans: () => kept,
    received: () => received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function answer(res: ServerResponse, status: number, body: string, type = "text/plain; charset=utf-8"): void {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) }).end(body);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
