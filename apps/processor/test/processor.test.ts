import { describe, expect, it } from "vitest";
import { ChangeMessageVisibilityCommand } from "@aws-sdk/client-sqs";
import { createHash } from "node:crypto";
import { createProcessor } from "../src/consumer.js";
import type { ProcessHook } from "../src/domain.js";
import {
  createMessageQueue,
  createSqsClient,
  type EntryFailure,
  type MessageQueue,
  type QueueMessage,
} from "../src/queue.js";
import { startHealthServer } from "../src/health.js";
import { captureLogger } from "../../../test/support/capture-logger.js";
import {
  countItems,
  createFixture,
  TEST_CLIENT_CONFIG,
  drainBodies,
  queueDepth,
  scanItems,
  sendBodies,
  validBodies,
} from "../../../kit/emulator-fixtures.js";
import { expectItemsMatch, startInProcess, waitForEmptyQueue } from "./support.js";
import { sharedEmulators } from "../../../test/support/shared-emulators.js";
import { waitFor } from "../../../test/support/wait-for.js";

describe("processor (in-process, real fauxqs + DynamoDB Local)", () => {
  it("processor: stores exactly one item per message for 1,000 messages and empties the queue", async () => {
    // GIVEN 1,000 valid messages on a queue with a DLQ
    const fixture = await createFixture(sharedEmulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(1_000));
    // WHEN the processor drains it
    const run = startInProcess(fixture);
    try {
      await waitForEmptyQueue(fixture, "queue drained", () => run.processor.counters());
    } finally {
      await run.stop();
    }
    // THEN there is exactly one matching item per message, and neither queue holds anything
    await expectItemsMatch(fixture, sent);
    expect(await queueDepth(fixture.sqs, fixture.dlqUrl)).toBe(0);
    expect(await drainBodies(fixture.sqs, fixture.queueUrl)).toEqual([]);
    const counters = run.processor.counters();
    expect(counters).toMatchObject({ processed: 1_000, deleted: 1_000, invalid: 0, failed: 0 });
    expect(counters.processed + counters.duplicate).toBe(counters.deleted);
  });
});

