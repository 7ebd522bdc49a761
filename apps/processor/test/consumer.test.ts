import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { captureLogger } from "../../../test/support/capture-logger.js";
import type { ProcessHook } from "../src/domain.js";
import { createProcessor, type ProcessorSettings } from "../src/consumer.js";
import type { QueueMessage } from "../src/queue.js";
import { createCounters, type Counters } from "../src/stats.js";
import type { ItemStore, ItemWriteResult } from "../src/store.js";
import {
  deferred,
  ERROR,
  fakeQueue,
  idle,
  INFO,
  logged,
  message,
  settledNow,
  succeeds,
  WARN,
  type QueueReply,
  type ReceiveReply,
} from "./fake-context.js";

/**
 * The consumer's poll loops, batch handling, liveness, counters and stop, with a scripted fake queue and store (no
 * emulators). Receives past the script wait until stop, like empty long polls. Timers are faked and Math.random is
 * pinned to 0, so receive backoffs are their shortest.
 */

const STOPPING = "stopping: no new receives, finishing in-flight messages";
const BUDGET_SPENT = "shutdown budget nearly spent: releasing unfinished messages";
const RECEIVE_FAILED = "receive failed; backing off";
const BATCH_ERROR = "unexpected error handling a batch";

type StoreReply = () => ItemWriteResult[] | Promise<ItemWriteResult[]>;

function setup(
  options: {
    receive?: ReceiveReply[];
    deleteBatch?: QueueReply[];
    changeVisibility?: QueueReply[];
    store?: StoreReply[];
    writeUnits?: () => number;
    hook?: ProcessHook;
    settings?: Partial<ProcessorSettings>;
  } = {},
) {
  const queue = fakeQueue(options);
  const storeReplies = [...(options.store ?? [])];
  const writes: string[][] = [];
  const store: ItemStore = {
    async putAllIfAbsent(items) {
      writes.push(items.map((i) => i.requestId));
      const reply = storeReplies.shift();
      if (!reply) throw new Error(`unscripted store call ${writes.length}`);
      return reply();
    },
    ...(options.writeUnits ? { consumedWriteUnits: options.writeUnits } : {}),
  };
  const { logger, lines } = captureLogger({ level: "debug" });
  const processor = createProcessor({
    queue,
    store,
    logger,
    settings: { pollConcurrency: 1, visibilityTimeoutSeconds: 30, shutdownTimeoutSeconds: 10, ...options.settings },
    ...(options.hook ? { process: options.hook } : {}),
  });
  return { queue, store, writes, lines, processor };
}

const batch =
  (...messages: QueueMessage[]): ReceiveReply =>
  () =>
    messages;
const stored =
  (...results: ItemWriteResult[]): StoreReply =>
  () =>
    results;
