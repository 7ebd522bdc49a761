import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { release, startLease } from "../src/lease.js";
import { sqsCallSignal } from "../src/run-context.js";
import {
  deferred,
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
 * The lease (visibility extensions while a batch is worked on), release at shutdown and the deadline of SQS calls
 * made during shutdown, against a scripted fake queue. Timers are faked: a visibility timeout of 30 s extends every
 * 10 s of fake time.
 */

const EXTEND_FAILED = "visibility extension failed for some messages";
const EXTEND_THREW = "visibility extension failed; the messages may be redelivered";
const RELEASE_FAILED = "some releases failed; they return after the visibility timeout";
const RELEASE_THREW = "release failed; messages return after the visibility timeout";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("lease: extensions", () => {
  it("lease: every third of the visibility timeout, extends every held message by a full timeout", async () => {
    // GIVEN a lease on two messages with a 30 s visibility timeout
    const queue = fakeQueue({ changeVisibility: [succeeds, succeeds] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 30 });
    startLease(t.ctx, [message("a"), message("b")]);
    // WHEN just under 10 s have passed THEN nothing was extended yet
    await vi.advanceTimersByTimeAsync(9_999);
    expect(queue.visibilityChanges).toEqual([]);
    // WHEN 10 s and then 20 s have passed THEN both messages were extended by 30 s each time, with no deadline of ours
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(queue.visibilityChanges).toEqual([
      { ids: ["a", "b"], seconds: 30, signal: undefined, at: 10_000 },
      { ids: ["a", "b"], seconds: 30, signal: undefined, at: 20_000 },
    ]);
    expectCounters(t.counters, { visibilityExtended: 4 });
    expect(t.lines).toEqual([]);
  });

  it("lease: a dropped message is no longer extended; with none held, no call is made", async () => {
    const queue = fakeQueue({ changeVisibility: [succeeds] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 3 });
    const a = message("a");
    const b = message("b");
    const lease = startLease(t.ctx, [a, b]);
    // WHEN a is dropped THEN the next extension carries b alone
    lease.drop(a);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queue.visibilityChanges.map((c) => c.ids)).toEqual([["b"]]);
    // WHEN b is dropped too THEN the following ticks call nothing
    lease.drop(b);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(queue.visibilityChanges).toHaveLength(1);
    expectCounters(t.counters, { visibilityExtended: 1 });
  });

  it("lease: a lease on no messages never calls SQS", async () => {
    const queue = fakeQueue({});
    const t = testContext(queue);
    startLease(t.ctx, []);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(queue.visibilityChanges).toEqual([]);
  });

  it("lease: end stops the extensions and leaves no timer behind", async () => {
    const queue = fakeQueue({ changeVisibility: [succeeds] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 3 });
    const lease = startLease(t.ctx, [message("a")]);
    await vi.advanceTimersByTimeAsync(1_000);
    await lease.end();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(queue.visibilityChanges).toHaveLength(1);
  });

  it("lease: end resolves only once the extension in flight has settled", async () => {
    // GIVEN an extension SQS has not answered yet
    const answer = deferred<[]>();
    const queue = fakeQueue({ changeVisibility: [() => answer.promise] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 3 });
    const lease = startLease(t.ctx, [message("a")]);
    await vi.advanceTimersByTimeAsync(1_000);
    // WHEN the lease ends THEN it waits for that answer
    const ended = lease.end();
    expect(await settledNow(ended)).toBe(false);
    answer.resolve([]);
    expect(await settledNow(ended)).toBe(true);
    expectCounters(t.counters, { visibilityExtended: 1 });
  });

  it("lease: entries SQS did not extend are not counted, and their codes are warned", async () => {
    const queue = fakeQueue({ changeVisibility: [failsFor("ReceiptHandleIsInvalid", true, "b", "c")] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 3 });
    startLease(t.ctx, [message("a"), message("b"), message("c")]);
    await vi.advanceTimersByTimeAsync(1_000);
    expectCounters(t.counters, { visibilityExtended: 1 });
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: WARN,
        msg: EXTEND_FAILED,
        failed: ["ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid"],
      }),
    ]);
  });

  it("lease: a failed extension call is warned with its error, and the next tick tries again", async () => {
    const queue = fakeQueue({ changeVisibility: [rejects(new Error("SQS is down")), succeeds] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 3 });
    startLease(t.ctx, [message("a")]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: WARN,
        msg: EXTEND_THREW,
        err: expect.objectContaining({ message: "SQS is down" }),
      }),
    ]);
    expectCounters(t.counters, {});
    await vi.advanceTimersByTimeAsync(1_000);
    expect(queue.visibilityChanges).toHaveLength(2);
    expectCounters(t.counters, { visibilityExtended: 1 });
    expect(logged(t.lines, EXTEND_FAILED)).toEqual([]);
  });

  it("lease: during shutdown, each extension call gets a 3 s deadline of its own", async () => {
    const timeout = vi.spyOn(AbortSignal, "timeout");
    const queue = fakeQueue({ changeVisibility: [succeeds] });
    const t = testContext(queue, { visibilityTimeoutSeconds: 3 });
    startLease(t.ctx, [message("a")]);
    t.polling.abort();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(timeout.mock.calls).toEqual([[3_000]]);
    expect(queue.visibilityChanges[0]!.signal).toBe(timeout.mock.results[0]!.value);
  });
});

