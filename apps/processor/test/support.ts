import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { createRequestsTable } from "../../../test/support/requests-table.js";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomUUID } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { isDeepStrictEqual } from "node:util";
import { pino, type Logger } from "pino";
import { createProcessor, type Processor, type ProcessorDeps, type ProcessorSettings } from "../src/consumer.js";
import { createMessageQueue, createSqsClient, type MessageQueue } from "../src/queue.js";
import { createDynamoClient, createItemStore, type ItemStore } from "../src/store.js";

/** Helpers for the processor's emulator-backed tests: one queue + DLQ + table per test, waits with clear failures. */

export const region = "us-east-1";
export const credentials = { accessKeyId: "test", secretAccessKey: "test" };
export const repoRoot = new URL("../../../", import.meta.url).pathname;

export interface Emulators {
  readonly sqsEndpoint: string;
  readonly dynamoEndpoint: string;
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

/** A uniquely named queue with a real redrive policy to its own DLQ, and a table, in the given emulators. */
export async function createFixture(
  emulators: Emulators,
  options: { visibilityTimeoutSeconds?: number; maxReceiveCount?: number } = {},
): Promise<Fixture> {
  const visibilityTimeoutSeconds = options.visibilityTimeoutSeconds ?? 2;
  const maxReceiveCount = options.maxReceiveCount ?? 3;
  const name = `proc-${randomUUID().slice(0, 8)}`;
  const sqs = new SQSClient({ region, credentials, endpoint: emulators.sqsEndpoint });
  const dynamo = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region, credentials, endpoint: emulators.dynamoEndpoint }),
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
  await createTable(dynamo, name);
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

/** The results table as the main stack declares it. */
export const createTable = createRequestsTable;

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

export const validBodies = (n: number, tag = "m"): string[] =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ tag, index: i, nested: { ok: true, list: [i, String(i)] } }));

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

/** Polls `check` until it returns true; fails with `what` (and the last observed state) when `timeoutMs` passes. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean | { done: boolean; state: unknown }>,
  { timeoutMs = 30_000, intervalMs = 200 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const outcome = await check();
    const done = typeof outcome === "boolean" ? outcome : outcome.done;
    if (typeof outcome !== "boolean") last = outcome.state;
    if (done) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for: ${what}${last === undefined ? "" : ` (last state: ${JSON.stringify(last)})`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A pino logger that keeps every line in memory (parsed), for assertions on what was logged. */
