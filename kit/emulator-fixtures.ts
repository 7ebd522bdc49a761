/**
 * Emulator fixtures shared by the tests and the benches (kit/: no test framework here, so `bench/` can use it
 * without importing test code): the credentials and region every client of the local emulators uses, the results
 * table as the main stack declares it, and a queue with a real redrive policy to its own DLQ, with sending, depth
 * and scans. Test-only helpers (waits, log capture, expect-based checks) are in test/support/.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { randomUUID } from "node:crypto";

/** The region of every emulator client in tests and benches. */
export const TEST_REGION = "us-east-1";
/** Dummy credentials for the emulators (DynamoDB Local runs with a shared database, so any key sees every table). */
export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" } as const;
/** Region and credentials, as an AWS SDK client's configuration takes them (add the emulator's `endpoint`). */
export const TEST_CLIENT_CONFIG = { region: TEST_REGION, credentials: TEST_CREDENTIALS } as const;
/** The same, as the environment of a spawned service process. */
export const TEST_CREDENTIALS_ENV = {
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
  AWS_REGION: TEST_REGION,
} as const;

export interface Emulators {
  readonly sqsEndpoint: string;
  readonly dynamoEndpoint: string;
}

/** Anything that can send a CreateTable/DeleteTable command: the low-level client or a document client. */
interface CommandSender {
  send(command: CreateTableCommand | DeleteTableCommand): Promise<unknown>;
}

/** Creates a results table as the main stack declares it: keyed by `requestId` (string), on-demand. */
export async function createRequestsTable(client: CommandSender, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "requestId", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "requestId", KeyType: "HASH" }],
    }),
  );
}

/** Deletes a table, ignoring any failure (clean-up after a test or a bench run). */
export async function deleteTable(client: CommandSender, tableName: string): Promise<void> {
  await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
}

export interface Fixture extends Emulators {
  readonly sqs: SQSClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly queueUrl: string;
  readonly dlqUrl: string;
  readonly tableName: string;
  readonly visibilityTimeoutSeconds: number;
  readonly maxReceiveCount: number;
}

/** A uniquely named queue with a real redrive policy to its own DLQ, and a results table, in the given emulators. */
export async function createFixture(
  emulators: Emulators,
  options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<Fixture> {
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 2;
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const name = `proc-${randomUUID().slice(0, 8)}`;
  const sqs = new SQSClient({ ...TEST_CLIENT_CONFIG, endpoint: emulators.sqsEndpoint });
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ ...TEST_CLIENT_CONFIG, endpoint: emulators.dynamoEndpoint }),
  );

  const dlq = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const dlqArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ["QueueArn"] }))
  ).Attributes?.QueueArn;
  const queue = await sqs.send(
    new CreateQueueCommand({
      QueueName: name,
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
      },
    }),
  );
  await createRequestsTable(dynamo, name);
  return {
    ...emulators,
    sqs,
    dynamo,
    queueUrl: queue.QueueUrl!,
    dlqUrl: dlq.QueueUrl!,
    tableName: name,
    visibilityTimeoutSeconds,
    maxReceiveCount,
  };
}

export interface Sent {
  readonly messageId: string;
  readonly body: string;
}

/** Sends the bodies in batches of 10 (a few batches in parallel) and returns each body with its MessageId. */
export async function sendBodies(sqs: SQSClient, queueUrl: string, bodies: readonly string[]): Promise<Sent[]> {
  const batches: string[][] = [];
  for (let i = 0; i < bodies.length; i += 10) batches.push(bodies.slice(i, i + 10));
  const sent: Sent[] = [];
  for (let i = 0; i < batches.length; i += 8) {
    const results = await Promise.all(
      batches.slice(i, i + 8).map(async (batch) => {
        const response = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
        if (response.Failed?.length) throw new Error(`send failed: ${JSON.stringify(response.Failed)}`);
        return (response.Successful ?? []).map((s) => ({ messageId: s.MessageId!, body: batch[Number(s.Id)]! }));
      }),
    );
    sent.push(...results.flat());
  }
  return sent;
}

/** `n` distinct valid JSON bodies (tagged, so a test can tell its messages apart). */
export const validBodies = (n: number, tag = "m"): string[] =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ tag, index: i, nested: { ok: true, list: [i, String(i)] } }));

/** Every item of a table (consistent reads, all pages). */
export async function scanItems(dynamo: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** How many items a table holds (all pages). */
export async function countItems(dynamo: DynamoDBDocumentClient, tableName: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({ TableName: tableName, Select: "COUNT", ExclusiveStartKey: start }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

/** Visible + in flight + delayed: zero means every message was deleted (or moved to the DLQ). */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

/** Receives every message currently visible in a queue (kept invisible for a minute), returning the bodies. */
export async function drainBodies(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: 60,
      }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ""));
  }
}