describe("processor: duplicates", () => {
  it("processor: a redelivery after a crash between write and delete is deleted as a duplicate, the first item untouched", async () => {
    // GIVEN a first processor whose deletes never reach SQS (as if it died right after each write)
    const fixture = await createFixture(sharedEmulators(), { maxReceiveCount: 5 });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(20, "crash-gap"));
    const first = startInProcess(fixture, { wrapQueue: (q) => ({ ...q, deleteBatch: () => Promise.resolve([]) }) });
    try {
      await waitFor("the first processor to write all 20 items", async () => ({
        done: (await countItems(fixture.dynamo, fixture.tableName)) === 20,
        state: first.processor.counters(),
      }));
    } finally {
      await first.stop();
    }
    const before = new Map(
      (await scanItems(fixture.dynamo, fixture.tableName)).map((i) => [i.requestId, i.processedAt]),
    );

    // WHEN the messages come back (visibility expiry) to a healthy processor
    const second = startInProcess(fixture);
    try {
      await waitForEmptyQueue(fixture, "the redelivered messages to be deleted", () => second.processor.counters());
    } finally {
      await second.stop();
    }

    // THEN still one item per message, each with its first processedAt, and the redeliveries counted as duplicates
    const items = await expectItemsMatch(fixture, sent);
    for (const item of items) expect(item.processedAt).toBe(before.get(item.requestId));
    expect(second.processor.counters()).toMatchObject({ processed: 0, failed: 0 });
    expect(second.processor.counters().duplicate).toBeGreaterThanOrEqual(20);
    expect(await queueDepth(fixture.sqs, fixture.dlqUrl)).toBe(0);
  });

  it("processor: a message redelivered while its first delivery is still working yields one item", async () => {
    // GIVEN a first delivery whose hook makes the message visible again (as an expired visibility timeout would) and
    // then waits until another poll loop has received and stored it: SQS has handed the message out twice
    const fixture = await createFixture(sharedEmulators(), { visibilityTimeoutSeconds: 30 });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(1, "slow-first"));
    const receiptHandles: string[] = [];
    let calls = 0;
    const run = startInProcess(fixture, {
      settings: { pollConcurrency: 2 },
      wrapQueue: (queue) => ({
        ...queue,
        async receive(signal) {
          const messages = await queue.receive(signal);
          receiptHandles.push(...messages.map((m) => m.receiptHandle));
          return messages;
        },
      }),
      process: async (payload) => {
        if (++calls === 1) {
          await fixture.sqs.send(
            new ChangeMessageVisibilityCommand({
              QueueUrl: fixture.queueUrl,
              ReceiptHandle: receiptHandles[0],
              VisibilityTimeout: 0,
            }),
          );
          await waitFor("the redelivery to be stored", () => run.processor.counters().processed === 1);
        }
        return { delivery: calls, fields: Object.keys(payload).length };
      },
    });
    try {
      // WHEN both deliveries finish
      await waitFor("both deliveries to finish", () => {
        const c = run.processor.counters();
        return { done: c.processed + c.duplicate === 2 && c.inFlight === 0, state: c };
      });
    } finally {
      await run.stop();
    }
    // THEN exactly one item exists (written by whichever delivery came first), the other was a duplicate
    const items = await scanItems(fixture.dynamo, fixture.tableName);
    expect(items.map((i) => i.requestId)).toEqual([sent[0]!.messageId]);
    expect(run.processor.counters()).toMatchObject({ received: 2, processed: 1, duplicate: 1 });
    expect(await queueDepth(fixture.sqs, fixture.queueUrl)).toBe(0);
  });

  it("processor: a write that landed but whose response was lost is retried and counted as a duplicate", async () => {
    // GIVEN a store whose first call writes for real and then fails like a dropped connection
    const fixture = await createFixture(sharedEmulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(10, "lost-response"));
    let failedOnce = false;
    const run = startInProcess(fixture, {
      wrapStore: (store) => ({
        async putAllIfAbsent(items, signal) {
          const results = await store.putAllIfAbsent(items, signal);
          if (!failedOnce) {
            failedOnce = true;
            throw Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
          }
          return results;
        },
      }),
    });
    try {
      await waitForEmptyQueue(fixture, "queue drained", () => run.processor.counters());
    } finally {
      await run.stop();
    }
    // THEN every message has one item, and the retried ones were recognised as already written
    await expectItemsMatch(fixture, sent);
    const counters = run.processor.counters();
    expect(counters.writeRetries).toBeGreaterThanOrEqual(1);
    expect(counters.duplicate).toBeGreaterThanOrEqual(1);
    expect(counters.processed + counters.duplicate).toBe(10);
  });

  it("processor: per-entry delete failures: a retryable one is retried, a sender-fault one returns and is deleted as a duplicate", async () => {
    // GIVEN a queue whose first deletes report one entry failed as retryable and another as the sender's fault
    const fixture = await createFixture(sharedEmulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(10, "delete-fails"));
    const senderFaults = [false, true];
    const faulted = new Map<string, boolean>();
    const deleteCalls: string[][] = [];
    const run = startInProcess(fixture, {
      wrapQueue: (queue) => ({
        ...queue,
        async deleteBatch(messages) {
          deleteCalls.push(messages.map((m) => m.messageId));
          const injected: EntryFailure[] = [];
          for (const message of messages) {
            if (senderFaults.length === 0 || faulted.has(message.messageId)) continue;
            const senderFault = senderFaults.shift()!;
            faulted.set(message.messageId, senderFault);
            injected.push({ message, code: senderFault ? "ReceiptHandleIsInvalid" : "InternalError", senderFault });
          }
          const failed = await queue.deleteBatch(messages.filter((m) => !injected.some((f) => f.message === m)));
          return [...failed, ...injected];
        },
      }),
    });
    try {
      // WHEN the processor drains the queue (the sender-fault message comes back after its visibility timeout)
      await waitFor("queue drained", async () => {
        const depth = await queueDepth(fixture.sqs, fixture.queueUrl);
        return { done: depth === 0 && faulted.size === 2, state: { depth, counters: run.processor.counters() } };
      });
    } finally {
      await run.stop();
    }
    // THEN the retryable entry was retried alone in the same batch's delete, the sender-fault one was received again
    // and deleted as a duplicate, and every message has exactly one item
    const [retryable, rejected] = [...faulted.keys()];
    expect(deleteCalls).toContainEqual([retryable]);
    expect(deleteCalls.filter((ids) => ids.includes(rejected!))).toHaveLength(2);
    await expectItemsMatch(fixture, sent);
    expect(run.processor.counters()).toMatchObject({
      received: 11,
      processed: 10,
      duplicate: 1,
      deleted: 10,
      deleteFailures: 1,
      failed: 0,
    });
    expect(
      run.lines.some(
        (l) => l.msg === "delete rejected; the redelivery will be a duplicate" && l.messageId === rejected,
      ),
    ).toBe(true);
    expect(await queueDepth(fixture.sqs, fixture.dlqUrl)).toBe(0);
  });
});

