import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deleteDurable } from "../src/acks.js";
import {
  combine,
  expectCounters,
  failsFor,
  fakeQueue,
  logged,
  message,
  rejects,
  settledNow,
  succeeds,
  testContext,
  WARN,
} from "./fake-context.js";

/**
 * Deleting the messages whose item is durable, against a scripted fake queue: per-entry failures, sender faults,
 * retries with backoff, shutdown. Timers are faked and Math.random is pinned to 0, so the backoffs are their shortest
 * (50, 100, 200, 400 ms) and cost no real time.
 */

const REJECTED = "delete rejected; the redelivery will be a duplicate";
const DELETE_FAILED = "delete failed";
const GAVE_UP = "could not delete; the redelivery will be a duplicate";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(0);
  vi.spyOn(Math, "random").mockReturnValue(0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("acks: one attempt", () => {
  it("acks: deletes the messages in one call, counts them and records progress, with no backoff", async () => {
    const queue = fakeQueue({ deleteBatch: [succeeds] });
    const t = testContext(queue);
    expect(await settledNow(deleteDurable(t.ctx, [message("a"), message("b")]))).toBe(true);
    expect(queue.deletes).toEqual([{ ids: ["a", "b"], signal: undefined, at: 0 }]);
    expectCounters(t.counters, { deleted: 2 });
    expect(t.progress).toHaveBeenCalledTimes(1);
    expect(t.lines).toEqual([]);
  });

  it("acks: nothing to delete makes no call and records no progress", async () => {
    const queue = fakeQueue({});
    const t = testContext(queue);
    expect(await settledNow(deleteDurable(t.ctx, []))).toBe(true);
    expect(queue.deletes).toEqual([]);
    expect(t.progress).not.toHaveBeenCalled();
    expect(t.lines).toEqual([]);
  });

  it("acks: a sender fault is not retried: warned per message with its code and counted as a delete failure", async () => {
    // GIVEN b's receipt handle has expired
    const queue = fakeQueue({ deleteBatch: [failsFor("ReceiptHandleIsInvalid", true, "b")] });
    const t = testContext(queue);
    expect(await settledNow(deleteDurable(t.ctx, [message("a"), message("b"), message("c")]))).toBe(true);
    // THEN one call, a and c deleted, and b reported once, by messageId
    expect(queue.deletes).toHaveLength(1);
    expectCounters(t.counters, { deleted: 2, deleteFailures: 1 });
    expect(t.progress).toHaveBeenCalledTimes(1);
    expect(t.lines).toEqual([
      expect.objectContaining({ level: WARN, msg: REJECTED, messageId: "b", code: "ReceiptHandleIsInvalid" }),
    ]);
  });

  it("acks: when every entry fails, no progress is recorded", async () => {
    const queue = fakeQueue({ deleteBatch: [failsFor("AccessDenied", true, "a", "b")] });
    const t = testContext(queue);
    await deleteDurable(t.ctx, [message("a"), message("b")]);
    expect(t.progress).not.toHaveBeenCalled();
    expectCounters(t.counters, { deleteFailures: 2 });
    expect(logged(t.lines, REJECTED).map((l) => l.messageId)).toEqual(["a", "b"]);
    expect(logged(t.lines, GAVE_UP)).toEqual([]);
  });
});

describe("acks: retries", () => {
  it("acks: an entry that may succeed later is resent alone after a backoff, without a warning", async () => {
    // GIVEN b fails with a retryable code and c with a sender fault, then b succeeds
    const queue = fakeQueue({
      deleteBatch: [
        combine(failsFor("InternalError", false, "b"), failsFor("ReceiptHandleIsInvalid", true, "c")),
        succeeds,
      ],
    });
    const t = testContext(queue);
    const done = deleteDurable(t.ctx, [message("a"), message("b"), message("c")]);
    // WHEN less than the first backoff has passed THEN b was not resent yet
    await vi.advanceTimersByTimeAsync(49);
    expect(queue.deletes).toHaveLength(1);
    // WHEN it has THEN b alone was resent
    await vi.advanceTimersByTimeAsync(1);
    await done;
    expect(queue.deletes.map((c) => [c.ids, c.at])).toEqual([
      [["a", "b", "c"], 0],
      [["b"], 50],
    ]);
    expectCounters(t.counters, { deleted: 2, deleteFailures: 1 });
    expect(t.progress).toHaveBeenCalledTimes(2);
    expect(t.lines).toEqual([expect.objectContaining({ msg: REJECTED, messageId: "c" })]);
  });

  it("acks: a failed call is warned with its attempt, count and error, then retried", async () => {
    const queue = fakeQueue({ deleteBatch: [rejects(new Error("SQS is down")), succeeds] });
    const t = testContext(queue);
    const done = deleteDurable(t.ctx, [message("a"), message("b")]);
    await vi.advanceTimersByTimeAsync(50);
    await done;
    expect(queue.deletes.map((c) => c.ids)).toEqual([
      ["a", "b"],
      ["a", "b"],
    ]);
    expectCounters(t.counters, { deleted: 2 });
    expect(t.progress).toHaveBeenCalledTimes(1);
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: WARN,
        msg: DELETE_FAILED,
        attempt: 1,
        attempts: 5,
        count: 2,
        err: expect.objectContaining({ message: "SQS is down" }),
      }),
    ]);
  });

  it("acks: gives up after five attempts, backing off between them only, and warns once with the messageIds", async () => {
    // GIVEN a delete that always fails
    const queue = fakeQueue({ deleteBatch: Array.from({ length: 5 }, () => rejects(new Error("SQS is down"))) });
    const t = testContext(queue);
    const done = deleteDurable(t.ctx, [message("a"), message("b")]);
    // WHEN the four backoffs have passed (50 + 100 + 200 + 400 ms)
    await vi.advanceTimersByTimeAsync(749);
    expect(queue.deletes).toHaveLength(4);
    await vi.advanceTimersByTimeAsync(1);
    // THEN the fifth attempt was the last: the call returns without a further backoff
    expect(await settledNow(done)).toBe(true);
    expect(queue.deletes.map((c) => c.at)).toEqual([0, 50, 150, 350, 750]);
    expectCounters(t.counters, { deleteFailures: 2 });
    expect(t.progress).not.toHaveBeenCalled();
    expect(logged(t.lines, DELETE_FAILED).map((l) => [l.attempt, l.attempts])).toEqual([
      [1, 5],
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(logged(t.lines, GAVE_UP)).toEqual([expect.objectContaining({ level: WARN, messageIds: ["a", "b"] })]);
  });

  it("acks: the entries still failing after five attempts are counted once each", async () => {
    const queue = fakeQueue({
      deleteBatch: [
        failsFor("InternalError", false, "a", "b"),
        ...Array(4).fill(failsFor("InternalError", false, "b")),
      ],
    });
    const t = testContext(queue);
    const done = deleteDurable(t.ctx, [message("a"), message("b")]);
    await vi.advanceTimersByTimeAsync(750);
    await done;
    expect(queue.deletes.map((c) => c.ids)).toEqual([["a", "b"], ["a", "b"], ["b"], ["b"], ["b"]]);
    expectCounters(t.counters, { deleted: 1, deleteFailures: 1 });
    expect(logged(t.lines, GAVE_UP)).toEqual([expect.objectContaining({ messageIds: ["b"] })]);
  });
});

