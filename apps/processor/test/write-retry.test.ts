import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { captureLogger } from "../../../test/support/capture-logger.js";
import type { RequestItem } from "../src/domain.js";
import type { Prepared } from "../src/hook.js";
import type { MessageQueue, QueueMessage } from "../src/queue.js";
import type { Outcome, RunContext } from "../src/run-context.js";
import { createCounters, type Counters } from "../src/stats.js";
import type { ItemStore, ItemWriteResult } from "../src/store.js";
import { createWriter } from "../src/write-retry.js";
import { fakeLease } from "./fake-context.js";

/**
 * The writer alone, against a scripted fake ItemStore (no emulators): every WriteResult kind, the retry and backoff
 * loop, isolation of a content rejection, and release on shutdown. Timers are faked, so backoffs cost no real time.
 */

const NOW = new Date("2026-01-02T03:04:05.000Z");
const SENT = "1700000000000";

/** pino's numeric levels, as the capture logger records them. */
const DEBUG = 20;
const INFO = 30;
const WARN = 40;
const ERROR = 50;

/** A transient request-level error, as the SDK throws it for a 503 (isTransientStoreError: true). */
const transientError = (message = "Service Unavailable") =>
  Object.assign(new Error(message), { name: "ServiceUnavailable", $metadata: { httpStatusCode: 503 } });
/** A content rejection of the whole request (isTransientStoreError: false). */
const contentError = (message = "One or more parameter values were invalid") =>
  Object.assign(new Error(message), { name: "ValidationException", $metadata: { httpStatusCode: 400 } });

/** One scripted reply of the fake store: the per-item results, or a throw. */
type Reply = (items: readonly RequestItem[]) => ItemWriteResult[];
const each =
  (result: ItemWriteResult): Reply =>
  (items) =>
    items.map(() => result);
const results =
  (...list: ItemWriteResult[]): Reply =>
  () =>
    list;
const throws =
  (error: unknown, before?: () => void): Reply =>
  () => {
    before?.();
    throw error;
  };

interface StoreCall {
  readonly ids: string[];
  readonly items: readonly RequestItem[];
  readonly signal: AbortSignal | undefined;
}

function fakeStore(replies: Reply[]): ItemStore & { calls: StoreCall[] } {
  const calls: StoreCall[] = [];
  return {
    calls,
    // eslint-disable-next-line @typescript-eslint/require-await -- the interface is async; a throw must reject
    async putAllIfAbsent(items, signal) {
      calls.push({ ids: items.map((i) => i.requestId), items, signal });
      const reply = replies.shift();
      if (!reply) throw new Error(`unscripted store call ${calls.length}`);
      return reply(items);
    },
  };
}

function setup(replies: Reply[]) {
  const { logger, lines } = captureLogger({ level: "debug" });
  const polling = new AbortController();
  const work = new AbortController();
  const counters = createCounters();
  const store = fakeStore(replies);
  const progress = vi.fn();
  const ctx: RunContext = {
    queue: {} as MessageQueue,
    store,
    logger,
    counters,
    hook: () => null,
    processTimeoutMs: 1_000,
    visibilityTimeoutSeconds: 30,
    polling: polling.signal,
    work: work.signal,
    progress,
  };
  const lease = fakeLease();
  const entry = (id: string, extra: Partial<QueueMessage> = {}, owner = ""): Prepared => {
    const message: QueueMessage = {
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: JSON.stringify({ n: id }),
      sentTimestamp: SENT,
      receiveCount: 1,
      attributes: {},
      ...extra,
    };
    return { message, payload: { n: id }, result: { r: id }, owner, log: logger.child({ messageId: id }) };
  };
  return { ctx, store, lease, lines, counters, progress, work, entry, writer: createWriter(ctx) };
}

/** Lets the write finish, firing the backoff timers it sets. */
async function settle<T>(promise: Promise<T>): Promise<T> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 100 && !done; i++) await vi.runAllTimersAsync();
  return promise;
}

const outcomes = (pairs: Record<string, Outcome>) => new Map(Object.entries(pairs));
const expectCounters = (counters: Counters, changed: Partial<Counters>) =>
  expect(counters).toEqual({ ...createCounters(), ...changed });
/** The log lines with this message text. */
const logged = (lines: Record<string, unknown>[], msg: string) => lines.filter((l) => l.msg === msg);
const RETRY = "write failed; retrying";
const REJECTED = "item rejected by DynamoDB; message left for redelivery";
const DUPLICATE = "item already stored (redelivery); deleting the message";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
});