describe("processor: visibility extension", () => {
  it("queue: a receive applies the configured visibility timeout, not the queue's shorter default", async () => {
    // GIVEN a queue whose own visibility timeout is 2 s, and a consumer configured for 10 s
    const fixture = await createFixture(sharedEmulators());
    await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(1, "own-timeout"));
    const sqs = createSqsClient({ ...TEST_CLIENT_CONFIG, endpoint: fixture.sqsEndpoint, waitTimeSeconds: 1 });
    const queue = createMessageQueue(sqs, {
      queueUrl: fixture.queueUrl,
      batchSize: 10,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 10,
    });
    try {
      // WHEN it receives the message and the queue's default timeout passes
      expect(await queue.receive()).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, (fixture.visibilityTimeoutSeconds + 1) * 1_000));
      // THEN the message is still invisible: the lease schedule (a third of 10 s) matches what SQS applied
      expect(await drainBodies(fixture.sqs, fixture.queueUrl)).toEqual([]);
    } finally {
      sqs.destroy();
    }
  });

  it("processor: a hook running 3x the visibility timeout keeps its message invisible: one receive, one item, no duplicate", async () => {
    // GIVEN a 2 s visibility timeout and a hook that takes 6 s, with other poll loops waiting for anything visible
    const fixture = await createFixture(sharedEmulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(1, "slow-hook"));
    const run = startInProcess(fixture, {
      process: async (_payload, { body }) => {
        await new Promise((resolve) => setTimeout(resolve, 3 * fixture.visibilityTimeoutSeconds * 1_000));
        return summaryOf(body);
      },
    });
    try {
      // WHEN the hook finishes
      await waitFor("the message to be stored and deleted", async () => {
        const depth = await queueDepth(fixture.sqs, fixture.queueUrl);
        const c = run.processor.counters();
        return { done: depth === 0 && c.deleted >= 1 && c.inFlight === 0, state: { depth, counters: c } };
      });
    } finally {
      await run.stop();
    }
    // THEN SQS never handed the message out again
    await expectItemsMatch(fixture, sent);
    expect(run.processor.counters()).toMatchObject({ received: 1, processed: 1, duplicate: 0, deleted: 1 });
    expect(run.processor.counters().visibilityExtended).toBeGreaterThanOrEqual(4);
  });

  it("lease: one failed extension does not let the message reappear (extended every third of the timeout)", async () => {
    // GIVEN a queue whose first extension fails, and a hook that outlasts the visibility timeout
    const sim = simulatedQueue({
      visibilityTimeoutSeconds: 2,
      extend: (call) => (call === 1 ? Promise.reject(new Error("throttled")) : Promise.resolve()),
    });
    const processor = simulatedProcessor(sim.queue, 2, () => new Promise((resolve) => setTimeout(resolve, 3_000)));
    // WHEN the message is processed
    processor.start();
    await waitFor("the message to be deleted", () => ({ done: sim.deleted(), state: sim.events }));
    await processor.stop();
    // THEN a later extension landed before the deadline: the message never became visible again
    expect(sim.events).not.toContain("reappeared");
    expect(sim.events.filter((e) => e === "extended").length).toBeGreaterThanOrEqual(2);
  });

  it("lease: a release waits for an extension in flight, so the extension cannot hide the released message again", async () => {
    // GIVEN extensions that take 1.5 s to land and a hook that only ends when the shutdown budget is spent
    const sim = simulatedQueue({
      visibilityTimeoutSeconds: 2,
      extend: () => new Promise((resolve) => setTimeout(resolve, 1_500)),
    });
    const processor = simulatedProcessor(
      sim.queue,
      2,
      (_payload, { signal }) =>
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
    );
    processor.start();
    await waitFor("an extension to be in flight", () => ({
      done: sim.events.includes("extension sent"),
      state: sim.events,
    }));
    // WHEN it is stopped (budget 1 s) while that extension is still on its way
    await processor.stop();
    await waitFor("every extension to land", () => ({ done: sim.extensionsInFlight() === 0, state: sim.events }));
    // THEN the release came after the extensions: the message is receivable now
    expect(processor.counters().released).toBe(1);
    expect(sim.events.at(-1)).toBe("released");
    expect(sim.visibleNow()).toBe(true);
  });
});