describe("acks: shutdown", () => {
  it("acks: with the shutdown budget already spent, it still tries once, then stops", async () => {
    const queue = fakeQueue({ deleteBatch: [failsFor("InternalError", false, "b")] });
    const t = testContext(queue);
    t.work.abort();
    expect(await settledNow(deleteDurable(t.ctx, [message("a"), message("b")]))).toBe(true);
    expect(queue.deletes.map((c) => c.ids)).toEqual([["a", "b"]]);
    expectCounters(t.counters, { deleted: 1, deleteFailures: 1 });
    expect(logged(t.lines, GAVE_UP)).toEqual([expect.objectContaining({ messageIds: ["b"] })]);
  });

  it("acks: an abort during the backoff ends it at once, with no further attempt", async () => {
    const queue = fakeQueue({ deleteBatch: [rejects(new Error("SQS is down"))] });
    const t = testContext(queue);
    const done = deleteDurable(t.ctx, [message("a")]);
    await vi.advanceTimersByTimeAsync(0);
    // WHEN the budget runs out, no timer advancing
    t.work.abort();
    expect(await settledNow(done)).toBe(true);
    expect(queue.deletes).toHaveLength(1);
    expectCounters(t.counters, { deleteFailures: 1 });
  });

  it("acks: during shutdown, each delete call gets a 3 s deadline of its own", async () => {
    const timeout = vi.spyOn(AbortSignal, "timeout");
    const queue = fakeQueue({ deleteBatch: [succeeds] });
    const t = testContext(queue);
    t.polling.abort();
    await deleteDurable(t.ctx, [message("a")]);
    expect(timeout.mock.calls).toEqual([[3_000]]);
    expect(queue.deletes[0]!.signal).toBe(timeout.mock.results[0]!.value);
  });
});
