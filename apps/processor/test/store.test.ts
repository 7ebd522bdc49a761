import { describe, expect, it } from "vitest";
import { createProcessor } from "../src/consumer.js";
import { buildItem, type RequestItem } from "../src/domain.js";
import type { MessageQueue, QueueMessage } from "../src/queue.js";
import { createDocumentClient, createItemStore, isTransientStoreError, type ItemStore } from "../src/store.js";
import { sharedEmulators } from "../../../test/support/shared-emulators.js";
import { captureLogger } from "../../../test/support/capture-logger.js";
import { createFixture, TEST_CLIENT_CONFIG, scanItems } from "../../../kit/emulator-fixtures.js";

const item = (id: string, payload: Record<string, unknown> = { id }): RequestItem =>
  buildItem({ messageId: id, payload, result: null, sentTimestamp: "0", now: new Date() });

async function realStore() {
  const fixture = await createFixture(sharedEmulators());
  const client = createDocumentClient({ ...TEST_CLIENT_CONFIG, endpoint: fixture.dynamoEndpoint });
  return { fixture, store: createItemStore(client, fixture.tableName) };
}

describe("store: one conditional PutItem per item (DynamoDB Local)", () => {
  it("store: existing items come back as duplicates and stay unchanged; the others are created", async () => {
    // GIVEN an item already stored
    const { fixture, store } = await realStore();
    expect(await store.putAllIfAbsent([item("a", { version: 1 })])).toEqual(["created"]);
    // WHEN a call carries a redelivered copy of it (different content) and two new items
    const results = await store.putAllIfAbsent([item("b"), item("a", { version: 2 }), item("c")]);
    // THEN the copy is a duplicate, the stored item keeps its first content, and the new items are created
    expect(results).toEqual(["created", "duplicate", "created"]);
    const stored = await scanItems(fixture.dynamo, fixture.tableName);
    expect(stored.map((i) => i.requestId).sort()).toEqual(["a", "b", "c"]);
    expect(stored.find((i) => i.requestId === "a")?.payload).toEqual({ version: 1 });
  });

  it("store: with an expiry, each item carries its expiry in epoch seconds; a redelivery keeps the first one", async () => {
    // GIVEN a store whose results expire 7 days after their write
    const fixture = await createFixture(sharedEmulators());
    const client = createDocumentClient({ ...TEST_CLIENT_CONFIG, endpoint: fixture.dynamoEndpoint });
    const retentionSeconds = 7 * 86_400;
    const store = createItemStore(client, fixture.tableName, { attribute: "expiresAt", retentionSeconds });
    // WHEN an item is written, and later a redelivered copy of it
    const before = Math.floor(Date.now() / 1_000);
    expect(await store.putAllIfAbsent([item("exp")])).toEqual(["created"]);
    const after = Math.floor(Date.now() / 1_000);
    const [first] = await scanItems(fixture.dynamo, fixture.tableName);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await store.putAllIfAbsent([item("exp")])).toEqual(["duplicate"]);
    // THEN the expiry is a whole number of seconds, retention after the write, and the copy changed nothing
    expect(first?.expiresAt).toBeGreaterThanOrEqual(before + retentionSeconds);
    expect(first?.expiresAt).toBeLessThanOrEqual(after + retentionSeconds);
    expect(Number.isInteger(first?.expiresAt)).toBe(true);
    expect(await scanItems(fixture.dynamo, fixture.tableName)).toEqual([first]);
  });

  it("store: payload keys named like Object's own properties are stored as they are", async () => {
    // GIVEN a valid payload whose keys the marshaller used to mistake for a class instance's
    const { fixture, store } = await realStore();
    const payload = JSON.parse('{"constructor": [1], "toString": "x", "nested": {"constructor": {"a": null}}}');
    // WHEN it is written
    expect(await store.putAllIfAbsent([item("keys", payload)])).toEqual(["created"]);
    // THEN the stored payload equals it
    expect((await scanItems(fixture.dynamo, fixture.tableName))[0]?.payload).toEqual(payload);
  });

  it("store: counts the write units DynamoDB reports, one per item under 1 KB", async () => {
    const { store } = await realStore();
    await store.putAllIfAbsent([item("w1"), item("w2"), item("w3")]);
    expect(store.consumedWriteUnits?.()).toBe(3);
    // a duplicate is not created, and DynamoDB reports no capacity with the error
    await store.putAllIfAbsent([item("w1")]);
    expect(store.consumedWriteUnits?.()).toBe(3);
  });

  it("store: an item DynamoDB rejects (over 400 KB) fails alone; its neighbours are created", async () => {
    const { fixture, store } = await realStore();
    const results = await store.putAllIfAbsent([
      item("ok-1"),
      item("big", { filler: "x".repeat(450_000) }),
      item("ok-2"),
    ]);
    expect(results[0]).toBe("created");
    expect(results[1]).toMatchObject({ rejected: expect.stringMatching(/ValidationException/) });
    expect(results[2]).toBe("created");
    expect((await scanItems(fixture.dynamo, fixture.tableName)).map((i) => i.requestId).sort()).toEqual([
      "ok-1",
      "ok-2",
    ]);
  });

  it("store: when every put fails transiently (DynamoDB unreachable) the call throws, as one request-level failure", async () => {
    const client = createDocumentClient({ ...TEST_CLIENT_CONFIG, endpoint: "http://127.0.0.1:9" });
    const store = createItemStore(client, "nowhere");
    await expect(store.putAllIfAbsent([item("x"), item("y")])).rejects.toThrow();
    client.destroy();
  });
});