describe("processor: poison messages", () => {
  it("processor: poison messages reach the DLQ after maxReceiveCount, logged once per receive; every valid one is stored", async () => {
    // GIVEN valid messages mixed with bodies that can never succeed
    const fixture = await createFixture(sharedEmulators());
    const poison = ["{not json", "[1,2,3]", "42", "null", '"just a string"', '{"n": 1e200}', '{"": "empty key"}'];
    const bodies = validBodies(100, "mixed");
    bodies.splice(10, 0, ...poison.slice(0, 3));
    bodies.splice(60, 0, ...poison.slice(3));
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, bodies);
    const poisonIds = new Set(sent.filter((s) => poison.includes(s.body)).map((s) => s.messageId));

    // WHEN the processor runs until the main queue is empty
    const run = startInProcess(fixture);
    try {
      await waitForEmptyQueue(fixture, "poison in the DLQ and the main queue empty", () => run.processor.counters(), {
        timeoutMs: 40_000,
        deadLetters: poison.length,
      });
    } finally {
      await run.stop();
    }

    // THEN the DLQ holds exactly the poison bodies, every valid message has its item, and each poison message was
    // logged (with a reason) once per receive: maxReceiveCount times
    expect((await drainBodies(fixture.sqs, fixture.dlqUrl)).sort()).toEqual([...poison].sort());
    await expectItemsMatch(
      fixture,
      sent.filter((s) => !poisonIds.has(s.messageId)),
    );
    const invalidLogs = run.lines.filter((l) => l.msg === "invalid message left for the DLQ");
    for (const id of poisonIds) {
      const logs = invalidLogs.filter((l) => l.messageId === id);
      expect(logs.map((l) => l.receiveCount)).toEqual([1, 2, 3]);
      for (const l of logs) expect(l.reason).toEqual(expect.any(String));
    }
    expect(run.processor.counters()).toMatchObject({ invalid: poison.length * fixture.maxReceiveCount, failed: 0 });
  });
});

