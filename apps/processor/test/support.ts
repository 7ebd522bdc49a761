import { createHash } from "node:crypto";
import { createServer, request } from "node:http";
import { isDeepStrictEqual } from "node:util";
import { inject } from "vitest";
import {
  queueDepth,
  scanItems,
  TEST_CLIENT_CONFIG,
  TEST_CREDENTIALS_ENV,
  type Fixture,
  type Sent,
} from "../../../kit/emulator-fixtures.js";
import { serviceNodePath } from "../../../kit/image-node.js";
import { REPO_ROOT } from "../../../kit/repo-root.js";
import { captureLogger } from "../../../test/support/capture-logger.js";
import { listenOnLoopback } from "../../../test/support/loopback-server.js";
import { waitFor } from "../../../test/support/wait-for.js";
import { spawnService, type ServiceProcess } from "../../../test/support/service-process.js";
import { createProcessor, type Processor, type ProcessorDeps, type ProcessorSettings } from "../src/consumer.js";
import { createMessageQueue, createSqsClient, type MessageQueue } from "../src/queue.js";
import { createDocumentClient, createItemStore, type ItemStore } from "../src/store.js";

/**
 * The processor's own test helpers: the processor in this process or as a real process against a fixture
 * (kit/emulator-fixtures.ts), the check that every message became its item, and a gate that holds its writes.
 */

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
  const sqs = createSqsClient({ ...TEST_CLIENT_CONFIG, endpoint: fixture.sqsEndpoint, waitTimeSeconds });
  const dynamo = createDocumentClient({ ...TEST_CLIENT_CONFIG, endpoint: fixture.dynamoEndpoint });
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
  const { logger, lines } = captureLogger({ level: "debug" });
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

/**
 * Waits until the fixture's queue is empty (nothing visible, in flight or delayed) and, with `deadLetters`, its DLQ
 * holds that many messages; `seen()` is reported on timeout.
 */
export function waitForEmptyQueue(
  fixture: Fixture,
  what: string,
  seen: () => unknown,
  options?: { timeoutMs?: number; deadLetters?: number },
): Promise<unknown> {
  const deadLetters = options?.deadLetters;
  return waitFor(
    what,
    async () => {
      const [depth, dlq] = await Promise.all([
        queueDepth(fixture.sqs, fixture.queueUrl),
        deadLetters === undefined ? undefined : queueDepth(fixture.sqs, fixture.dlqUrl),
      ]);
      return { done: depth === 0 && dlq === deadLetters, state: { depth, dlq, seen: seen() } };
    },
    options,
  );
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

/**
 * Starts the processor as a real process (`node --import tsx apps/processor/src/main.ts`, or a bundle) from the repo
 * root, optionally as another user, on the images' Node (the global setup prints why when it falls back to this one).
 */
export function spawnProcessor(
  fixture: Fixture,
  env: Record<string, string> = {},
  options: {
    /** Arguments to `node`. @default the TypeScript entry point through tsx */
    readonly entry?: string[];
    readonly cwd?: string;
    readonly user?: { readonly uid?: number; readonly gid?: number };
    /** @default the images' Node (kit/image-node.ts), else the node running the tests */
    readonly node?: string;
  } = {},
): ServiceProcess {
  const args = options.entry ?? ["--import", "tsx", "apps/processor/src/main.ts"];
  return spawnService("processor", options.node ?? serviceNodePath(inject("imageNode")), args, {
    cwd: options.cwd ?? REPO_ROOT,
    user: options.user,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      ...TEST_CREDENTIALS_ENV,
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
  const { url, close } = await listenOnLoopback(server);
  return {
    endpoint: url,
    hold: () => (holding = true),
    open: () => {
      holding = false;
      for (const forward of waiting.splice(0)) forward();
    },
    held: () => waiting.length,
    close,
  };
}
