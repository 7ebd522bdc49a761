import { describe, expect, it } from "vitest";
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