describe("writer: one attempt", () => {
  it("writer: writes the batch's items in one call (with the work signal) and reports them created", async () => {
    // GIVEN two prepared messages WHEN the store creates both
    const t = setup([each("created")]);
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b", { sentTimestamp: undefined })], t.lease);
    // THEN one call carried both items, built from the messages, and both are created and counted
    expect(t.store.calls).toHaveLength(1);
    expect(t.store.calls[0]!.signal).toBe(t.ctx.work);
    expect(t.store.calls[0]!.items).toEqual([
      {
        requestId: "a",
        status: "processed",
        payload: { n: "a" },
        result: { r: "a" },
        receivedAt: new Date(Number(SENT)).toISOString(),
        processedAt: NOW.toISOString(),
      },
      {
        requestId: "b",
        status: "processed",
        payload: { n: "b" },
        result: { r: "b" },
        receivedAt: NOW.toISOString(),
        processedAt: NOW.toISOString(),
      },
    ]);
    expect(result).toEqual(outcomes({ a: "created", b: "created" }));
    expectCounters(t.counters, { processed: 2 });
    expect(t.progress).toHaveBeenCalledTimes(2);
    expect(t.lease.dropped).toEqual([]);
    expect(t.lines).toEqual([]);
  });

  it("writer: each item carries its message's owner; a message without one writes no owner attribute", async () => {
    const t = setup([each("created")]);
    await t.writer.writeAll([t.entry("a", {}, "AIDAUSERID"), t.entry("b")], t.lease);
    expect(t.store.calls[0]!.items.map((item) => item.owner)).toEqual(["AIDAUSERID", undefined]);
    expect(t.store.calls[0]!.items[1]).not.toHaveProperty("owner");
  });

  it("writer: a duplicate is reported, counted and logged per message, and counts as progress", async () => {
    // GIVEN an item that already exists WHEN written
    const t = setup([results("duplicate", "created")]);
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b")], t.lease);
    // THEN it is a duplicate (deleted by the caller), logged once with its messageId
    expect(result).toEqual(outcomes({ a: "duplicate", b: "created" }));
    expectCounters(t.counters, { duplicate: 1, processed: 1 });
    expect(t.progress).toHaveBeenCalledTimes(2);
    expect(t.lines).toEqual([expect.objectContaining({ level: INFO, messageId: "a", msg: DUPLICATE })]);
    expect(t.lease.dropped).toEqual([]);
  });

  it("writer: an item the store rejects fails alone: dropped from the lease, counted, logged with the reason", async () => {
    // GIVEN a store that rejects one item of three
    const t = setup([results("created", { rejected: "ValidationException: item too large" }, "duplicate")]);
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b"), t.entry("c")], t.lease);
    // THEN only that message fails (left for redelivery), with no resend, and the reason is what users read
    expect(result).toEqual(outcomes({ a: "created", b: "failed", c: "duplicate" }));
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b", "c"]]);
    expectCounters(t.counters, { processed: 1, failed: 1, duplicate: 1 });
    expect(t.lease.dropped).toEqual(["b"]);
    expect(t.progress).toHaveBeenCalledTimes(2);
    expect(logged(t.lines, REJECTED)).toEqual([
      expect.objectContaining({ level: ERROR, messageId: "b", reason: "ValidationException: item too large" }),
    ]);
  });

  it("writer: the same messageId twice in one batch is written once", async () => {
    // GIVEN SQS handed out message a twice WHEN the batch is written
    const t = setup([each("created")]);
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b"), t.entry("a")], t.lease);
    // THEN a single item is sent for it
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b"]]);
    expect(result).toEqual(outcomes({ a: "created", b: "created" }));
    expectCounters(t.counters, { processed: 2 });
  });

  it("writer: an empty batch makes no call", async () => {
    const t = setup([]);
    expect(await t.writer.writeAll([], t.lease)).toEqual(new Map());
    expect(t.store.calls).toEqual([]);
  });

  it("writer: a per-item result the store does not know is a bug, not a silent drop", async () => {
    // GIVEN a store that answers with an unknown result WHEN written THEN the writer throws, naming it
    const t = setup([results("bogus" as ItemWriteResult)]);
    await expect(t.writer.writeAll([t.entry("a")], t.lease)).rejects.toThrow('unhandled write result {"kind":"bogus"}');
  });
});

