import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RequestsTable } from "../src/requests-table.js";
import {
  adminDynamoClient,
  processedItem,
  putItem,
  startApi,
  testDynamoClient,
  uniqueTableName,
  type RunningApi,
} from "./helpers.js";
import { createRequestsTable, deleteTable } from "../../../kit/emulator-fixtures.js";

/** Results past their expiry read as absent, whether or not DynamoDB TTL has deleted them yet (DynamoDB Local). */

const NOW_MS = Date.parse("2026-12-01T12:00:00Z");
const NOW_S = NOW_MS / 1_000;
const ids = {
  expired: randomUUID(),
  expiresThisSecond: randomUUID(),
  live: randomUUID(),
  noExpiry: randomUUID(),
  textExpiry: randomUUID(),
};
const tableName = uniqueTableName("expiry");
let client: DynamoDBClient;
let admin: DynamoDBClient;
let withTtl: RunningApi;
let withoutTtl: RunningApi;

beforeAll(async () => {
  client = testDynamoClient(inject("dynamoEndpoint"));
  admin = adminDynamoClient(inject("dynamoEndpoint"));
  await createRequestsTable(admin, tableName);
  // Items as the processor writes them; the emulator never deletes the expired one, as AWS may not for days.
  await putItem(admin, tableName, { ...processedItem(ids.expired), expiresAt: NOW_S - 1 });
  await putItem(admin, tableName, { ...processedItem(ids.expiresThisSecond), expiresAt: NOW_S });
  await putItem(admin, tableName, { ...processedItem(ids.live), expiresAt: NOW_S + 1 });
  await putItem(admin, tableName, processedItem(ids.noExpiry));
  await putItem(admin, tableName, { ...processedItem(ids.textExpiry), expiresAt: String(NOW_S - 1) });
  const clock = { now: () => NOW_MS };
  withTtl = await startApi({ requests: new RequestsTable(client, tableName, { ttlAttribute: "expiresAt", ...clock }) });
  withoutTtl = await startApi({ requests: new RequestsTable(client, tableName, clock) });
});

afterAll(async () => {
  await withTtl?.close();
  await withoutTtl?.close();
  await deleteTable(admin, tableName);
  client?.destroy();
  admin?.destroy();
});

const get = async (api: RunningApi, id: string) => {
  const response = await fetch(`${api.url}/requests/${id}`);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe("api: expired results", () => {
  it("expiry: an item at or past its expiry answers 404 not_found, like an id that never existed", async () => {
    for (const id of [ids.expired, ids.expiresThisSecond]) {
      const { status, body } = await get(withTtl, id);
      expect(status).toBe(404);
      expect(body).toEqual({
        error: "not_found",
        message: `No request with id ${id}: it may still be queued or processing, or its result has expired`,
        requestId: expect.any(String),
      });
    }
  });

  it("expiry: an item before its expiry answers 200 with the expiry in it; one without the attribute never expires", async () => {
    expect(await get(withTtl, ids.live)).toEqual({
      status: 200,
      body: { ...processedItem(ids.live), expiresAt: NOW_S + 1 },
    });
    expect((await get(withTtl, ids.noExpiry)).status).toBe(200);
  });

  it("expiry: an expiry that is not a number is ignored, as DynamoDB TTL ignores it", async () => {
    expect((await get(withTtl, ids.textExpiry)).status).toBe(200);
  });

  it("expiry: without a TTL attribute configured, the same expired item is served", async () => {
    expect((await get(withoutTtl, ids.expired)).status).toBe(200);
  });
});