describe("processor: hooks that never finish", () => {
  it("processor: a hook still running after PROCESS_TIMEOUT_SECONDS fails its message, which ends in the DLQ; the others are stored", async () => {
    // GIVEN one message whose hook hangs and ignores its abort signal, among valid ones, and a 1 s time limit
    const fixture = await createFixture(sharedEmulators(), { maxReceiveCount: 2 });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, [
      ...validBodies(5, "fine"),
      JSON.stringify({ hang: true }),
    ]);
    const hanging = sent.find((s) => s.body.includes("hang"))!;
    const aborts: string[] = [];
    const run = startInProcess(fixture, {
      settings: { processTimeoutSeconds: 1 },
      process: (payload, { body, signal }) => {
        if (!payload.hang) return summaryOf(body);
        signal.addEventListener("abort", () => aborts.push(String((signal.reason as Error).message)));
        return new Promise(() => {});
      },
    });
    try {
      // WHEN the processor runs until the hanging message has left the main queue
      await waitForEmptyQueue(fixture, "the hanging message in the DLQ", () => run.processor.counters(), {
        timeoutMs: 30_000,
        deadLetters: 1,
      });
    } finally {
      await run.stop();
    }
    // THEN it was given up once per receive (its hook told why), never written, and ended in the DLQ
    expect(await drainBodies(fixture.sqs, fixture.dlqUrl)).toEqual([hanging.body]);
    await expectItemsMatch(
      fixture,
      sent.filter((s) => s !== hanging),
    );
    expect(aborts).toEqual(Array(fixture.maxReceiveCount).fill("process hook still running after 1 s"));
    expect(run.processor.counters()).toMatchObject({ processed: 5, failed: fixture.maxReceiveCount });
  });
});

