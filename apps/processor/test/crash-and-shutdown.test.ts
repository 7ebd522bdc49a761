import { describe, expect, it } from "vitest";
import type { Counters } from "../src/stats.js";
import {
  countItems,
  createFixture,
  queueDepth,
  scanItems,
  sendBodies,
  validBodies,
} from "../../../kit/emulator-fixtures.js";
import { expectItemsMatch, spawnProcessor, startDynamoGate, startInProcess, waitForEmptyQueue } from "./support.js";
import { sharedEmulators } from "../../../test/support/shared-emulators.js";
import { waitFor } from "../../../test/support/wait-for.js";

/** The real service process (`node --import tsx apps/processor/src/main.ts`), killed or stopped by signal. */
const MESSAGES = 800;

describe("processor process: crash and shutdown", () => {
  it("processor: SIGKILL mid-run then restart loses no valid message and overwrites nothing", async () => {
    // GIVEN a running processor part-way through 800 messages
    const fixture = await createFixture(sharedEmulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(MESSAGES, "sigkill"));
    const first = spawnProcessor(fixture);
    await first.waitForLog("polling started", (l) => l.msg === "polling started");
    await waitFor(
      "the first items to be written",
      async () => (await countItems(fixture.dynamo, fixture.tableName)) > 0,
      { intervalMs: 50 },
    );

    // WHEN it is killed without warning (in-flight messages are neither deleted nor released)
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");
    const before = new Map(
      (await scanItems(fixture.dynamo, fixture.tableName)).map((i) => [i.requestId, i.processedAt]),
    );
    expect(before.size, "the kill must land mid-run").toBeLessThan(MESSAGES);

    // AND a new process takes over
    const second = spawnProcessor(fixture);
    try {
      await waitForEmptyQueue(fixture, "the restarted processor to drain the queue", () => second.lines.at(-1), {
        timeoutMs: 45_000,
      });
    } finally {
      second.child.kill("SIGTERM");
    }
    expect(await second.exited).toBe(0);

    // THEN every message has exactly one item, items written before the crash were not overwritten, DLQ empty
    const items = await expectItemsMatch(fixture, sent);
    for (const item of items) if (before.has(item.requestId)) expect(item.processedAt).toBe(before.get(item.requestId));
    expect(await queueDepth(fixture.sqs, fixture.dlqUrl)).toBe(0);
  });

  it("processor: SIGTERM mid-batch (then a second one) exits 0 within the shutdown budget; every message is stored or still on the queue", async () => {
    // GIVEN a running processor part-way through 800 messages, with a 10 s shutdown budget, writing through a gate
    const fixture = await createFixture(sharedEmulators());
    const gate = await startDynamoGate(fixture.dynamoEndpoint);
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(MESSAGES, "sigterm"));
    const proc = spawnProcessor(fixture, { SHUTDOWN_TIMEOUT_SECONDS: "10", AWS_ENDPOINT_URL_DYNAMODB: gate.endpoint });
    let code: number | string;
    try {
      await proc.waitForLog("polling started", (l) => l.msg === "polling started");
      await waitFor(
        "the first items to be written",
        async () => (await countItems(fixture.dynamo, fixture.tableName)) > 0,
        { intervalMs: 50 },
      );
      // Hold its next writes, so the drain is still running when the second signal comes (else a fast drain could
      // exit before it, and the test would prove nothing about a second signal).
      gate.hold();
      await waitFor("a write to be held at the gate", () => gate.held() > 0, { intervalMs: 20 });

      // WHEN it receives SIGTERM, and another one while it drains
      proc.child.kill("SIGTERM");
      await proc.waitForLog("shutdown requested", (l) => l.msg === "shutdown requested");
      proc.child.kill("SIGTERM");
      await proc.waitForLog(
        "the second signal to be ignored",
        (l) => l.msg === "shutdown already in progress; signal ignored",
      );
      gate.open();
      code = await Promise.race([
        proc.exited,
        new Promise<string>((resolve) =>
          setTimeout(() => resolve("still running 15 s after SIGTERM (budget 10 s)"), 15_000),
        ),
      ]);
      if (code !== 0) proc.child.kill("SIGKILL");
    } finally {
      gate.open();
      await gate.close();
    }

    // THEN it exits cleanly (the second signal did not cut the drain short), having finished (deleted) or released
    // everything it held when the signal came mid-batch
    expect(code).toBe(0);
    const stopping = proc.lines.find((l) => l.msg === "stopping: no new receives, finishing in-flight messages");
    expect(stopping?.inFlight, "messages in flight when shutdown began").toBeGreaterThan(0);
    const stopped = proc.lines.find((l) => l.msg === "stopped") as { counters: Counters } | undefined;
    expect(stopped, "final counters logged").toBeDefined();
    const c = stopped!.counters;
    expect(c.inFlight).toBe(0);
    expect(c.processed + c.duplicate).toBe(c.deleted + c.deleteFailures);
    expect(proc.lines.some((l) => l.msg === "shutdown complete")).toBe(true);
    // AND nothing is lost: stored items plus messages still on the queue account for every message
    const stored = await countItems(fixture.dynamo, fixture.tableName);
    expect(stored).toBeLessThan(MESSAGES);
    expect(stored + (await queueDepth(fixture.sqs, fixture.queueUrl))).toBe(MESSAGES);

    // AND a processor started afterwards stores the rest, each exactly once
    const rest = startInProcess(fixture);
    try {
      await waitForEmptyQueue(fixture, "the rest to be processed", () => rest.processor.counters(), {
        timeoutMs: 30_000,
      });
    } finally {
      await rest.stop();
    }
    await expectItemsMatch(fixture, sent);
    expect(await queueDepth(fixture.sqs, fixture.dlqUrl)).toBe(0);
  });
});
