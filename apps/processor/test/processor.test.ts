import { inject, describe, expect, it } from "vitest";
import { createFixture, drainBodies, expectItemsMatch, queueDepth, sendBodies, startInProcess, validBodies, waitFor } from "./support.js";

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
