import { randomUUID } from "node:crypto";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RequestsTable, type RequestsTableOptions } from "../src/requests-table.js";
import { parseRequestId, type RequestId } from "../src/request-id.js";
import { adminDynamoClient, processedItem, putItem, testDynamoClient, uniqueTableName } from "./helpers.js";
import { createRequestsTable, deleteTable } from "../../../kit/emulator-fixtures.js";

/**
 * What each GET reads and what DynamoDB bills for it (ReturnConsumedCapacity, DynamoDB Local), per read mode. A
 * replica that has not seen a write yet cannot be produced by the emulator: `laggingReplica` hides the item from
 * eventually consistent reads of the real client, as such a replica would.
 */

const STORED = randomUUID();
const MISSING = randomUUID();
const tableName = uniqueTableName("reads");
let admin: DynamoDBClient;
const clients: DynamoDBClient[] = [];

beforeAll(async () => {
  admin = adminDynamoClient(inject("dynamoEndpoint"));
  await createRequestsTable(admin, tableName);
  await putItem(admin, tableName, processedItem(STORED));
});

afterAll(async () => {
  await deleteTable(admin, tableName);
  for (const client of clients) client.destroy();
  admin?.destroy();
});

function table(options: RequestsTableOptions, laggingReplica = false): RequestsTable {
  const client = testDynamoClient(inject("dynamoEndpoint"));
  clients.push(client);
  const consistentReads: boolean[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const input = args.input as { ConsistentRead?: boolean };
      consistentReads.push(input.ConsistentRead === true);
      const result = await next(args);
      if (laggingReplica && input.ConsistentRead !== true) delete (result.output as { Item?: unknown }).Item;
      return result;
    },
    { step: "initialize", name: "recordReads" },
  );
  return Object.assign(new RequestsTable(client, tableName, options), { consistentReads });
}

const requestId = (id: string): RequestId => parseRequestId(id)!;
const readsOf = (t: RequestsTable) => (t as RequestsTable & { consistentReads: boolean[] }).consistentReads;

describe("api: reads by mode", () => {
  it("eventual_first: a hit is one eventually consistent read, half a unit", async () => {
    const reads = table({ readConsistency: "eventual_first" });
    expect(await reads.getRequestJson(requestId(STORED), "")).toContain(STORED);
    expect(readsOf(reads)).toEqual([false]);
    expect(reads.readUnits.snapshot()).toEqual({ hits: { gets: 1, units: 0.5 }, misses: { gets: 0, units: 0 } });
  });

  it("eventual_first: a miss is retried strongly consistent, one and a half units in all", async () => {
    const reads = table({ readConsistency: "eventual_first" });
    expect(await reads.getRequestJson(requestId(MISSING), "")).toBeUndefined();
    expect(readsOf(reads)).toEqual([false, true]);
    expect(reads.readUnits.snapshot()).toEqual({ hits: { gets: 0, units: 0 }, misses: { gets: 1, units: 1.5 } });
  });

  it("eventual_first: an item a lagging replica has not seen yet is found by the strongly consistent retry", async () => {
    const reads = table({ readConsistency: "eventual_first" }, true);
    expect(await reads.getRequestJson(requestId(STORED), "")).toContain(STORED);
    expect(readsOf(reads)).toEqual([false, true]);
    expect(reads.readUnits.snapshot().hits).toEqual({ gets: 1, units: 1.5 });
  });

  it("strong: every GET is one strongly consistent read, one unit, hit or miss", async () => {
    const reads = table({ readConsistency: "strong" });
    expect(await reads.getRequestJson(requestId(STORED), "")).toContain(STORED);
    expect(await reads.getRequestJson(requestId(MISSING), "")).toBeUndefined();
    expect(readsOf(reads)).toEqual([true, true]);
    expect(reads.readUnits.snapshot()).toEqual({ hits: { gets: 1, units: 1 }, misses: { gets: 1, units: 1 } });
  });
});