describe("processor: shutdown and liveness", () => {
  it("processor: stop releases messages it cannot finish within the budget (visibility 0), writing nothing", async () => {
    // GIVEN a 30 s visibility timeout and a hook that never finishes on its own
    const fixture = await createFixture(sharedEmulators(), { visibilityTimeoutSeconds: 30 });
    await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(5, "stuck"));
    const run = startInProcess(fixture, {
      settings: { shutdownTimeoutSeconds: 6 },
      process: (_payload, { signal }) =>
        new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
    });
    await waitFor("all 5 messages in flight", () => ({
      done: run.processor.counters().inFlight === 5,
      state: run.processor.counters(),
    }));

    // WHEN it is stopped
    await run.stop();

    // THEN the 5 messages were released, not written, and can be received again well before 30 s
    expect(run.processor.counters()).toMatchObject({ released: 5, processed: 0, deleted: 0 });
    expect(await countItems(fixture.dynamo, fixture.tableName)).toBe(0);
    const again: string[] = [];
    await waitFor(
      "the released messages to be receivable again",
      async () => {
        again.push(...(await drainBodies(fixture.sqs, fixture.queueUrl)));
        return { done: again.length === 5, state: again.length };
      },
      { timeoutMs: 10_000 },
    );
  });

  it("processor: a delete that hangs during shutdown is given up after 3 s and not retried, so stop ends within the budget", async () => {
    // GIVEN a message whose hook finishes only once shutdown has begun, and deletes that never answer unless aborted
    const message: QueueMessage = {
      messageId: "m1",
      receiptHandle: "rh-1",
      body: "{}",
      sentTimestamp: "0",
      receiveCount: 1,
      attributes: {},
    };
    let delivered = false;
    const deleteSignals: (AbortSignal | undefined)[] = [];
    const hangUntilAborted = (signal: AbortSignal | undefined) =>
      new Promise<never>((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason as Error)));
    let shutdownBegun = () => {};
    const gate = new Promise<void>((resolve) => (shutdownBegun = resolve));
    const processor = createProcessor({
      queue: {
        receive: (signal) => (delivered ? hangUntilAborted(signal) : ((delivered = true), Promise.resolve([message]))),
        deleteBatch: (_messages, signal) => {
          deleteSignals.push(signal);
          return hangUntilAborted(signal);
        },
        changeVisibility: () => Promise.resolve([]),
      },
      store: { putAllIfAbsent: (items) => Promise.resolve(items.map(() => "created" as const)) },
      logger: captureLogger().logger,
      process: () => gate,
      settings: { pollConcurrency: 1, visibilityTimeoutSeconds: 30, shutdownTimeoutSeconds: 6 },
    });
    processor.start();
    await waitFor("the message in flight", () => processor.counters().inFlight === 1);
    // WHEN it is stopped (budget 6 s) and the message's item is written, so its delete is sent during shutdown
    const started = Date.now();
    const stopped = processor.stop().then(() => "stopped");
    shutdownBegun();
    const outcome = await Promise.race([
      stopped,
      new Promise((resolve) => setTimeout(() => resolve("still stopping after 10 s"), 10_000)),
    ]);
    // THEN the delete was abandoned at its deadline, not retried past the budget, and counted as a delete failure
    expect(outcome).toBe("stopped");
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(deleteSignals).toHaveLength(1);
    expect(processor.counters()).toMatchObject({ processed: 1, deleted: 0, deleteFailures: 1 });
  });

  it("processor: /health turns 503 stalled when writes fail forever and the full pipeline stops receiving", async () => {
    // GIVEN a store that always fails as a missing table does (retried in place, as a transient fault), one poll loop
    // (one batch at a time), more messages than it may hold, and a stall threshold above the longest write backoff (5 s),
    // so write attempts alone would keep it "ok"
    const fixture = await createFixture(sharedEmulators());
    await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(50, "no-table"));
    const run = startInProcess(fixture, {
      settings: { pollConcurrency: 1, shutdownTimeoutSeconds: 6 },
      wrapStore: () => ({
        putAllIfAbsent: () =>
          Promise.reject(
            Object.assign(new Error("Requested resource not found"), {
              name: "ResourceNotFoundException",
              $metadata: { httpStatusCode: 400 },
            }),
          ),
      }),
    });
    const health = await startHealthServer({ port: 0, stallMs: 6_000, liveness: () => run.processor.liveness() });
    const get = async () => {
      const response = await fetch(`http://127.0.0.1:${health.port}/health`);
      return { status: response.status, body: (await response.json()) as { status: string } };
    };
    try {
      // WHEN the writes keep failing
      // THEN health turns 503 "stalled" while the batches are still held and retried
      await waitFor(
        "health to report a stall",
        async () => ({ done: (await get()).status === 503, state: run.processor.counters() }),
        { timeoutMs: 20_000 },
      );
      expect(await get()).toMatchObject({ status: 503, body: { status: "stalled" } });
      expect(run.processor.counters()).toMatchObject({ processed: 0, duplicate: 0, deleted: 0 });
      expect(run.processor.counters().inFlight).toBeGreaterThan(0);
      expect(run.processor.counters().writeRetries).toBeGreaterThan(4);
    } finally {
      await Promise.all([run.stop(), health.close()]);
    }
  });

  it("processor: /health is 200 while polling, 503 when polling stalls, 503 while stopping", async () => {
    const fixture = await createFixture(sharedEmulators());
    // GIVEN a processor polling the real queue
    const run = startInProcess(fixture);
    const health = await startHealthServer({ port: 0, stallMs: 5_000, liveness: () => run.processor.liveness() });
    const get = async (port: number) => {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return {
        status: response.status,
        body: (await response.json()) as { status: string; lastPollAt: string | null },
      };
    };
    // GIVEN another whose receive never returns (a hung connection), with a short stall threshold
    const stuck = createProcessor({
      queue: {
        receive: (signal) =>
          new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))),
        deleteBatch: () => Promise.resolve([]),
        changeVisibility: () => Promise.resolve([]),
      },
      store: { putAllIfAbsent: () => Promise.resolve([]) },
      logger: captureLogger().logger,
      settings: { pollConcurrency: 1, visibilityTimeoutSeconds: 30, shutdownTimeoutSeconds: 6 },
    });
    stuck.start();
    const stuckHealth = await startHealthServer({ port: 0, stallMs: 1_000, liveness: () => stuck.liveness() });
    try {
      // THEN the polling one is healthy once a poll has returned
      await waitFor("a successful poll", async () => (await get(health.port)).body.lastPollAt !== null);
      expect(await get(health.port)).toMatchObject({ status: 200, body: { status: "ok" } });
      // AND the stuck one turns 503 "stalled" once the threshold passes
      await waitFor("the stuck processor to report a stall", async () => (await get(stuckHealth.port)).status === 503, {
        timeoutMs: 10_000,
      });
      expect((await get(stuckHealth.port)).body).toMatchObject({ status: "stalled", lastPollAt: null });
      // AND a stopping processor reports 503 "stopping"
      await run.stop();
      expect(await get(health.port)).toMatchObject({ status: 503, body: { status: "stopping" } });
    } finally {
      await Promise.all([run.stop(), stuck.stop(), health.close(), stuckHealth.close()]);
    }
  });
});