describe("lease: release", () => {
  it("release: makes the messages receivable now (visibility 0) and counts them", async () => {
    const queue = fakeQueue({ changeVisibility: [succeeds] });
    const t = testContext(queue);
    await release(t.ctx, [message("a"), message("b")]);
    expect(queue.visibilityChanges).toEqual([{ ids: ["a", "b"], seconds: 0, signal: undefined, at: 0 }]);
    expectCounters(t.counters, { released: 2 });
    expect(t.lines).toEqual([]);
  });

  it("release: nothing to release makes no call", async () => {
    const queue = fakeQueue({});
    const t = testContext(queue);
    await release(t.ctx, []);
    expect(queue.visibilityChanges).toEqual([]);
    expect(t.lines).toEqual([]);
  });

  it("release: entries SQS did not release are not counted, and their codes are warned", async () => {
    const queue = fakeQueue({ changeVisibility: [failsFor("InternalError", false, "a")] });
    const t = testContext(queue);
    await release(t.ctx, [message("a"), message("b")]);
    expectCounters(t.counters, { released: 1 });
    expect(t.lines).toEqual([expect.objectContaining({ level: WARN, msg: RELEASE_FAILED, failed: ["InternalError"] })]);
  });

  it("release: a failed call is warned with the error and how many messages it held", async () => {
    const queue = fakeQueue({ changeVisibility: [rejects(new Error("SQS is down"))] });
    const t = testContext(queue);
    await release(t.ctx, [message("a"), message("b")]);
    expectCounters(t.counters, {});
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: WARN,
        msg: RELEASE_THREW,
        count: 2,
        err: expect.objectContaining({ message: "SQS is down" }),
      }),
    ]);
  });

  it("release: during shutdown the call gets a 3 s deadline of its own", async () => {
    const timeout = vi.spyOn(AbortSignal, "timeout");
    const queue = fakeQueue({ changeVisibility: [succeeds] });
    const t = testContext(queue);
    t.polling.abort();
    await release(t.ctx, [message("a")]);
    expect(timeout.mock.calls).toEqual([[3_000]]);
    expect(queue.visibilityChanges[0]!.signal).toBe(timeout.mock.results[0]!.value);
  });
});

describe("sqsCallSignal", () => {
  it("sqsCallSignal: no deadline of ours while running; a fresh 3 s one per call once polling has stopped", () => {
    const t = testContext(fakeQueue({}));
    expect(sqsCallSignal(t.ctx)).toBeUndefined();
    t.polling.abort();
    const timeout = vi.spyOn(AbortSignal, "timeout");
    const first = sqsCallSignal(t.ctx);
    const second = sqsCallSignal(t.ctx);
    expect(timeout.mock.calls).toEqual([[3_000], [3_000]]);
    expect(first).toBeInstanceOf(AbortSignal);
    expect(first?.aborted).toBe(false);
    expect(second).not.toBe(first);
  });
});