const counters = (changed: Partial<Counters>) => ({ ...createCounters(), ...changed });
const invalid = (id: string) => message(id, { body: "not json" });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(0);
  vi.spyOn(Math, "random").mockReturnValue(0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("consumer: a batch", () => {
  it("consumer: a received batch is written, its durable messages deleted, and every message counted", async () => {
    // GIVEN a batch of a new message, a redelivered one and an invalid one
    const t = setup({
      receive: [batch(message("a"), message("b"), invalid("c"))],
      store: [stored("created", "duplicate")],
      deleteBatch: [succeeds],
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    // THEN the valid ones are written together and both deleted; the invalid one is left for the DLQ
    expect(t.writes).toEqual([["a", "b"]]);
    expect(t.queue.deletes.map((c) => c.ids)).toEqual([["a", "b"]]);
    expect(t.queue.visibilityChanges).toEqual([]);
    expect(t.processor.counters()).toEqual(
      counters({ received: 3, processed: 1, duplicate: 1, invalid: 1, deleted: 2 }),
    );
    // AND the loop is receiving again, on the polling signal
    expect(t.queue.receives).toHaveLength(2);
    expect(t.queue.receives[1]!.signal?.aborted).toBe(false);
    await t.processor.stop();
    expect(t.queue.receives[1]!.signal?.aborted).toBe(true);
  });

  it("consumer: a message whose item is rejected or whose hook fails is neither deleted nor released", async () => {
    const t = setup({
      receive: [batch(message("a"), message("b"), message("c", { body: '{"fail":true}' }))],
      store: [stored("created", { rejected: "ValidationException: too large" })],
      deleteBatch: [succeeds],
      hook: (payload) => {
        if (payload.fail) throw new Error("hook broke");
        return payload;
      },
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.writes).toEqual([["a", "b"]]);
    expect(t.queue.deletes.map((c) => c.ids)).toEqual([["a"]]);
    expect(t.processor.counters()).toEqual(counters({ received: 3, processed: 1, failed: 2, deleted: 1 }));
    await t.processor.stop();
    expect(t.queue.visibilityChanges).toEqual([]);
  });

  it("consumer: the default hook records the body's summary", async () => {
    const puts: unknown[] = [];
    const t = setup({ receive: [batch(message("a", { body: '{"k":1}' }))], deleteBatch: [succeeds] });
    t.store.putAllIfAbsent = (items) => {
      puts.push(...items.map((i) => i.result));
      return Promise.resolve(["created"]);
    };
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(puts).toEqual([{ fieldCount: 1, bytes: 7, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    await t.processor.stop();
  });

  it("consumer: an empty receive is progress but not a batch", async () => {
    const t = setup({ receive: [batch()] });
    vi.setSystemTime(500);
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.writes).toEqual([]);
    expect(t.processor.liveness()).toEqual({ lastPollAt: 500, lastProgressAt: 500, stopping: false });
    expect(t.queue.receives).toHaveLength(2);
    await t.processor.stop();
  });

  it("consumer: while a batch is handled its messages are in flight, and the loop receives again only after it", async () => {
    const write = deferred<ItemWriteResult[]>();
    const deleted = deferred<[]>();
    const t = setup({
      receive: [batch(message("a"), message("b"))],
      store: [() => write.promise],
      deleteBatch: [() => deleted.promise],
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(t.processor.counters()).toEqual(counters({ received: 2, inFlight: 2 }));
    expect(t.queue.receives).toHaveLength(1);
    // WHEN the write is done THEN the batch is still in flight until its delete is
    write.resolve(["created", "created"]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.processor.counters()).toEqual(counters({ received: 2, processed: 2, inFlight: 2 }));
    expect(t.queue.receives).toHaveLength(1);
    deleted.resolve([]);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.processor.counters()).toEqual(counters({ received: 2, processed: 2, deleted: 2 }));
    expect(t.queue.receives).toHaveLength(2);
    await t.processor.stop();
  });

  it("consumer: the batch's messages are extended by the visibility timeout while their hooks run", async () => {
    const t = setup({
      receive: [batch(message("a"))],
      store: [stored("created")],
      deleteBatch: [succeeds],
      changeVisibility: [succeeds, succeeds],
      hook: () => new Promise((resolve) => setTimeout(resolve, 2_500)),
      settings: { visibilityTimeoutSeconds: 3 },
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(t.queue.visibilityChanges.map((c) => [c.ids, c.seconds, c.at])).toEqual([
      [["a"], 3, 1_000],
      [["a"], 3, 2_000],
    ]);
    expect(t.queue.deletes.map((c) => c.at)).toEqual([2_500]);
    await t.processor.stop();
  });

  it.each([
    [undefined, 300_000],
    [2, 2_000],
  ])("consumer: a hook still running after processTimeoutSeconds (%s) fails its message", async (seconds, ms) => {
    const t = setup({
      receive: [batch(message("a"))],
      hook: () => new Promise(() => {}),
      changeVisibility: Array(200).fill(succeeds),
      settings: { processTimeoutSeconds: seconds },
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(ms - 1);
    expect(t.processor.counters().failed).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(t.processor.counters()).toMatchObject({ failed: 1, inFlight: 0 });
    expect(t.writes).toEqual([]);
    await t.processor.stop();
  });

  it("consumer: an unexpected error in a batch is logged with its loop and messageIds, and polling goes on", async () => {
    const t = setup({ receive: [batch(message("a"), message("b"))], store: [stored("bogus" as ItemWriteResult)] });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(logged(t.lines, BATCH_ERROR)).toEqual([
      expect.objectContaining({
        level: ERROR,
        loopId: 0,
        messageIds: ["a", "b"],
        err: expect.objectContaining({ message: expect.stringContaining("unhandled write result") }),
      }),
    ]);
    expect(t.processor.counters()).toEqual(counters({ received: 2 }));
    expect(t.queue.receives).toHaveLength(2);
    await t.processor.stop();
  });
});

describe("consumer: polling", () => {
  it("consumer: start runs pollConcurrency loops and says so", async () => {
    const t = setup({ settings: { pollConcurrency: 3 } });
    t.processor.start();
    expect(t.queue.receives).toHaveLength(3);
    expect(t.lines).toEqual([expect.objectContaining({ level: INFO, msg: "polling started", pollConcurrency: 3 })]);
    await t.processor.stop();
  });

  it("consumer: a failed receive is counted, warned with its loop and attempt, and retried after a growing backoff", async () => {
    const down = () => Promise.reject(new Error("SQS is down"));
    const t = setup({ receive: [idle, down, down, batch(), down], settings: { pollConcurrency: 2 } });
    t.processor.start();
    // Loop 0 waits; loop 1 fails: backoffs of 100 then 200 ms, and back to 100 after a success
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.queue.receives.map((r) => r.at)).toEqual([0, 0, 100, 300, 300, 400]);
    expect(logged(t.lines, RECEIVE_FAILED).map((l) => [l.level, l.loopId, l.attempt])).toEqual([
      [WARN, 1, 1],
      [WARN, 1, 2],
      [WARN, 1, 1],
    ]);
    expect(logged(t.lines, RECEIVE_FAILED)[0]).toMatchObject({ err: { message: "SQS is down" } });
    expect(t.processor.counters()).toEqual(counters({ receiveErrors: 3 }));
    await t.processor.stop();
  });

  it("consumer: liveness: progress at start and on each receive, not on a failed one; a poll time once one returns", async () => {
    const first = deferred<QueueMessage[]>();
    const t = setup({ receive: [() => first.promise, () => Promise.reject(new Error("SQS is down"))] });
    vi.setSystemTime(500);
    t.processor.start();
    expect(t.processor.liveness()).toEqual({ lastPollAt: undefined, lastProgressAt: 500, stopping: false });
    await vi.advanceTimersByTimeAsync(1_000);
    first.resolve([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.processor.liveness()).toEqual({ lastPollAt: 1_500, lastProgressAt: 1_500, stopping: false });
    await t.processor.stop();
    expect(t.processor.liveness().stopping).toBe(true);
  });

  it("consumer: the counters are logged every statsIntervalSeconds (60 by default), with the store's write units", async () => {
    const t = setup({ writeUnits: () => 7 });
    const u = setup({ settings: { statsIntervalSeconds: 5 } });
    t.processor.start();
    u.processor.start();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(logged(u.lines, "counters")).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(logged(u.lines, "counters")).toEqual([expect.objectContaining({ level: INFO, counters: counters({}) })]);
    await vi.advanceTimersByTimeAsync(54_999);
    expect(logged(t.lines, "counters")).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(logged(t.lines, "counters")).toEqual([expect.objectContaining({ counters: counters({ writeUnits: 7 }) })]);
    expect(t.processor.counters()).toEqual(counters({ writeUnits: 7 }));
    await Promise.all([t.processor.stop(), u.processor.stop()]);
  });

  it("consumer: start twice, or after stop, throws", async () => {
    const t = setup();
    t.processor.start();
    expect(() => t.processor.start()).toThrow("processor already started");
    await t.processor.stop();
    const u = setup();
    await u.processor.stop();
    expect(() => u.processor.start()).toThrow("processor already started");
    expect(u.queue.receives).toEqual([]);
  });
});

describe("consumer: stop", () => {
  it("consumer: stop receives no more, waits for the batch in flight, logs the counters, and leaves no timer", async () => {
    const write = deferred<ItemWriteResult[]>();
    const t = setup({ receive: [batch(message("a"))], store: [() => write.promise], deleteBatch: [succeeds] });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopped = t.processor.stop();
    expect(t.processor.stop()).toBe(stopped);
    expect(logged(t.lines, STOPPING)).toEqual([expect.objectContaining({ level: INFO, inFlight: 1 })]);
    expect(await settledNow(stopped)).toBe(false);
    write.resolve(["created"]);
    await stopped;
    expect(t.queue.receives).toHaveLength(1);
    expect(logged(t.lines, "stopped")).toEqual([
      expect.objectContaining({ level: INFO, counters: counters({ received: 1, processed: 1, deleted: 1 }) }),
    ]);
    expect(logged(t.lines, RECEIVE_FAILED)).toEqual([]);
    expect(logged(t.lines, BUDGET_SPENT)).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("consumer: stop ends the pending receives, which are not receive errors", async () => {
    const t = setup({ settings: { pollConcurrency: 2 } });
    t.processor.start();
    await t.processor.stop();
    expect(t.queue.receives.map((r) => r.signal?.aborted)).toEqual([true, true]);
    expect(t.processor.counters()).toEqual(counters({}));
    expect(logged(t.lines, RECEIVE_FAILED)).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("consumer: a batch received just as stop begins is still handled before stop resolves", async () => {
    const received = deferred<QueueMessage[]>();
    const write = deferred<ItemWriteResult[]>();
    const t = setup({ receive: [() => received.promise], store: [() => write.promise], deleteBatch: [succeeds] });
    t.processor.start();
    received.resolve([message("a")]);
    const stopped = t.processor.stop();
    expect(await settledNow(stopped)).toBe(false);
    expect(t.writes).toEqual([["a"]]);
    write.resolve(["created"]);
    await stopped;
    expect(t.processor.counters()).toEqual(counters({ received: 1, processed: 1, deleted: 1 }));
    expect(t.queue.receives).toHaveLength(1);
  });

  it.each([
    [10, 5_000],
    [3, 1_000],
  ])("consumer: with a shutdown budget of %s s, unfinished messages are released after %s ms", async (seconds, ms) => {
    const t = setup({
      receive: [batch(message("a"), message("b"))],
      hook: (payload) => (payload.n === "a" ? new Promise(() => {}) : null),
      changeVisibility: [succeeds],
      settings: { shutdownTimeoutSeconds: seconds, visibilityTimeoutSeconds: 600 },
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopped = t.processor.stop();
    await vi.advanceTimersByTimeAsync(ms - 1);
    expect(logged(t.lines, BUDGET_SPENT)).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await stopped;
    expect(logged(t.lines, BUDGET_SPENT)).toEqual([expect.objectContaining({ level: WARN, inFlight: 2 })]);
    // b's hook was done, but the batch is written once all its hooks are: nothing was written
    expect(t.queue.visibilityChanges.map((c) => [c.ids, c.seconds])).toEqual([[["a", "b"], 0]]);
    expect(t.writes).toEqual([]);
    expect(t.processor.counters()).toEqual(counters({ received: 2, released: 2 }));
  });

  it("consumer: a message the write could not finish before the budget ran out is released", async () => {
    const t = setup({
      receive: [batch(message("a"))],
      store: Array(20).fill(stored("contended")),
      changeVisibility: [succeeds],
      settings: { shutdownTimeoutSeconds: 6 },
    });
    t.processor.start();
    await vi.advanceTimersByTimeAsync(0);
    const stopped = t.processor.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
    expect(t.queue.visibilityChanges.map((c) => [c.ids, c.seconds])).toEqual([[["a"], 0]]);
    // Writes at 0, 50, 150, 350 and 750 ms; the budget ran out during the fifth backoff
    expect(t.writes).toHaveLength(5);
    expect(t.processor.counters()).toEqual(counters({ received: 1, writeRetries: 5, released: 1 }));
  });
});
