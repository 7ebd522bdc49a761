import { inject, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createProcessor } from "../src/consumer.js";
import { buildItem } from "../src/domain.js";
import { createDynamoClient, createItemStore } from "../src/store.js";
import { startHealthServer } from "../src/health.js";
import {
  captureLogger,
  countItems,
  createFixture,
  credentials,
  drainBodies,
  expectItemsMatch,
  queueDepth,
  scanItems,
  sendBodies,
  startInProcess,
  validBodies,
  waitFor,
} from "./support.js";

const emulators = () => ({ sqsEndpoint: inject("sqsEndpoint"), dynamoEndpoint: inject("dynamoEndpoint") });

describe("processor (in-process, real fauxqs + DynamoDB Local)", () => {
  it("processor: stores exactly one item per message for 1,000 messages and empties the queue", async () => {
    // GIVEN 1,000 valid messages on a queue with a DLQ
    const fixture = await createFixture(emulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(1_000));
    // WHEN the processor drains it
    const run = startInProcess(fixture);
    try {
      await waitFor("queue drained", async () => {
        const depth = await queueDepth(fixture.sqs, fixture.queueUrl);
        return { done: depth === 0, state: { depth, counters: run.processor.counters() } };
      });
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
    const fixture = await createFixture(emulators(), { maxReceiveCount: 5 });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(20, "crash-gap"));
    const first = startInProcess(fixture, { wrapQueue: (q) => ({ ...q, deleteBatch: async () => [] }) });
    try {
      await waitFor("the first processor to write all 20 items", async () => ({
        done: (await countItems(fixture.dynamo, fixture.tableName)) === 20,
        state: first.processor.counters(),
      }));
    } finally {
      await first.stop();
    }
    const before = new Map((await scanItems(fixture.dynamo, fixture.tableName)).map((i) => [i.requestId, i.processedAt]));

    // WHEN the messages come back (visibility expiry) to a healthy processor
    const second = startInProcess(fixture);
    try {
      await waitFor("the redelivered messages to be deleted", async () => {
        const depth = await queueDepth(fixture.sqs, fixture.queueUrl);
        return { done: depth === 0, state: { depth, counters: second.processor.counters() } };
      });
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
    // GIVEN a hook that is slower than the queue's visibility timeout on the first delivery only, and a processor
    // told the timeout is 60 s, so it does not extend visibility in time: SQS hands the message out again
    const fixture = await createFixture(emulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(1, "slow-first"));
    let calls = 0;
    const run = startInProcess(fixture, {
      settings: { pollConcurrency: 2, visibilityTimeoutSeconds: 60 },
      process: async (payload) => {
        if (++calls === 1) await new Promise((resolve) => setTimeout(resolve, (fixture.visibilityTimeoutSeconds + 1.5) * 1_000));
        return { delivery: calls, fields: Object.keys(payload).length };
      },
    });
    try {
      // WHEN both deliveries finish
      await waitFor("both deliveries to finish", async () => {
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
    const fixture = await createFixture(emulators());
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
      await waitFor("queue drained", async () => ({ done: (await queueDepth(fixture.sqs, fixture.queueUrl)) === 0, state: run.processor.counters() }));
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
});

describe("processor: poison messages", () => {
  it("processor: poison messages reach the DLQ after maxReceiveCount, logged once per receive; every valid one is stored", async () => {
    // GIVEN valid messages mixed with bodies that can never succeed
    const fixture = await createFixture(emulators());
    const poison = ["{not json", "[1,2,3]", "42", "null", '"just a string"', '{"n": 1e200}', '{"": "empty key"}'];
    const bodies = validBodies(100, "mixed");
    bodies.splice(10, 0, ...poison.slice(0, 3));
    bodies.splice(60, 0, ...poison.slice(3));
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, bodies);
    const poisonIds = new Set(sent.filter((s) => poison.includes(s.body)).map((s) => s.messageId));

    // WHEN the processor runs until the main queue is empty
    const run = startInProcess(fixture);
    try {
      await waitFor(
        "poison in the DLQ and the main queue empty",
        async () => {
          const [depth, dlq] = await Promise.all([queueDepth(fixture.sqs, fixture.queueUrl), queueDepth(fixture.sqs, fixture.dlqUrl)]);
          return { done: depth === 0 && dlq === poison.length, state: { depth, dlq, counters: run.processor.counters() } };
        },
        { timeoutMs: 40_000 },
      );
    } finally {
      await run.stop();
    }

    // THEN the DLQ holds exactly the poison bodies, every valid message has its item, and each poison message was
    // logged (with a reason) once per receive: maxReceiveCount times
    expect((await drainBodies(fixture.sqs, fixture.dlqUrl)).sort()).toEqual([...poison].sort());
    await expectItemsMatch(fixture, sent.filter((s) => !poisonIds.has(s.messageId)));
    const invalidLogs = run.lines.filter((l) => l.msg === "invalid message left for the DLQ");
    for (const id of poisonIds) {
      const logs = invalidLogs.filter((l) => l.messageId === id);
      expect(logs.map((l) => l.receiveCount)).toEqual([1, 2, 3]);
      for (const l of logs) expect(l.reason).toEqual(expect.any(String));
    }
    expect(run.processor.counters()).toMatchObject({ invalid: poison.length * fixture.maxReceiveCount, failed: 0 });
  });
});

describe("processor: shutdown and liveness", () => {
  it("processor: stop releases messages it cannot finish within the budget (visibility 0), writing nothing", async () => {
    // GIVEN a 30 s visibility timeout and a hook that never finishes on its own
    const fixture = await createFixture(emulators(), { visibilityTimeoutSeconds: 30 });
    await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(5, "stuck"));
    const run = startInProcess(fixture, {
      settings: { shutdownTimeoutSeconds: 6 },
      process: (_payload, { signal }) => new Promise((_, reject) => signal.addEventListener("abort", () => reject(new Error("aborted")))),
    });
    await waitFor("all 5 messages in flight", async () => ({ done: run.processor.counters().inFlight === 5, state: run.processor.counters() }));

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

  it("processor: /health is 200 while polling, 503 when polling stalls, 503 while stopping", async () => {
    const fixture = await createFixture(emulators());
    // GIVEN a processor polling the real queue
    const run = startInProcess(fixture);
    const health = await startHealthServer({ port: 0, stallMs: 5_000, liveness: run.processor.liveness });
    const get = async (port: number) => {
      const response = await fetch(`http://127.0.0.1:${port}/health`);
      return { status: response.status, body: (await response.json()) as { status: string; lastPollAt: string | null } };
    };
    // GIVEN another whose receive never returns (a hung connection), with a short stall threshold
    const stuck = createProcessor({
      queue: { receive: (signal) => new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))), deleteBatch: async () => [], changeVisibility: async () => [] },
      store: { putAllIfAbsent: async () => [] },
      logger: captureLogger().logger,
      settings: { pollConcurrency: 1, visibilityTimeoutSeconds: 30, shutdownTimeoutSeconds: 6 },
    });
    stuck.start();
    const stuckHealth = await startHealthServer({ port: 0, stallMs: 1_000, liveness: stuck.liveness });
    try {
      // THEN the polling one is healthy once a poll has returned
      await waitFor("a successful poll", async () => (await get(health.port)).body.lastPollAt !== null);
      expect(await get(health.port)).toMatchObject({ status: 200, body: { status: "ok" } });
      // AND the stuck one turns 503 "stalled" once the threshold passes
      await waitFor("the stuck processor to report a stall", async () => (await get(stuckHealth.port)).status === 503, { timeoutMs: 10_000 });
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
  it("store: a transaction reports which items already existed, and writes none of a cancelled batch", async () => {
    const fixture = await createFixture(emulators());
    const store = createItemStore(createDynamoClient({ region: "us-east-1", credentials, endpoint: fixture.dynamoEndpoint }), fixture.tableName);
    const item = (id: string) => buildItem({ messageId: id, payload: { id }, result: null, sentTimestamp: "0", now: new Date() });
    expect(await store.putAllIfAbsent([item("a")])).toEqual(["created"]);
    expect(await store.putAllIfAbsent([item("a"), item("b")])).toEqual(["duplicate", "resend"]);
    expect((await scanItems(fixture.dynamo, fixture.tableName)).map((i) => i.requestId)).toEqual(["a"]);
    expect(await store.putAllIfAbsent([item("b"), item("c")])).toEqual(["created", "created"]);
  });

  it("processor: an item DynamoDB rejects fails only its own message; the rest of the batch is stored and deleted", async () => {
    // GIVEN a hook whose result for one message makes its item larger than DynamoDB's 400 KB limit
    const fixture = await createFixture(emulators(), { visibilityTimeoutSeconds: 30 });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(10, "oversize"));
    const bad = sent[3]!;
    const run = startInProcess(fixture, {
      process: (payload, { messageId, body }) => ({ ...summaryOf(body), filler: messageId === bad.messageId ? "x".repeat(450_000) : "" }),
    });
    try {
      // WHEN the batch is processed
      await waitFor("nine items and one failure", async () => {
        const c = run.processor.counters();
        return { done: c.processed === 9 && c.failed === 1, state: c };
      });
    } finally {
      await run.stop();
    }
    // THEN the nine are stored and deleted, the oversized one is neither (left for redelivery and, in time, the DLQ)
    await expectItemsMatch(fixture, sent.filter((s) => s !== bad));
    expect(run.processor.counters()).toMatchObject({ deleted: 9, failed: 1 });
    expect(await queueDepth(fixture.sqs, fixture.queueUrl)).toBe(1);
    expect(run.lines.some((l) => l.msg === "item rejected by DynamoDB; message left for redelivery" && l.messageId === bad.messageId)).toBe(true);
  });
});

function summaryOf(body: string) {
  return { sha256: createHash("sha256").update(body).digest("hex") };
}
