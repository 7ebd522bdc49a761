import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { RequestsReader } from "../src/requests-table.js";
import {
  type RunningApi,
  adminDynamoClient,
  processedItem,
  putItem,
  rawGet,
  sendRaw,
  requestsTable,
  startApi,
  testDynamoClient,
  uniqueTableName,
  type RawResponse,
} from "./helpers.js";
import { captureLogger } from "../../../test/support/capture-logger.js";
import { createRequestsTable, deleteTable } from "../../../kit/emulator-fixtures.js";

const STORED_ID = randomUUID();
const tableName = uniqueTableName("requests");
let client: DynamoDBClient;
let admin: DynamoDBClient;
let api: RunningApi;
const logs = captureLogger({ base: { service: "api" } });

beforeAll(async () => {
  client = testDynamoClient(inject("dynamoEndpoint"));
  admin = adminDynamoClient(inject("dynamoEndpoint"));
  await createRequestsTable(admin, tableName);
  await putItem(admin, tableName, processedItem(STORED_ID));
  api = await startApi({ requests: requestsTable(client, tableName), logger: logs.logger });
});

afterAll(async () => {
  await api?.close();
  await deleteTable(admin, tableName);
  client?.destroy();
  admin?.destroy();
});

async function getJson(path: string, init?: RequestInit) {
  const response = await fetch(`${api.url}${path}`, init);
  const text = await response.text();
  return { response, text, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

/** expectJsonError for a raw socket response, whose body is text. */
function expectRawJsonError(response: RawResponse, status: number, code: string, message: string | RegExp) {
  expectJsonError(response, JSON.parse(response.body), status, code, message);
}

/** Every error, from any layer, has this shape and is JSON; `message` is the text a client shows its user. */
function expectJsonError(
  response: Response | { status: number; headers: Record<string, string> },
  body: unknown,
  status: number,
  code: string,
  message: string | RegExp,
) {
  expect(response.status).toBe(status);
  const contentType =
    response.headers instanceof Headers ? response.headers.get("content-type") : response.headers["content-type"];
  expect(contentType).toMatch(/^application\/json/);
  // A 404 now may be a 200 in a second (the item is still being processed): no cache may keep any error.
  const cacheControl =
    response.headers instanceof Headers ? response.headers.get("cache-control") : response.headers["cache-control"];
  expect(cacheControl).toBe("no-store");
  // Every error body names the request, like the gateway's own errors; the same id is its header and log line's.
  const requestId =
    response.headers instanceof Headers ? response.headers.get("x-request-id") : response.headers["x-request-id"];
  expect(requestId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  expect(body).toEqual({
    error: code,
    message: typeof message === "string" ? message : expect.stringMatching(message),
    requestId,
  });
}

describe("GET /requests/:requestId against DynamoDB Local", () => {
  it("GET /requests/:id: returns 200 with the item exactly as the processor wrote it", async () => {
    const { response, text, body } = await getJson(`/requests/${STORED_ID}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("content-length")).toBe(String(Buffer.byteLength(text)));
    expect(body).toEqual(processedItem(STORED_ID));
  });

  it("GET /requests/:id: finds the item when the id is given in upper case (ids are normalised to lower case)", async () => {
    const { response, body } = await getJson(`/requests/${STORED_ID.toUpperCase()}`);
    expect(response.status).toBe(200);
    expect(body?.requestId).toBe(STORED_ID);
  });

  it("GET /requests/:id: returns 404 JSON when the item does not exist", async () => {
    const missing = randomUUID();
    const { response, body } = await getJson(`/requests/${missing}`);
    expectJsonError(
      response,
      body,
      404,
      "not_found",
      `No request with id ${missing}: it may still be queued or processing, or its result has expired`,
    );
    expect(body?.message).toContain(missing);
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("GET /requests/:id: keeps integers beyond 2^53, long decimals and nested payloads byte-exact", async () => {
    const id = randomUUID();
    // Written in wire format so the stored numbers are exactly these strings (JS numbers would round first).
    const { PutItemCommand } = await import("@aws-sdk/client-dynamodb");
    await admin.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          requestId: { S: id },
          status: { S: "processed" },
          payload: {
            M: {
              big: { N: "123456789012345678901234567890" },
              precise: { N: "0.1000000000000000055511151231257827" },
              list: { L: [{ NULL: true }, { BOOL: false }, { S: '\u2028"</script>' }] },
            },
          },
        },
      }),
    );
    const { response, text } = await getJson(`/requests/${id}`);
    expect(response.status).toBe(200);
    expect(text).toContain('"big":123456789012345678901234567890');
    expect(text).toContain('"precise":0.1000000000000000055511151231257827');
    expect(JSON.parse(text).payload.list).toEqual([null, false, '\u2028"</script>']);
  });

  it("GET /requests/:id: round-trips any JSON object payload the processor can store (property)", async () => {
    // DynamoDB numbers: 38 significant digits, magnitude 1e-130..1e126; doubles within that range always fit.
    const number = fc.oneof(
      fc.integer(),
      // Unsafe integers (>= 2^53) are left out: the document client refuses to marshall them.
      fc
        .double({ min: -1e100, max: 1e100, noNaN: true, noDefaultInfinity: true })
        .filter((x) => (x === 0 || Math.abs(x) > 1e-100) && (!Number.isInteger(x) || Number.isSafeInteger(x))),
    );
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: "small", maxDepth: 3 },
        fc.string(),
        number,
        fc.boolean(),
        fc.constant(null),
        tie("array"),
        tie("object"),
      ),
      array: fc.array(tie("value"), { maxLength: 4 }),
      // Plain objects, as JSON.parse makes them: fast-check otherwise also makes null-prototype ones, which the
      // document client refuses to marshall (a test flake, not a payload the processor can ever store). Keys such as
      // "constructor" stay in (fast-check favours them); "__proto__" is a key the processor refuses.
      object: fc.dictionary(
        fc.string({ minLength: 1 }).filter((key) => key !== "__proto__"),
        tie("value"),
        { maxKeys: 4, noNullPrototype: true },
      ),
    }));
    await fc.assert(
      fc.asyncProperty(json.object, async (payload) => {
        const id = randomUUID();
        await putItem(admin, tableName, processedItem(id, payload));
        const { response, body } = await getJson(`/requests/${id}`);
        expect(response.status).toBe(200);
        // JSON.stringify/parse: -0 travels as 0, which is what any JSON client sees too.
        expect(body?.payload).toEqual(JSON.parse(JSON.stringify(payload)));
      }),
      // The first counterexample fast-check found: a key the marshaller took for a class instance's.
      { numRuns: 40, examples: [[{ constructor: [] }]] },
    );
  });

  it("GET /requests/:id: answers HEAD like GET, without a body", async () => {
    const response = await fetch(`${api.url}/requests/${STORED_ID}`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });
});

describe("GET /requests/:requestId: rejects ids that are not UUIDs with 400 JSON, before DynamoDB", () => {
  const notUuids: [string, string][] = [
    ["empty (trailing slash)", "/requests/"],
    ["no id segment", "/requests"],
    ["one character short", `/requests/${STORED_ID.slice(0, -1)}`],
    ["one character long", `/requests/${STORED_ID}0`],
    ["far too long", `/requests/${"a".repeat(1_500)}`],
    ["uuid without dashes", `/requests/${STORED_ID.replaceAll("-", "")}`],
    ["braced uuid", `/requests/%7B${STORED_ID}%7D`],
    ["non-hex letters", "/requests/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"],
    ["encoded traversal", "/requests/..%2F..%2Fetc%2Fpasswd"],
    ["encoded dot-dot", "/requests/%2e%2e"],
    ["encoded NUL", `/requests/${STORED_ID.slice(0, -1)}%00`],
    ["encoded newline (log forging)", `/requests/${STORED_ID}%0A%7B%22level%22%3A%22fatal%22%7D`],
    [
      "fullwidth digits (unicode look-alikes)",
      `/requests/${encodeURIComponent("３f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c9０")}`,
    ],
    ["emoji", `/requests/${encodeURIComponent("😀".repeat(9))}`],
    ["arabic-indic digits", `/requests/${encodeURIComponent("٣".repeat(8))}-5d7a-4e0f-9b6c-2a1d4e8f7c90`],
    ["SQL injection", `/requests/${encodeURIComponent("' OR '1'='1' --")}`],
    ["PartiQL injection", `/requests/${encodeURIComponent(`${STORED_ID}' OR requestId <> '`)}`],
    ["NoSQL operator object", `/requests/${encodeURIComponent('{"$ne":null}')}`],
    ["prototype key", "/requests/__proto__"],
    ["dot-dot segment", "/requests/.."],
    ["readiness probe key", "/requests/readiness-probe"],
  ];

  it.each(notUuids)("GET /requests/:id: returns 400 invalid_request_id for %s", async (_name, path) => {
    const response = await rawGet(api.url, path);
    expectRawJsonError(
      response,
      400,
      "invalid_request_id",
      "requestId must be a UUID such as 3f2b8c1e-5d7a-4e0f-9b6c-2a1d4e8f7c90",
    );
    expect(response.body).not.toContain("fatal");
  });

  it("GET /requests/:id: returns 400 bad_request JSON for raw (unencoded) UTF-8 bytes in the path (HTTP parser)", async () => {
    const response = await rawGet(api.url, Buffer.from(`/requests/${"é".repeat(18)}`, "utf8"));
    expectRawJsonError(response, 400, "bad_request", "Malformed HTTP request");
  });

  it("GET /requests/:id: returns 400 bad_request JSON for malformed percent-encoding", async () => {
    const response = await rawGet(api.url, "/requests/%E0%A4%A");
    expectRawJsonError(response, 400, "bad_request", "Malformed request");
  });

  it("GET /requests/:id: never reads DynamoDB for an invalid id", async () => {
    let reads = 0;
    const counting: RequestsReader = {
      getRequestJson: () => {
        reads += 1;
        return Promise.resolve(undefined);
      },
      ping: () => Promise.resolve(),
    };
    const isolated = await startApi({ requests: counting });
    try {
      for (const [, path] of notUuids) await rawGet(isolated.url, path);
      expect(reads).toBe(0);
    } finally {
      await isolated.close();
    }
  });
});

describe("routes, methods and limits", () => {
  it.each([
    "/",
    "/request/abc",
    `/requests/${STORED_ID}/extra`,
    "/HEALTH",
    `/REQUESTS/${STORED_ID}`,
    "/index.html",
    "/%2e%2e/etc/passwd",
    "/../../etc/passwd",
  ])("unknown route %s: returns 404 route_not_found JSON", async (path) => {
    const response = await rawGet(api.url, path);
    expectRawJsonError(response, 404, "route_not_found", "No such route");
  });

  it.each(["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])(
    "%s on /requests/:id: returns 405 JSON with Allow: GET, HEAD",
    async (method) => {
      const { response, body } = await getJson(`/requests/${STORED_ID}`, { method });
      expectJsonError(response, body, 405, "method_not_allowed", "Allowed methods: GET, HEAD");
      expect(response.headers.get("allow")).toBe("GET, HEAD");
    },
  );

  it("POST /health: returns 405 JSON (known route, wrong method)", async () => {
    const { response, body } = await getJson("/health", { method: "POST" });
    expectJsonError(response, body, 405, "method_not_allowed", /^Allowed methods: GET/);
  });

  it("a URL over 2 KiB: returns 414 uri_too_long JSON", async () => {
    const { response, body } = await getJson(`/requests/${STORED_ID}?pad=${"x".repeat(3_000)}`);
    expectJsonError(response, body, 414, "uri_too_long", "URLs over 2048 bytes are not accepted");
  });

  it("a URL over 16 KiB: returns 431 JSON from the HTTP parser (never Node's empty default)", async () => {
    const response = await rawGet(api.url, `/requests/${"a".repeat(20_000)}`);
    expectRawJsonError(
      response,
      431,
      "headers_too_large",
      "Request line and headers over 16384 bytes are not accepted",
    );
  });

  it("headers over 16 KiB: returns 431 headers_too_large JSON", async () => {
    const response = await rawGet(api.url, "/health", `X-Padding: ${"p".repeat(17_000)}\r\n`);
    expectRawJsonError(
      response,
      431,
      "headers_too_large",
      "Request line and headers over 16384 bytes are not accepted",
    );
  });

  it("many small headers adding up over 16 KiB: returns 431 JSON", async () => {
    const headers = Array.from({ length: 400 }, (_, i) => `X-H${i}: ${"v".repeat(40)}\r\n`).join("");
    const response = await rawGet(api.url, "/health", headers);
    expectRawJsonError(
      response,
      431,
      "headers_too_large",
      "Request line and headers over 16384 bytes are not accepted",
    );
  });

  it("a request that is not HTTP: returns 400 bad_request JSON", async () => {
    const response = await sendRaw(api.url, "HELLO THERE\r\n\r\n");
    expectRawJsonError(response, 400, "bad_request", "Malformed HTTP request");
  });

  it("an HTTP/1.1 request without a Host header: returns 400 bad_request JSON (Node's own answer has no body)", async () => {
    const response = await sendRaw(api.url, "GET /health HTTP/1.1\r\nConnection: close\r\n\r\n");
    expectRawJsonError(response, 400, "bad_request", "HTTP/1.1 requests must carry a Host header");
  });

  it("an HTTP/1.0 request without a Host header: is served (Host is optional in HTTP/1.0)", async () => {
    const response = await sendRaw(api.url, `GET /requests/${STORED_ID} HTTP/1.0\r\n\r\n`);
    expect(response.status).toBe(200);
  });

  it("an Expect header other than 100-continue: returns 417 expectation_failed JSON", async () => {
    const response = await rawGet(api.url, `/requests/${STORED_ID}`, "Expect: something-else\r\n");
    expectRawJsonError(response, 417, "expectation_failed", "Only `Expect: 100-continue` is supported");
  });

  it("CONNECT: returns 405 JSON with Allow instead of dropping the connection", async () => {
    const response = await sendRaw(api.url, "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    expectRawJsonError(response, 405, "method_not_allowed", "Allowed methods: GET, HEAD");
    expect(response.headers.allow).toBe("GET, HEAD");
  });

  it("a request body over 1 KiB: returns 413 payload_too_large JSON and closes the connection", async () => {
    const body = "x".repeat(5_000);
    const response = await rawGet(
      api.url,
      `/requests/${STORED_ID}`,
      `Content-Type: text/plain\r\nContent-Length: ${body.length}\r\n`,
      body,
    );
    expectRawJsonError(response, 413, "payload_too_large", "Request bodies over 1024 bytes are not accepted");
    expect(response.headers.connection).toBe("close");
  });

  it("a chunked request body (size unknown): returns 413 payload_too_large JSON", async () => {
    const response = await rawGet(
      api.url,
      `/requests/${STORED_ID}`,
      "Transfer-Encoding: chunked\r\n",
      "5\r\nhello\r\n0\r\n\r\n",
    );
    expectRawJsonError(response, 413, "payload_too_large", "Request bodies over 1024 bytes are not accepted");
  });

  it("a small request body (e.g. `{}` on GET): is ignored and the item is returned", async () => {
    const response = await rawGet(
      api.url,
      `/requests/${STORED_ID}`,
      "Content-Type: application/json\r\nContent-Length: 2\r\n",
      "{}",
    );
    expect(response.status).toBe(200);
  });

  it("every response carries only the headers a JSON API needs (nosniff, HSTS, no-store), none of helmet's HTML ones, and no X-Powered-By", async () => {
    for (const path of [`/requests/${STORED_ID}`, `/requests/${randomUUID()}`, "/health", "/nowhere"]) {
      const response = await fetch(`${api.url}${path}`);
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(response.headers.get("x-powered-by")).toBeNull();
      for (const html of [
        "content-security-policy",
        "x-frame-options",
        "x-download-options",
        "cross-origin-opener-policy",
        "origin-agent-cluster",
        "x-xss-protection",
      ]) {
        expect(response.headers.get(html)).toBeNull();
      }
    }
  });
});

describe("health and readiness", () => {
  const explodingReader: RequestsReader = {
    getRequestJson: () => Promise.reject(new Error("DynamoDB must not be called")),
    ping: () => Promise.reject(new Error("DynamoDB must not be called")),
  };

  it("GET /health: returns 200 without touching DynamoDB", async () => {
    const isolated = await startApi({ requests: explodingReader });
    try {
      const response = await fetch(`${isolated.url}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
    } finally {
      await isolated.close();
    }
  });

  it("GET /ready: returns 200 when the table answers", async () => {
    const { response, body } = await getJson("/ready");
    expect(response.status).toBe(200);
    expect(body).toEqual({ status: "ready" });
  });

  it("GET /ready: returns 503 JSON with Retry-After when the table cannot be read", async () => {
    const isolated = await startApi({ requests: explodingReader });
    try {
      const response = await fetch(`${isolated.url}/ready`);
      expectJsonError(
        response,
        await response.json(),
        503,
        "service_unavailable",
        /^The data store is (unavailable; retry later|not usable by this instance)$/,
      );
      expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
    } finally {
      await isolated.close();
    }
  });

  it("GET /requests/:id: returns 500 internal_error JSON without a stack trace when the table does not exist", async () => {
    const misconfigured = await startApi({ requests: requestsTable(client, "no-such-table") });
    try {
      const response = await fetch(`${misconfigured.url}/requests/${STORED_ID}`);
      const text = await response.text();
      expectJsonError(response, JSON.parse(text), 500, "internal_error", "Internal server error");
      expect(text).not.toMatch(/at |ResourceNotFound|no-such-table/);
    } finally {
      await misconfigured.close();
    }
  });
});

describe("request logs", () => {
  it("writes one JSON log line per request with method, url, status and latency", async () => {
    const id = randomUUID();
    await fetch(`${api.url}/requests/${id}`, {
      headers: { "X-Amzn-Trace-Id": "Root=1-67891233-abcdef012345678912345678" },
    });
    // The line is written on the response's "close" event, which can trail the client's read by a tick.
    await new Promise((resolve) => setImmediate(resolve));
    const line = logs.lines.filter((entry) => entry.url === `/requests/${id}`);
    expect(line).toHaveLength(1);
    expect(line[0]).toMatchObject({
      msg: "request",
      method: "GET",
      status: 404,
      durationMs: expect.any(Number),
      traceId: "Root=1-67891233-abcdef012345678912345678",
    });
  });
});
