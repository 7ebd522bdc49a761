/** The bench table: seeded with items exactly as the processor writes them, and the read units one GET costs. */
import { randomUUID } from "node:crypto";
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
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

/** Read units per request: the api's read (strongly consistent GetItem) of seeded items, as DynamoDB reports it. */
export async function readUnitsPerRequest(client: DynamoDBClient, ids: string[]): Promise<number> {
  let units = 0;
  const sample = ids.slice(0, 20);
  for (const id of sample) {
    const out = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { requestId: { S: id } },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    units += out.ConsumedCapacity?.CapacityUnits ?? Number.NaN;
  }
  return units / sample.length;
}