describe("processor: a write rejected as a whole for its content (fake queue and store)", () => {
  it("processor: isolates the items one by one, so only the bad message fails and the rest are deleted", async () => {
    // GIVEN one batch holding a message the store rejects, but only as a whole-call error
    const message = (id: string): QueueMessage => ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: JSON.stringify({ id }),
      sentTimestamp: "0",
      receiveCount: 1,
      attributes: {},
    });
    const batches = [[message("good-1"), message("bad"), message("good-2")]];
    const deleted: string[] = [];
    const queue: MessageQueue = {
      receive: (signal) =>
        batches.length > 0
          ? Promise.resolve(batches.shift()!)
          : new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))),
      deleteBatch: (messages) => {
        deleted.push(...messages.map((m) => m.messageId));
        return Promise.resolve([]);
      },
      changeVisibility: () => Promise.resolve([]),
    };
    const calls: string[][] = [];
    const store: ItemStore = {
      putAllIfAbsent(items) {
        calls.push(items.map((i) => i.requestId));
        if (items.some((i) => i.requestId === "bad"))
          return Promise.reject(
            Object.assign(new Error("Item size has exceeded the maximum allowed size"), {
              name: "ValidationException",
            }),
          );
        return Promise.resolve(items.map(() => "created" as const));
      },
    };
    const processor = createProcessor({
      queue,
      store,
      logger: captureLogger().logger,
      settings: { pollConcurrency: 1, visibilityTimeoutSeconds: 30, shutdownTimeoutSeconds: 6 },
    });
    // WHEN it is processed
    processor.start();
    const deadline = Date.now() + 5_000;
    while (processor.counters().processed + processor.counters().failed < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    await processor.stop();
    // THEN the whole call failed once, then each item went alone, and only "bad" failed
    expect(calls[0]).toEqual(["good-1", "bad", "good-2"]);
    expect(calls.slice(1).every((c) => c.length === 1)).toBe(true);
    expect(processor.counters()).toMatchObject({ processed: 2, failed: 1 });
    expect(deleted.sort()).toEqual(["good-1", "good-2"]);
  });
});

describe("store: which write errors are retried in place", () => {
  const withMetadata = <E extends Error>(error: E, httpStatusCode: number) =>
    Object.assign(error, { $metadata: { httpStatusCode } });

  it.each([
    ["a plain Error from marshalling", new Error("Unsupported type passed: [object Object]")],
    ["a TypeError (a bug, or a value the SDK cannot marshal)", new TypeError("Cannot read properties of undefined")],
    ["a RangeError", new RangeError("Maximum call stack size exceeded")],
    ["a content rejection by DynamoDB", Object.assign(new Error("bad item"), { name: "ValidationException" })],
  ])("store: %s is permanent (its message goes on toward the DLQ)", (_what, error) => {
    expect(isTransientStoreError(error)).toBe(false);
  });

  it.each([
    ["a 5xx answer", withMetadata(Object.assign(new Error("oops"), { name: "InternalServerError" }), 500)],
    ["a TypeError with an HTTP exchange", withMetadata(new TypeError("bad answer"), 502)],
    [
      "a network error with a code",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }),
    ],
    ["a socket hang-up", new Error("socket hang up")],
    ["a timeout", Object.assign(new Error("timed out"), { name: "TimeoutError" })],
  ])("store: %s is transient (retried in place)", (_what, error) => {
    expect(isTransientStoreError(error)).toBe(true);
  });
});
