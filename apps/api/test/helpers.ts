import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { pino, type Logger } from "pino";
import { TEST_CLIENT_CONFIG } from "../../../kit/emulator-fixtures.js";
import { ITEM_MARSHALL_OPTIONS } from "../../shared/src/item-marshalling.js";
import { listenOnLoopback } from "../../../test/support/loopback-server.js";
import { buildApp, type AppDeps } from "../src/app.js";
import { RequestsTable, createDynamoClient } from "../src/requests-table.js";
import { createHttpServer, listen } from "../src/server.js";

/** The api's own test helpers; emulator fixtures and credentials are in kit/, waits and log capture in test/support/. */

/** The service's own client factory (same timeouts/retries as production), pointed at an emulator. */
export function testDynamoClient(endpoint: string): DynamoDBClient {
  return createDynamoClient({ ...TEST_CLIENT_CONFIG, endpoint });
}

/**
 * For test set-up (create/delete table, seed items): SDK defaults, no tight timeouts. A CreateTable on a busy
 * emulator can exceed the service's 2 s per-attempt budget, and a retried CreateTable fails as "preexisting".
 */
export function adminDynamoClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({ ...TEST_CLIENT_CONFIG, endpoint });
}

export function uniqueTableName(prefix: string): string {
  return `api-${prefix}-${randomUUID().slice(0, 8)}`;
}

/** An item written the way the processor writes it (document client marshalling of plain JSON). */
export function processedItem(requestId: string, payload: unknown = { order: 42, note: "héllo ✓" }) {
  return {
    requestId,
    status: "processed",
    payload,
    result: { summary: "ok", keys: 2 },
    receivedAt: "2026-11-25T08:00:00.000Z",
    processedAt: "2026-11-25T08:00:01.250Z",
  };
}

export async function putItem(client: DynamoDBClient, tableName: string, item: Record<string, unknown>): Promise<void> {
  await DynamoDBDocumentClient.from(client, { marshallOptions: ITEM_MARSHALL_OPTIONS }).send(
    new PutCommand({ TableName: tableName, Item: item }),
  );
}

export const silentLogger: Logger = pino({ level: "silent" });

export interface RunningApi {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** buildApp(deps) behind the production server settings, on an ephemeral loopback port. */
export async function startApi(deps: Partial<AppDeps> & Pick<AppDeps, "requests">): Promise<RunningApi> {
  const logger = deps.logger ?? silentLogger;
  const server = createHttpServer(buildApp({ logger, ...deps }), logger);
  const { port } = await listen(server, 0, "127.0.0.1");
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function requestsTable(client: DynamoDBClient, tableName: string): RequestsTable {
  return new RequestsTable(client, tableName);
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * Sends bytes exactly as given over a fresh TCP connection (fetch would normalise `..` and encode the path).
 * Reads the whole response; the request text must carry `Connection: close`.
 */
export function sendRaw(url: string, request: string | Buffer): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    import("node:net").then(({ connect }) => {
      // write, not end: Node aborts a request whose client half-closes (the server default httpAllowHalfOpen=false).
      const socket = connect(Number(port), hostname, () => socket.write(request));
      const chunks: Buffer[] = [];
      socket.on("data", (chunk: Buffer) => chunks.push(chunk));
      socket.on("error", reject);
      socket.on("close", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const [head = "", ...rest] = text.split("\r\n\r\n");
        const [statusLine = "", ...headerLines] = head.split("\r\n");
        const headers = Object.fromEntries(
          headerLines.map((line) => [
            line.slice(0, line.indexOf(":")).toLowerCase(),
            line.slice(line.indexOf(":") + 1).trim(),
          ]),
        );
        resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
      });
    }, reject);
  });
}

export function rawGet(url: string, path: string | Buffer, extraHeaders = "", body = ""): Promise<RawResponse> {
  const head = Buffer.concat([
    Buffer.from("GET "),
    Buffer.isBuffer(path) ? path : Buffer.from(path, "latin1"),
    Buffer.from(` HTTP/1.1\r\nHost: api.test\r\n${extraHeaders}Connection: close\r\n\r\n${body}`),
  ]);
  return sendRaw(url, head);
}

/**
 * A stand-in DynamoDB endpoint for what DynamoDB Local cannot do (throttle, hang, fail with a 5xx, hold a read until
 * the test says so). `answer` is called once per request, after its body has been read.
 */
export async function startDynamoStandIn(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  let calls = 0;
  const server = createServer((req, res) => {
    calls++;
    req.resume();
    req.on("end", () => answer(req, res));
  });
  const { url, close } = await listenOnLoopback(server);
  return { endpoint: url, calls: () => calls, resetCalls: () => (calls = 0), close };
}