describe("processor: writes", () => {
  it("processor: an item DynamoDB rejects fails only its own message; the rest of the batch is stored and deleted", async () => {
    // GIVEN a hook whose result for one message makes its item larger than DynamoDB's 400 KB limit
    const fixture = await createFixture(sharedEmulators(), { visibilityTimeoutSeconds: 30 });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(10, "oversize"));
    const bad = sent[3]!;
    const run = startInProcess(fixture, {
      process: (payload, { messageId, body }) => ({
        ...summaryOf(body),
        filler: messageId === bad.messageId ? "x".repeat(450_000) : "",
      }),
    });
    try {
      // WHEN the batch is processed
      await waitFor("nine items and one failure", () => {
        const c = run.processor.counters();
        return { done: c.processed === 9 && c.failed === 1, state: c };
      });
    } finally {
      await run.stop();
    }
    // THEN the nine are stored and deleted, the oversized one is neither (left for redelivery and, in time, the DLQ)
    await expectItemsMatch(
      fixture,
      sent.filter((s) => s !== bad),
    );
    expect(run.processor.counters()).toMatchObject({ deleted: 9, failed: 1 });
    expect(await queueDepth(fixture.sqs, fixture.queueUrl)).toBe(1);
    expect(
      run.lines.some(
        (l) => l.msg === "item rejected by DynamoDB; message left for redelivery" && l.messageId === bad.messageId,
      ),
    ).toBe(true);
  });
});

function summaryOf(body: string) {
  return { sha256: createHash("sha256").update(body).digest("hex") };
}

/**
 * One message on a simulated SQS: it reappears when an extension arrives after its visibility deadline (within a
 * round trip of it counts as too late: the redelivery races the request). `extend` runs before each extension lands.
 */
function simulatedQueue(options: { visibilityTimeoutSeconds: number; extend: (call: number) => Promise<void> }) {
  const ROUND_TRIP_MS = 100;
  const message: QueueMessage = {
    messageId: "m1",
    receiptHandle: "rh-1",
    body: "{}",
    sentTimestamp: "0",
    receiveCount: 1,
    attributes: {},
  };
  const events: string[] = [];
  let delivered = false;
  let deleted = false;
  let visibleAt = Infinity;
  let extensionCalls = 0;
  let extensionsInFlight = 0;
  const queue: MessageQueue = {
    receive: (signal) => {
      if (delivered)
        return new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted"))));
      delivered = true;
      visibleAt = Date.now() + options.visibilityTimeoutSeconds * 1_000;
      return Promise.resolve([message]);
    },
    deleteBatch: () => {
      deleted = true;
      return Promise.resolve([]);
    },
    changeVisibility: async (_messages, seconds) => {
      if (seconds === 0) {
        visibleAt = Date.now();
        events.push("released");
        return [];
      }
      events.push("extension sent");
      extensionsInFlight++;
      try {
        await options.extend(++extensionCalls);
        if (Date.now() > visibleAt - ROUND_TRIP_MS) events.push("reappeared");
        visibleAt = Date.now() + seconds * 1_000;
        events.push("extended");
        return [];
      } finally {
        extensionsInFlight--;
      }
    },
  };
  return {
    queue,
    events,
    deleted: () => deleted,
    extensionsInFlight: () => extensionsInFlight,
    visibleNow: () => Date.now() >= visibleAt,
  };
}

function simulatedProcessor(queue: MessageQueue, visibilityTimeoutSeconds: number, hook: ProcessHook) {
  return createProcessor({
    queue,
    store: { putAllIfAbsent: (items) => Promise.resolve(items.map(() => "created" as const)) },
    logger: captureLogger().logger,
    process: hook,
    settings: { pollConcurrency: 1, visibilityTimeoutSeconds, shutdownTimeoutSeconds: 6 },
  });
}
