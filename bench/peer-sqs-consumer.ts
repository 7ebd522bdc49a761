/**
 * The peer for bench:processor: `sqs-consumer` 14 (the SQS consumer library most Node users pick) draining the same
 * queue into the same table with the same SQS and DynamoDB client settings as the processor, and writing the same
 * item (the processor's own parse, default hook and item builder) with one conditional PutItem per message.
 *
 *   PEER_MODE=default  as most users write it: default options, `handleMessage` returning the message (deleted one by one)
 *   PEER_MODE=best     batchSize 10 and `handleMessageBatch` (batch deletes), conditional PutItems in parallel inside
 *
 * Env: QUEUE_URL, TABLE_NAME, AWS_REGION, AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_DYNAMODB. Logs nothing per message.
 * Prints `{"msg":"polling started"}` once started and, on SIGTERM, `{"msg":"stopped","counters":{...}}` with the write
 * units DynamoDB reported. Bundled with esbuild and run with plain node by the bench, like the processor.
 */
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Message } from "@aws-sdk/client-sqs";
import { Consumer } from "sqs-consumer";
import { buildItem, parseBody, summarize } from "../apps/processor/src/domain.js";
import { createSqsClient } from "../apps/processor/src/queue.js";
import { createDocumentClient } from "../apps/processor/src/store.js";

const required = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};
const mode = required("PEER_MODE");
if (mode !== "default" && mode !== "best") throw new Error(`PEER_MODE must be "default" or "best" (got "${mode}")`);
const region = required("AWS_REGION");
const tableName = required("TABLE_NAME");
const sqs = createSqsClient({ region, endpoint: required("AWS_ENDPOINT_URL_SQS"), waitTimeSeconds: 20 });
const dynamo = createDocumentClient({ region, endpoint: required("AWS_ENDPOINT_URL_DYNAMODB") });
const counters = { processed: 0, duplicate: 0, failed: 0, writeUnits: 0 };

/** One conditional PutItem; a duplicate counts as done (the message is deleted), anything else throws (redelivery). */
async function store(message: Message): Promise<void> {
  const body = message.Body;
  const parsed = parseBody(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  const result = await summarize(parsed.payload, {
    messageId: message.MessageId!,
    body: body!,
    signal: new AbortController().signal,
  });
  const item = buildItem({
    messageId: message.MessageId!,
    payload: parsed.payload,
    result,
    sentTimestamp: message.Attributes?.SentTimestamp,
    now: new Date(),
  });
  try {
    const out = await dynamo.send(
      new PutCommand({
        TableName: tableName,
        Item: item,
        ConditionExpression: "attribute_not_exists(requestId)",
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    counters.writeUnits += out.ConsumedCapacity?.CapacityUnits ?? 0;
    counters.processed++;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      counters.duplicate++;
      return;
    }
    counters.failed++;
    throw error;
  }
}

const consumer =
  mode === "default"
    ? Consumer.create({
        queueUrl: required("QUEUE_URL"),
        sqs,
        handleMessage: async (message) => {
          await store(message);
          return message;
        },
      })
    : Consumer.create({
        queueUrl: required("QUEUE_URL"),
        sqs,
        batchSize: 10,
        handleMessageBatch: async (messages) => {
          const settled = await Promise.allSettled(messages.map((m) => store(m)));
          return messages.filter((_, i) => settled[i]!.status === "fulfilled");
        },
      });
consumer.on("error", (error) => process.stderr.write(`sqs-consumer error: ${error.message}\n`));
consumer.on("processing_error", (error) => process.stderr.write(`sqs-consumer processing error: ${error.message}\n`));
consumer.start();
process.stdout.write(`${JSON.stringify({ msg: "polling started", mode })}\n`);

process.once("SIGTERM", () => {
  consumer.stop({ abort: true });
  process.stdout.write(`${JSON.stringify({ msg: "stopped", counters })}\n`);
  sqs.destroy();
  dynamo.destroy();
  process.exit(0);
});