export function captureLogger(level = "info"): { logger: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n"))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

export interface InProcess {
  readonly processor: Processor;
  readonly queue: MessageQueue;
  readonly store: ItemStore;
  readonly lines: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Runs the processor in this process against the fixture; `wrap*` lets a test inject faults around the real layers. */
export function startInProcess(
  fixture: Fixture,
  options: {
    settings?: Partial<ProcessorSettings>;
    waitTimeSeconds?: number;
    process?: ProcessorDeps["process"];
    wrapQueue?: (queue: MessageQueue) => MessageQueue;
    wrapStore?: (store: ItemStore) => ItemStore;
  } = {},
): InProcess {
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  const sqs = createSqsClient({ region, credentials, endpoint: fixture.sqsEndpoint, waitTimeSeconds });
  const dynamo = createDynamoClient({ region, credentials, endpoint: fixture.dynamoEndpoint });
  const settings: ProcessorSettings = {
    pollConcurrency: 4,
    visibilityTimeoutSeconds: fixture.visibilityTimeoutSeconds,
    shutdownTimeoutSeconds: 20,
    statsIntervalSeconds: 60,
    ...options.settings,
  };
  const realQueue = createMessageQueue(sqs, {
    queueUrl: fixture.queueUrl,
    batchSize: 10,
    waitTimeSeconds,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
  });
  const realStore = createItemStore(dynamo, fixture.tableName);
  const queue = options.wrapQueue ? options.wrapQueue(realQueue) : realQueue;
  const store = options.wrapStore ? options.wrapStore(realStore) : realStore;
  const { logger, lines } = captureLogger("debug");
  const processor = createProcessor({
    queue,
    store,
    logger,
    process: options.process,
    settings,
  });
  processor.start();
  return {
    processor,
    queue: realQueue,
    store: realStore,
    lines,
    stop: async () => {
      await processor.stop();
      sqs.destroy();
      dynamo.destroy();
    },
  };
}

/** Asserts (by throwing) that the table holds exactly one item per sent message, each matching its message. */
export async function expectItemsMatch(fixture: Fixture, sent: readonly Sent[]): Promise<Record<string, unknown>[]> {
  const items = await scanItems(fixture.dynamo, fixture.tableName);
  const byId = new Map(items.map((item) => [item.requestId as string, item]));
  const problems: string[] = [];
  if (items.length !== sent.length) problems.push(`expected ${sent.length} items, found ${items.length}`);
  for (const { messageId, body } of sent) {
    const item = byId.get(messageId);
    if (!item) {
      problems.push(`no item for ${messageId}`);
      continue;
    }
    // isDeepStrictEqual ignores key order (DynamoDB maps do not keep it).
    if (!isDeepStrictEqual(item.payload, JSON.parse(body)))
      problems.push(`payload of ${messageId} differs from its message body`);
    const result = item.result as { sha256?: string } | undefined;
    if (result?.sha256 !== createHash("sha256").update(body).digest("hex"))
      problems.push(`result of ${messageId} is not its body's summary`);
    if (item.status !== "processed" || typeof item.receivedAt !== "string" || typeof item.processedAt !== "string") {
      problems.push(`item ${messageId} lacks status/receivedAt/processedAt`);
    }
    if (problems.length > 5) break;
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return items;
}

export interface SpawnedProcessor {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  readonly stderr: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  waitForLog(
    what: string,
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Starts the processor as a real process (`node --import tsx apps/processor/src/main.ts`, or a bundle) from the repo
 * root, optionally as another user.
 */
export function spawnProcessor(
  fixture: Fixture,
  env: Record<string, string> = {},
  options: {
    /** Arguments to `node`. @default the TypeScript entry point through tsx */
    readonly entry?: string[];
    readonly cwd?: string;
    readonly user?: { readonly uid?: number; readonly gid?: number };
    /** @default the node running the tests */
    readonly node?: string;
  } = {},
): SpawnedProcessor {
  const args = options.entry ?? ["--import", "tsx", "apps/processor/src/main.ts"];
  const child = spawn(options.node ?? process.execPath, args, {
    cwd: options.cwd ?? repoRoot,
    ...options.user,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: region,
      QUEUE_URL: fixture.queueUrl,
      TABLE_NAME: fixture.tableName,
      AWS_ENDPOINT_URL_SQS: fixture.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: fixture.dynamoEndpoint,
      HEALTH_PORT: "0",
      WAIT_TIME_SECONDS: "1",
      VISIBILITY_TIMEOUT_SECONDS: String(fixture.visibilityTimeoutSeconds),
      STATS_INTERVAL_SECONDS: "5",
      ...env,
    },
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) {
      if (!part) continue;
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part, unparsed: true });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );

  return {
    child,
    lines,
    stderr,
    exited,
    async waitForLog(what, predicate, timeoutMs = 20_000) {
      const found = () => lines.find(predicate);
      let timer: NodeJS.Timeout | undefined;
      let wake = () => {};
      try {
        return await new Promise<Record<string, unknown>>((resolve, reject) => {
          wake = () => {
            const line = found();
            if (line) resolve(line);
          };
          waiters.add(wake);
          wake();
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `timed out after ${timeoutMs} ms waiting for log: ${what}; stderr: ${stderr.join("").slice(-2000)}`,
                ),
              ),
            timeoutMs,
          );
          void exited.then((code) => {
            if (!found())
              reject(
                new Error(
                  `processor exited (${code}) before logging: ${what}; stderr: ${stderr.join("").slice(-2000)}`,
                ),
              );
          });
        });
      } finally {
        clearTimeout(timer);
        waiters.delete(wake);
      }
    },
  };
}

export interface DynamoGate {
  /** Point the processor's AWS_ENDPOINT_URL_DYNAMODB here. */
  readonly endpoint: string;
  /** Requests that arrive from now on wait (unanswered) until `open`. */
  hold(): void;
  /** Forwards the held requests and every later one. */
  open(): void;
  /** How many requests are waiting. */
  held(): number;
  close(): Promise<void>;
}

/**
 * A pass-through proxy to DynamoDB Local that a test can close and open, to hold the processor's writes in flight
 * for as long as a step needs (a drain cannot finish while its writes wait). DynamoDB Local ignores the signature,
 * so forwarding the signed request unchanged is enough.
 */
export async function startDynamoGate(target: string): Promise<DynamoGate> {
  let holding = false;
  const waiting: (() => void)[] = [];
  const server = createServer((req, res) => {
    const forward = () => {
      const upstream = request(
        new URL(req.url ?? "/", target),
        { method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on("error", () => res.destroy());
      req.pipe(upstream);
    };
    if (holding) waiting.push(forward);
    else forward();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hold: () => (holding = true),
    open: () => {
      holding = false;
      for (const forward of waiting.splice(0)) forward();
    },
    held: () => waiting.length,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
