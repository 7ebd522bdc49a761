import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DynamoDbLocal, startDynamoDbLocal } from "../../../local/dynamodb-local.js";
import {
  type RunningApi,
  adminDynamoClient,
  processedItem,
  putItem,
  requestsTable,
  startApi,
  testDynamoClient,
} from "./helpers.js";
import { createRequestsTable } from "../../../kit/emulator-fixtures.js";

// Its own DynamoDB Local (with a data directory, so the item survives the restart): stopping the shared one
// would break every other test file.
const ID = randomUUID();
const TABLE = "requests-outage";
let dataDir: string;
let dynamo: DynamoDbLocal;
let client: DynamoDBClient;
let api: RunningApi;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "api-outage-"));
  dynamo = await startDynamoDbLocal({ dataDir });
  client = testDynamoClient(dynamo.endpoint);
  const admin = adminDynamoClient(dynamo.endpoint);
  await createRequestsTable(admin, TABLE);
  await putItem(admin, TABLE, processedItem(ID));
  admin.destroy();
  api = await startApi({ requests: requestsTable(client, TABLE) });
});

afterAll(async () => {
  await api?.close();
  client?.destroy();
  await dynamo?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("DynamoDB outage", () => {
  it("GET /requests/:id: returns 200 while DynamoDB is up", async () => {
    expect((await fetch(`${api.url}/requests/${ID}`)).status).toBe(200);
  });

  it("GET /requests/:id: returns 503 JSON with Retry-After once the SDK's retries are spent, while DynamoDB is down", async () => {
    await dynamo.stop();
    const response = await fetch(`${api.url}/requests/${ID}`);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: "service_unavailable",
      message: expect.any(String),
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at /);
  });

  it("GET /health: still returns 200 while DynamoDB is down (the ALB must not pull every task at once)", async () => {
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
  });

  it("GET /ready: returns 503 while DynamoDB is down", async () => {
    const response = await fetch(`${api.url}/ready`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({ error: "service_unavailable" });
  });

  it("GET /requests/:id: recovers to 200 with the same item as soon as DynamoDB is back (no restart of the service)", async () => {
    await dynamo.start();
    const response = await fetch(`${api.url}/requests/${ID}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(processedItem(ID));
    expect((await fetch(`${api.url}/ready`)).status).toBe(200);
  });
});
