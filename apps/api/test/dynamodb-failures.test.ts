import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DYNAMO_CLIENT_SETTINGS, RequestsTable, createDynamoClient } from "../src/requests-table.js";
import { TEST_REGION, TEST_CREDENTIALS } from "../../../kit/emulator-fixtures.js";
import { type RunningApi, startApi, startDynamoStandIn } from "./helpers.js";

/**
 * Failure modes DynamoDB Local cannot produce (it never throttles, never hangs, never returns a 5xx), answered by a
 * stand-in endpoint (helpers.ts) that speaks just enough of DynamoDB's JSON protocol. The service's own client factory is
 * used, so the retries and time budget under test are the production ones.
 */
type Behaviour = (req: IncomingMessage, res: ServerResponse) => void;

function dynamoError(status: number, type: string): Behaviour {
  return (_req, res) => {
    res.writeHead(status, { "Content-Type": "application/x-amz-json-1.0", "x-amzn-ErrorType": `${type}:` });
    res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: `stand-in ${type}` }));
  };
}

const html =
  (status: number): Behaviour =>
  (_req, res) => {
    res.writeHead(status, { "Content-Type": "text/html" });
    res.end("<html><body>Bad Gateway</body></html>");
  };

/** Accepts the request and never answers (a hung connection). */
const hang: Behaviour = () => {};

let behaviour: Behaviour = hang;
let stand: Awaited<ReturnType<typeof startDynamoStandIn>>;

beforeAll(async () => {
  stand = await startDynamoStandIn((req, res) => behaviour(req, res));
});

afterAll(async () => {
  await stand?.close();
});

let api: RunningApi | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function getOnce(credentials: Parameters<typeof createDynamoClient>[0]["credentials"] = TEST_CREDENTIALS) {
  const client = createDynamoClient({ region: TEST_REGION, endpoint: stand.endpoint, credentials });
  api = await startApi({ requests: new RequestsTable(client, "requests") });
  stand.resetCalls();
  const started = performance.now();
  const response = await fetch(`${api.url}/requests/${randomUUID()}`);
  const elapsedMs = performance.now() - started;
  const body = (await response.json()) as { error: string; message: string };
  client.destroy();
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body, elapsedMs };
}

describe("DynamoDB failures the emulator cannot produce", () => {
  it("throttling: 503 with Retry-After after the SDK's standard retries (3 attempts), well inside the read budget", async () => {
    behaviour = dynamoError(400, "ProvisionedThroughputExceededException");
    const result = await getOnce();
    expect(result).toMatchObject({ status: 503, retryAfter: "1", body: { error: "service_unavailable" } });
    expect(stand.calls()).toBe(DYNAMO_CLIENT_SETTINGS.maxAttempts);
    expect(result.elapsedMs).toBeLessThan(DYNAMO_CLIENT_SETTINGS.readBudgetMs);
  });

  it("a 5xx HTML page from a proxy: retried, then 503 JSON (the page is never passed on)", async () => {
    behaviour = html(502);
    const result = await getOnce();
    expect(result).toMatchObject({ status: 503, body: { error: "service_unavailable" } });
    expect(result.body.message).not.toMatch(/html|Bad Gateway/i);
    expect(stand.calls()).toBe(DYNAMO_CLIENT_SETTINGS.maxAttempts);
  });

  it("a hung connection: 503 when the overall read budget runs out, far below API Gateway's 29 s timeout", async () => {
    behaviour = hang;
    const result = await getOnce();
    expect(result).toMatchObject({ status: 503, retryAfter: "1", body: { error: "service_unavailable" } });
    expect(result.elapsedMs).toBeGreaterThanOrEqual(DYNAMO_CLIENT_SETTINGS.readBudgetMs - 50);
    expect(result.elapsedMs).toBeLessThan(DYNAMO_CLIENT_SETTINGS.readBudgetMs + 1_500);
  });

  it("access denied (our misconfiguration): 500 at once, not retried and not reported as a temporary outage", async () => {
    behaviour = dynamoError(400, "AccessDeniedException");
    const result = await getOnce();
    expect(result).toMatchObject({
      status: 500,
      retryAfter: null,
      body: { error: "internal_error", message: "Internal server error" },
    });
    expect(stand.calls()).toBe(1);
  });

  it("credentials briefly unavailable (the ECS credentials endpoint is down): 503 with Retry-After", async () => {
    behaviour = dynamoError(400, "AccessDeniedException");
    const unavailable = () =>
      Promise.reject(
        Object.assign(new Error("Could not load credentials from the container endpoint"), {
          name: "CredentialsProviderError",
        }),
      );
    const result = await getOnce(unavailable);
    expect(result).toMatchObject({ status: 503, retryAfter: "1", body: { error: "service_unavailable" } });
    expect(stand.calls()).toBe(0);
  });
});
