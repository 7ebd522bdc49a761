import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startDynamoDbLocal, type DynamoDbLocal } from "../../../local/dynamodb-local.js";
import { createFixture, queueDepth, sendBodies, validBodies } from "../../../kit/emulator-fixtures.js";
import { expectItemsMatch, startInProcess, waitForEmptyQueue } from "./support.js";
import { waitFor } from "../../../test/support/wait-for.js";

describe("processor: DynamoDB outage", () => {
  // An instance of our own (on disk, so data survives the restart): the shared one must stay up for other tests.
  const dataDir = mkdtempSync(join(tmpdir(), "processor-ddb-"));
  let dynamo: DynamoDbLocal;
  beforeAll(async () => {
    dynamo = await startDynamoDbLocal({ dataDir });
  });
  afterAll(async () => {
    await dynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("processor: DynamoDB stopped for a few seconds mid-run loses nothing and sends nothing valid to the DLQ", async () => {
    // GIVEN 400 messages (2 s visibility, maxReceiveCount 3: an outage longer than 6 s would push them to the DLQ
    // if the processor let them be redelivered) and a hook slow enough that the run outlasts the outage start
    const fixture = await createFixture({ sqsEndpoint: inject("sqsEndpoint"), dynamoEndpoint: dynamo.endpoint });
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(400, "outage"));
    // DynamoDB Local has acknowledged some writes (TransactWriteItems, measured) before committing them to disk, so a
    // SIGKILL right after an acknowledgement could lose items real DynamoDB would keep. So the test holds new
    // writes at a gate and lets the acknowledged ones settle before killing the emulator, then opens the gate: the
    // processor's writes then hit a dead endpoint, which is the outage under test, without blaming the processor for
    // the emulator's own write-back.
    let gate: Promise<void> | undefined;
    let writesInFlight = 0;
    const run = startInProcess(fixture, {
      process: async (payload, { body }) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return { ...summaryOf(body), fields: Object.keys(payload).length };
      },
      wrapStore: (store) => ({
        async putAllIfAbsent(items, signal) {
          while (gate) await gate;
          writesInFlight++;
          try {
            return await store.putAllIfAbsent(items, signal);
          } finally {
            writesInFlight--;
          }
        },
      }),
    });
    try {
      await waitFor("the first 100 items", () => ({
        done: run.processor.counters().processed >= 100,
        state: run.processor.counters(),
      }));
      // WHEN DynamoDB goes away mid-run for ~3 s plus its restart time
      let open = () => {};
      gate = new Promise<void>((resolve) => (open = resolve));
      await waitFor("acknowledged writes to settle", () => writesInFlight === 0);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(run.processor.counters().deleted, "the outage must start mid-run").toBeLessThan(sent.length);
      await dynamo.stop();
      gate = undefined;
      open();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await dynamo.start();
      await waitForEmptyQueue(fixture, "the queue to drain after DynamoDB is back", () => run.processor.counters(), {
        timeoutMs: 40_000,
      });
    } finally {
      await run.stop();
    }
    // THEN every message has exactly one item, none went to the DLQ, and writes were retried in place
    await expectItemsMatch(fixture, sent);
    expect(await queueDepth(fixture.sqs, fixture.dlqUrl)).toBe(0);
    const counters = run.processor.counters();
    expect(counters.writeRetries).toBeGreaterThan(0);
    expect(counters.visibilityExtended).toBeGreaterThan(0);
    expect(counters).toMatchObject({ failed: 0, invalid: 0 });
  });
});

/** The default hook's fields, so expectItemsMatch's summary check still applies. */
function summaryOf(body: string) {
  return { sha256: createHash("sha256").update(body).digest("hex") };
}
