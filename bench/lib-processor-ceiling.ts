/**
 * Ceiling loops for bench/processor.bench.ts, run as a child process so they get the same conditions as the processor
 * (own process, same concurrency, same emulators). Prints one JSON line: { mode, messages, seconds, perSecond, cpuSeconds }
 * (the loop's own CPU time: the bench cannot read it from /proc once this process has exited), and for the write
 * modes the write units DynamoDB Local reported (`writeUnitsReported`) and AWS's formula for the same items
 * (`writeUnitsFormula`: they differ for transactions, which DynamoDB Local under-reports).
 *
 *   CEILING_MODE=sqs          POLL_CONCURRENCY loops of ReceiveMessage(10) + DeleteMessageBatch until the queue is empty
 *   CEILING_MODE=batch-write  POLL_CONCURRENCY loops of BatchWriteItem(25 items), unprocessed items retried with backoff
 *   CEILING_MODE=put          POLL_CONCURRENCY x 10 conditional PutItems in flight (the processor's write pattern)
 *   CEILING_MODE=transact     POLL_CONCURRENCY loops of TransactWriteItems(10 conditional puts)
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { buildItem, parseBody, summarize } from "../apps/processor/src/domain.js";
import { itemSizeBytes, transactWriteUnits, writeUnits } from "../cost/capacity.js";
import { benchBody } from "../cost/payload.js";
import { ownCpuSeconds } from "./shared/proc.js";
import { ITEM_MARSHALL_OPTIONS } from "../apps/shared/src/item-marshalling.js";

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const mode = env("CEILING_MODE");
const concurrency = Number(process.env.POLL_CONCURRENCY ?? 4);
const region = process.env.AWS_REGION ?? "us-east-1";
/** Items per TransactWriteItems (the processor sends one SQS batch, up to 10). */
const group = Number(process.env.CEILING_GROUP ?? 10);

async function main(): Promise<void> {
  const started = performance.now();
  // From here, not from process start: tsx's start-up is not part of the loop's cost.
  const cpuAtStart = ownCpuSeconds();
  const count = mode === "sqs" ? await sqsCeiling() : await dynamoCeiling(mode);
  const seconds = (performance.now() - started) / 1_000;
  const cpuSeconds = ownCpuSeconds() - cpuAtStart;
  process.stdout.write(
    `${JSON.stringify({ mode, messages: count, seconds, perSecond: count / seconds, cpuSeconds, ...units })}\n`,
  );
}

async function sqsCeiling(): Promise<number> {
  const sqs = new SQSClient({ region, endpoint: env("AWS_ENDPOINT_URL_SQS") });
  const queueUrl = env("QUEUE_URL");
  let deleted = 0;
  const loop = async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 0,
          MessageSystemAttributeNames: ["SentTimestamp", "ApproximateReceiveCount"],
        }),
      );
      if (Messages.length === 0) return;
      const response = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
      deleted += response.Successful?.length ?? 0;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return deleted;
}

const units = { writeUnitsReported: 0, writeUnitsFormula: 0 };

async function dynamoCeiling(kind: string): Promise<number> {
  // Marshalled as the processor marshals its items, so the ceilings compare write paths like for like.
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region, endpoint: env("AWS_ENDPOINT_URL_DYNAMODB") }), {
    marshallOptions: ITEM_MARSHALL_OPTIONS,
  });
  const tableName = env("TABLE_NAME");
  const total = Number(env("CEILING_ITEMS"));
  let next = 0;
  // Items shaped like the processor's (same payload size, summary result).
  const take = (n: number) => {
    const items = [];
    while (items.length < n && next < total) {
      const i = next++;
      const body = benchBody(i);
      const parsed = parseBody(body);
      if (!parsed.ok) throw new Error(parsed.reason);
      const result = summarize(parsed.payload, { messageId: `c-${i}`, body, signal: new AbortController().signal });
      // A UUID-length id, as SQS MessageIds are, so the items are the processor's size.
      const item = buildItem({
        messageId: `${kind}-${String(i).padStart(12, "0")}-0000-0000-0000-0000000`,
        payload: parsed.payload,
        result,
        sentTimestamp: String(Date.now()),
        now: new Date(),
      });
      units.writeUnitsFormula += (kind === "transact" ? transactWriteUnits : writeUnits)(itemSizeBytes(item));
      items.push(item);
    }
    return items;
  };
  const condition = "attribute_not_exists(requestId)";
  const loops: Record<string, () => Promise<void>> = {
    "batch-write": async () => {
      for (let items = take(25); items.length > 0; items = take(25)) {
        let requests = items.map((Item) => ({ PutRequest: { Item } }));
        for (let attempt = 1; requests.length > 0; attempt++) {
          const response = await doc.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests }, ReturnConsumedCapacity: "TOTAL" }),
          );
          units.writeUnitsReported += response.ConsumedCapacity?.[0]?.CapacityUnits ?? 0;
          requests = (response.UnprocessedItems?.[tableName] ?? []) as typeof requests;
          if (requests.length > 0) await new Promise((r) => setTimeout(r, Math.min(1_000, 25 * 2 ** attempt)));
        }
      }
    },
    put: async () => {
      for (let items = take(1); items.length > 0; items = take(1)) {
        const response = await doc.send(
          new PutCommand({
            TableName: tableName,
            Item: items[0],
            ConditionExpression: condition,
            ReturnConsumedCapacity: "TOTAL",
          }),
        );
        units.writeUnitsReported += response.ConsumedCapacity?.CapacityUnits ?? 0;
      }
    },
    transact: async () => {
      for (let items = take(group); items.length > 0; items = take(group)) {
        const response = await doc.send(
          new TransactWriteCommand({
            TransactItems: items.map((Item) => ({
              Put: { TableName: tableName, Item, ConditionExpression: condition },
            })),
            ReturnConsumedCapacity: "TOTAL",
          }),
        );
        units.writeUnitsReported += response.ConsumedCapacity?.reduce((n, c) => n + (c.CapacityUnits ?? 0), 0) ?? 0;
      }
    },
  };
  const loop = loops[kind];
  if (!loop) throw new Error(`unknown CEILING_MODE ${kind}`);
  // Conditional puts run one per slot, so give them the processor's in-flight count (loops x batch of 10).
  const slots = kind === "put" ? concurrency * 10 : concurrency;
  await Promise.all(Array.from({ length: slots }, loop));
  return total;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