describe("writer: content rejection of a request", () => {
  it("writer: a multi-item request rejected for its content is resent one by one; only the culprit fails", async () => {
    // GIVEN the request of three items is rejected, then b alone is rejected again
    const t = setup([
      throws(contentError()),
      results("created"),
      throws(contentError("b is bad")),
      results("duplicate"),
    ]);
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b"), t.entry("c")], t.lease);
    // THEN the items went out together once, then each alone, without a backoff
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b", "c"], ["a"], ["b"], ["c"]]);
    expect(result).toEqual(outcomes({ a: "created", b: "failed", c: "duplicate" }));
    expectCounters(t.counters, { processed: 1, failed: 1, duplicate: 1 });
    expect(t.lease.dropped).toEqual(["b"]);
    expect(logged(t.lines, RETRY)).toEqual([]);
    expect(logged(t.lines, REJECTED)).toEqual([
      expect.objectContaining({ level: ERROR, messageId: "b", reason: "ValidationException: b is bad" }),
    ]);
  });

  it("writer: a one-item request rejected for its content fails at once (nothing to isolate)", async () => {
    // GIVEN a single item whose request is rejected for its content
    const t = setup([throws(contentError("bad item"))]);
    const result = await t.writer.writeAll([t.entry("a")], t.lease);
    // THEN it is not resent: it was already alone
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a"]]);
    expect(result).toEqual(outcomes({ a: "failed" }));
    expectCounters(t.counters, { failed: 1 });
    expect(t.lease.dropped).toEqual(["a"]);
    expect(logged(t.lines, REJECTED)).toEqual([
      expect.objectContaining({ messageId: "a", reason: "ValidationException: bad item" }),
    ]);
  });

  it("writer: a thrown non-Error is a content rejection, its text the reason", async () => {
    // GIVEN a store that throws a string (no name, no metadata: not transient)
    const t = setup([throws("boom"), throws("boom"), results("created")]);
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b")], t.lease);
    // THEN isolation finds a, whose reason is the thrown text
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b"], ["a"], ["b"]]);
    expect(result).toEqual(outcomes({ a: "failed", b: "created" }));
    expect(logged(t.lines, REJECTED)).toEqual([expect.objectContaining({ messageId: "a", reason: "boom" })]);
  });

  it("writer: isolated items that fail transiently are retried one by one after a backoff", async () => {
    // GIVEN isolation after a content rejection, then a and b contended alone
    const t = setup([
      throws(contentError()),
      results("contended"),
      results("contended"),
      results("created"),
      results("created"),
      results("created"),
    ]);
    const result = await settle(t.writer.writeAll([t.entry("a"), t.entry("b"), t.entry("c")], t.lease));
    // THEN the resend keeps them apart
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b", "c"], ["a"], ["b"], ["c"], ["a"], ["b"]]);
    expect(result).toEqual(outcomes({ a: "created", b: "created", c: "created" }));
    expectCounters(t.counters, { processed: 3, writeRetries: 1 });
  });
});

