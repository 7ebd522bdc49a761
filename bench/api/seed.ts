/** The bench table: seeded with items exactly as the processor writes them, and the read units one GET costs. */
import { randomUUID } from "node:crypto";
import { BatchWriteItemCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { ReadConsistency } from "../../apps/api/src/read-accounting.js";
import { parseRequestId } from "../../apps/api/src/request-id.js";
import { RequestsTable } from "../../apps/api/src/requests-table.js";
import { buildItem, parseBody, summarize } from "../../apps/processor/src/domain.js";
import { benchBody } from "../../cost/payload.js";
import { createRequestsTable } from "../../kit/emulator-fixtures.js";

export const ITEMS = 1_000;

export const TABLE = "requests-bench";

/** An item exactly as the processor writes it for the pinned bench body. */
export function processedItem(requestId: string, n: number) {
  const body = benchBody(n);
  const parsed = parseBody(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  const result = summarize(parsed.payload, { messageId: requestId, body, signal: new AbortController().signal });
  return buildItem({
    messageId: requestId,
    payload: parsed.payload,
    result,
    sentTimestamp: "1764400000000",
    now: new Date("2026-11-25T08:00:01.250Z"),
  });
}

export async function seed(client: DynamoDBClient): Promise<string[]> {
  await createRequestsTable(client, TABLE);
  const ids = Array.from({ length: ITEMS }, () => randomUUID());
  for (let i = 0; i < ids.length; i += 25) {
    const batch = ids.slice(i, i + 25).map((id, j) => ({ PutRequest: { Item: marshall(processedItem(id, i + j)) } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
  }
  return ids;
}

/**
 * Read units per GET as DynamoDB reports them (ReturnConsumedCapacity) through the api's own read path
 * (apps/api/src/requests-table.ts, in the mode the stack deploys by default): seeded items for hits, fresh ids for
 * misses (a client polling before its result exists).
 */
export async function readUnitsPerGet(
  client: DynamoDBClient,
  ids: string[],
  readConsistency: ReadConsistency,
): Promise<{ readonly hit: number; readonly miss: number }> {
  const table = new RequestsTable(client, TABLE, { readConsistency });
  for (const id of ids.slice(0, 20)) await table.getRequestJson(parseRequestId(id)!, "");
  for (let i = 0; i < 20; i++) await table.getRequestJson(parseRequestId(randomUUID())!, "");
  const { hits, misses } = table.readUnits.snapshot();
  return { hit: hits.units / hits.gets, miss: misses.units / misses.gets };
}
