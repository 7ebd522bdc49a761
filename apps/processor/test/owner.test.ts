import { SendMessageCommand, type MessageAttributeValue } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import {
  createFixture,
  drainBodies,
  scanItems,
  TEST_CLIENT_CONFIG,
  type Fixture,
} from "../../../kit/emulator-fixtures.js";
import { sharedEmulators } from "../../../test/support/shared-emulators.js";
import { createMessageQueue, createSqsClient } from "../src/queue.js";
import { startInProcess, waitForEmptyQueue } from "./support.js";

/**
 * The `owner` message attribute (set by the ingest integration from the request context) against real fauxqs and
 * DynamoDB Local: stored on the item, normalized; a bad one makes the message poison.
 */

async function send(fixture: Fixture, body: string, owner?: MessageAttributeValue): Promise<string> {
  const sent = await fixture.sqs.send(
    new SendMessageCommand({
      QueueUrl: fixture.queueUrl,
      MessageBody: body,
      ...(owner ? { MessageAttributes: { owner } } : {}),
    }),
  );
  return sent.MessageId!;
}

const ownerString = (value: string): MessageAttributeValue => ({ DataType: "String", StringValue: value });

describe("processor: owners (in-process, real fauxqs + DynamoDB Local)", () => {
  it("queue: a receive asks SQS for the owner attribute by name, and only the attributes it names come back", async () => {
    // GIVEN a message carrying the owner and an attribute the processor does not use
    const fixture = await createFixture(sharedEmulators(), { visibilityTimeoutSeconds: 30 });
    const id = await fixture.sqs.send(
      new SendMessageCommand({
        QueueUrl: fixture.queueUrl,
        MessageBody: "{}",
        MessageAttributes: { owner: ownerString("AIDAUSERID"), unused: ownerString("x") },
      }),
    );
    // WHEN the processor's queue adapter receives it (SQS returns no attribute it was not asked for by name; fauxqs
    // returns them all when none is named, so only naming "owner" leaves "unused" out)
    const sqs = createSqsClient({ ...TEST_CLIENT_CONFIG, endpoint: fixture.sqsEndpoint, waitTimeSeconds: 1 });
    const queue = createMessageQueue(sqs, {
      queueUrl: fixture.queueUrl,
      batchSize: 10,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 30,
    });
    try {
      const [received] = await queue.receive();
      // THEN the message carries exactly the owner attribute
      expect(received?.messageId).toBe(id.MessageId);
      expect(received?.attributes).toEqual({ owner: { dataType: "String", stringValue: "AIDAUSERID" } });
    } finally {
      sqs.destroy();
    }
  });

  it("processor: stores the owner attribute (normalized) on the item; a message without one gets no owner", async () => {
    // GIVEN messages with a user's owner, a role session's owner, and none
    const fixture = await createFixture(sharedEmulators(), { visibilityTimeoutSeconds: 30 });
    const user = await send(fixture, '{"n":1}', ownerString("AIDAUSERID"));
    const role = await send(fixture, '{"n":2}', ownerString("AROAROLEID:session-1"));
    const none = await send(fixture, '{"n":3}');

    // WHEN the processor runs until the queue is empty
    const run = startInProcess(fixture);
    try {
      await waitForEmptyQueue(fixture, "every message stored", () => run.processor.counters());
    } finally {
      await run.stop();
    }

    // THEN each item carries its owner; the ownerless one has no owner attribute
    const items = new Map((await scanItems(fixture.dynamo, fixture.tableName)).map((i) => [i.requestId, i]));
    expect(items.size).toBe(3);
    expect(items.get(user)).toMatchObject({ payload: { n: 1 }, owner: "AIDAUSERID" });
    expect(items.get(role)).toMatchObject({ payload: { n: 2 }, owner: "AROAROLEID" });
    expect(items.get(none)).toMatchObject({ payload: { n: 3 } });
    expect(items.get(none)).not.toHaveProperty("owner");
    expect(run.processor.counters()).toMatchObject({ processed: 3, invalid: 0 });
  });

  it("processor: a message whose owner attribute is bad ends in the DLQ like a bad body, logged with the reason", async () => {
    // GIVEN a valid body with an owner that is too long, one with an owner empty before its colon, and a good one
    const fixture = await createFixture(sharedEmulators());
    const tooLong = await send(fixture, '{"bad":"long"}', ownerString("a".repeat(257)));
    const emptyBeforeColon = await send(fixture, '{"bad":"colon"}', ownerString(":session"));
    const good = await send(fixture, '{"good":true}', ownerString("AIDAUSERID"));

    // WHEN the processor runs until the main queue is empty
    const run = startInProcess(fixture);
    try {
      await waitForEmptyQueue(fixture, "bad owners in the DLQ", () => run.processor.counters(), {
        timeoutMs: 40_000,
        deadLetters: 2,
      });
    } finally {
      await run.stop();
    }

    // THEN both bad ones are in the DLQ (never stored, never dropped), each logged once per receive with its reason
    expect((await drainBodies(fixture.sqs, fixture.dlqUrl)).sort()).toEqual(['{"bad":"colon"}', '{"bad":"long"}']);
    const items = await scanItems(fixture.dynamo, fixture.tableName);
    expect(items.map((i) => i.requestId)).toEqual([good]);
    const reasons = (id: string) =>
      run.lines.filter((l) => l.msg === "invalid message left for the DLQ" && l.messageId === id).map((l) => l.reason);
    expect(reasons(tooLong)).toEqual(
      Array(fixture.maxReceiveCount).fill("owner attribute is 257 characters, above the 256-character limit"),
    );
    expect(reasons(emptyBeforeColon)).toEqual(
      Array(fixture.maxReceiveCount).fill('owner attribute is empty before its first ":"'),
    );
  });
});