describe("writer: transient failures", () => {
  it("writer: a transient request failure backs off, retries and logs a warning with the error", async () => {
    // GIVEN a request that fails with a 503, then succeeds
    const t = setup([throws(transientError("DynamoDB is down")), each("created")]);
    const write = t.writer.writeAll([t.entry("a"), t.entry("b")], t.lease);
    // WHEN less than the shortest first backoff (50 ms) has passed THEN nothing was resent yet
    await vi.advanceTimersByTimeAsync(49);
    expect(t.store.calls).toHaveLength(1);
    // WHEN the longest first backoff (100 ms) has passed THEN the whole request was resent
    await vi.advanceTimersByTimeAsync(51);
    expect(t.store.calls.map((c) => c.ids)).toEqual([
      ["a", "b"],
      ["a", "b"],
    ]);
    expect(await write).toEqual(outcomes({ a: "created", b: "created" }));
    expectCounters(t.counters, { processed: 2, writeRetries: 1 });
    expect(t.lease.dropped).toEqual([]);
    expect(logged(t.lines, RETRY)).toEqual([
      expect.objectContaining({
        level: WARN,
        attempt: 1,
        pending: 2,
        err: expect.objectContaining({ type: "Error", message: "DynamoDB is down" }),
      }),
    ]);
  });

  it("writer: a contended item is resent alone after a backoff; the others are not written twice", async () => {
    // GIVEN b's own put fails transiently
    const t = setup([results("created", "contended", "created"), results("created")]);
    const result = await settle(t.writer.writeAll([t.entry("a"), t.entry("b"), t.entry("c")], t.lease));
    // THEN only b is resent
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b", "c"], ["b"]]);
    expect(result).toEqual(outcomes({ a: "created", b: "created", c: "created" }));
    expectCounters(t.counters, { processed: 3, writeRetries: 1 });
    expect(logged(t.lines, RETRY)).toEqual([expect.objectContaining({ level: WARN, attempt: 1, pending: 1 })]);
    expect(logged(t.lines, RETRY)[0]).not.toHaveProperty("err");
  });

  it("writer: a retry line reports its own batch's request error, never an earlier batch's", async () => {
    // GIVEN a batch that met a 503 and then succeeded, and a later batch whose own put only contends
    const t = setup([
      throws(transientError("first batch's 503")),
      each("created"),
      results("contended"),
      each("created"),
    ]);
    await settle(t.writer.writeAll([t.entry("a")], t.lease));
    await settle(t.writer.writeAll([t.entry("b")], t.lease));
    // THEN the first retry line carries the 503, and the second carries no error at all
    const [first, second] = logged(t.lines, RETRY);
    expect((first?.err as { message?: string } | undefined)?.message).toBe("first batch's 503");
    expect(second).not.toHaveProperty("err");
  });

  it("writer: a missing per-item result is treated as contended and resent", async () => {
    // GIVEN a store that answers for the first item only
    const t = setup([results("created"), results("duplicate")]);
    const result = await settle(t.writer.writeAll([t.entry("a"), t.entry("b")], t.lease));
    // THEN b is resent after a backoff
    expect(t.store.calls.map((c) => c.ids)).toEqual([["a", "b"], ["b"]]);
    expect(result).toEqual(outcomes({ a: "created", b: "duplicate" }));
    expectCounters(t.counters, { processed: 1, duplicate: 1, writeRetries: 1 });
  });

  it("writer: during an outage it warns at attempt 1 and every 10th, and logs the others at debug", async () => {
    // GIVEN eleven transient failures, then success
    const t = setup([...Array.from({ length: 11 }, () => throws(transientError())), each("created")]);
    const result = await settle(t.writer.writeAll([t.entry("a")], t.lease));
    // THEN twelve calls, eleven retries, and two warnings among the eleven retry lines
    expect(t.store.calls).toHaveLength(12);
    expect(result).toEqual(outcomes({ a: "created" }));
    expectCounters(t.counters, { processed: 1, writeRetries: 11 });
    expect(logged(t.lines, RETRY).map((l) => [l.attempt, l.level])).toEqual([
      [1, WARN],
      [2, DEBUG],
      [3, DEBUG],
      [4, DEBUG],
      [5, DEBUG],
      [6, DEBUG],
      [7, DEBUG],
      [8, DEBUG],
      [9, DEBUG],
      [10, WARN],
      [11, DEBUG],
    ]);
  });
});

describe("writer: shutdown", () => {
  it("writer: with the shutdown budget already spent, nothing is written and everything is released", async () => {
    const t = setup([each("created")]);
    t.work.abort();
    const result = await t.writer.writeAll([t.entry("a"), t.entry("b")], t.lease);
    expect(t.store.calls).toEqual([]);
    expect(result).toEqual(outcomes({ a: "release", b: "release" }));
    expectCounters(t.counters, {});
  });

  it("writer: a request that throws after the abort is released, not retried or rejected", async () => {
    // GIVEN the budget runs out during the request, which then fails with a transient error
    const s = setup([throws(transientError(), () => s.work.abort())]);
    const result = await s.writer.writeAll([s.entry("a"), s.entry("b")], s.lease);
    // THEN both are released (the write may have landed), with no retry and no retry line
    expect(s.store.calls).toHaveLength(1);
    expect(result).toEqual(outcomes({ a: "release", b: "release" }));
    expectCounters(s.counters, {});
    expect(s.lines).toEqual([]);
    expect(s.lease.dropped).toEqual([]);
  });

  it("writer: an isolated item whose request fails after the abort is released, not blamed", async () => {
    // GIVEN isolation, then the budget runs out while a's lone request is rejected
    const s = setup([throws(contentError()), throws(contentError(), () => s.work.abort()), results("created")]);
    const result = await s.writer.writeAll([s.entry("a"), s.entry("b")], s.lease);
    // THEN a is released (its message comes back), b's result stands
    expect(s.store.calls.map((c) => c.ids)).toEqual([["a", "b"], ["a"], ["b"]]);
    expect(result).toEqual(outcomes({ a: "release", b: "created" }));
    expectCounters(s.counters, { processed: 1 });
    expect(s.lease.dropped).toEqual([]);
  });

  it("writer: an abort during the backoff ends it at once and releases what is pending", async () => {
    // GIVEN a transient failure, so the writer sleeps before resending
    const t = setup([results("created", "contended")]);
    const write = t.writer.writeAll([t.entry("a"), t.entry("b")], t.lease);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.store.calls).toHaveLength(1);
    // WHEN the shutdown budget runs out, no timer advancing
    t.work.abort();
    // THEN the write returns without resending: a is created, b released
    expect(await write).toEqual(outcomes({ a: "created", b: "release" }));
    expect(t.store.calls).toHaveLength(1);
    expectCounters(t.counters, { processed: 1, writeRetries: 1 });
  });
});
