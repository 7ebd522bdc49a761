import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { createProcessor } from "../src/consumer.js";
import type { MessageQueue, QueueMessage } from "../src/queue.js";
import type { RequestItem } from "../src/domain.js";
import type { ItemStore } from "../src/store.js";
import { createGroupWriter } from "../src/writer.js";

const item = (id: string): RequestItem => ({ requestId: id, status: "processed", payload: {}, result: null, receivedAt: "", processedAt: "" });

/** A store that records each request and answers after a tick; ids starting with "dup" already exist. */
function recordingStore() {
  const requests: string[][] = [];
  const store: ItemStore = {
    async putAllIfAbsent(items) {
      requests.push(items.map((i) => i.requestId));
      await new Promise((resolve) => setTimeout(resolve, 5));
      return items.map((i) => (i.requestId.startsWith("dup") ? "duplicate" : "created"));
    },
  };
  return { store, requests };
}

describe("writer: group commit", () => {
  it("writer: batches submitted while a write is in flight go out together, each getting its own results", async () => {
    // GIVEN one write slot WHEN four batches are submitted at once
    const { store, requests } = recordingStore();
    const writer = createGroupWriter(store, 1);
    const results = await Promise.all([
      writer.write([item("a1"), item("a2")], 100),
      writer.write([item("b1"), item("dup-b2")], 100),
      writer.write([item("c1")], 100),
    ]);
    // THEN they share one request and each batch gets its items' results in order
    expect(requests).toEqual([["a1", "a2", "b1", "dup-b2", "c1"]]);
    expect(results).toEqual([["created", "created"], ["created", "duplicate"], ["created"]]);
  });

  it("writer: caps a request at 50 items and never puts two copies of one item in the same request", async () => {
    const { store, requests } = recordingStore();
    const writer = createGroupWriter(store, 1);
    const batches = Array.from({ length: 6 }, (_, b) => Array.from({ length: 10 }, (_, i) => item(`m${b}-${i}`)));
    // a redelivered copy of m0-0 arrives right behind its first delivery
    const [first, ...rest] = batches.map((batch) => () => writer.write(batch, 100));
    await Promise.all([first!(), writer.write([item("m0-0")], 100), ...rest.map((write) => write())]);
    expect(requests.map((r) => r.length)).toEqual([10, 41, 10]);
    for (const r of requests) expect(new Set(r).size).toBe(r.length);
  });

  it("writer: a request-level error rejects every batch that travelled in it", async () => {
    const writer = createGroupWriter({ putAllIfAbsent: async () => Promise.reject(new Error("boom")) }, 1);
    const outcomes = await Promise.allSettled([writer.write([item("x")], 1), writer.write([item("y")], 1)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
  });
});

describe("processor with group commit (fake queue and store)", () => {
  it("processor: when a coalesced write is rejected for one item, only that message fails (not an innocent batch of one)", async () => {
    // GIVEN two batches received together: a lone valid message, and a batch holding one DynamoDB will reject
    const message = (id: string): QueueMessage => ({ messageId: id, receiptHandle: `rh-${id}`, body: JSON.stringify({ id }), sentTimestamp: "0", receiveCount: 1 });
    const batches = [[message("good-1")], [message("bad"), message("good-2")]];
    const deleted: string[] = [];
    const queue: MessageQueue = {
      receive: (signal) =>
        batches.length > 0
          ? Promise.resolve(batches.shift()!)
          : new Promise((_, reject) => signal?.addEventListener("abort", () => reject(new Error("aborted")))),
      deleteBatch: async (messages) => {
        deleted.push(...messages.map((m) => m.messageId));
        return [];
      },
      changeVisibility: async () => [],
    };
    const requests: string[][] = [];
    const store: ItemStore = {
      async putAllIfAbsent(items) {
        requests.push(items.map((i) => i.requestId));
        if (items.some((i) => i.requestId === "bad")) throw Object.assign(new Error("Item size has exceeded the maximum allowed size"), { name: "ValidationException" });
        return items.map(() => "created" as const);
      },
    };
    const processor = createProcessor({
      queue,
      store,
      logger: pino({ level: "silent" }),
      settings: { pollConcurrency: 2, visibilityTimeoutSeconds: 30, shutdownTimeoutSeconds: 6 },
    });
    // WHEN they are processed
    processor.start();
    const deadline = Date.now() + 5_000;
    while (processor.counters().processed + processor.counters().failed < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await processor.stop();
    // THEN the rejected request held both batches, the items were isolated, and only "bad" failed
    expect(requests[0]?.sort()).toEqual(["bad", "good-1", "good-2"]);
    expect(processor.counters()).toMatchObject({ processed: 2, failed: 1 });
    expect(deleted.sort()).toEqual(["good-1", "good-2"]);
  });
});
