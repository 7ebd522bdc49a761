import { getEventListeners } from "node:events";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HookContext, Payload } from "../src/domain.js";
import { prepare, withTimeLimit, type Prepared } from "../src/hook.js";
import { ERROR, expectCounters, fakeLease, fakeQueue, message, settledNow, testContext, WARN } from "./fake-context.js";

/**
 * A message's hook step alone: parsing, the business hook, the batch's time limit and the shutdown abort. The hook
 * is a test function; timers are faked, so the time limit costs no real time.
 */

const INVALID = "invalid message left for the DLQ";
const HOOK_FAILED = "process hook failed; message left for redelivery";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A hook that never settles and ignores its signal. */
const hangs = () => new Promise<never>(() => {});

function setup(hook: (payload: Payload, context: HookContext) => unknown = () => null, processTimeoutMs = 1_000) {
  const t = testContext(fakeQueue({}), { hook: vi.fn(hook), processTimeoutMs });
  return { ...t, lease: fakeLease() };
}

/** prepare() for one message under the batch's time limit, as the consumer runs it. */
const prepareInTime = (t: ReturnType<typeof setup>, m = message("a")) =>
  withTimeLimit(t.ctx, (signal) => prepare(t.ctx, m, t.lease, signal));

/** An invalid message: counted, dropped from the lease, warned once with these fields, and the hook never ran. */
function expectLeftForDlq(t: ReturnType<typeof setup>, warned: Record<string, unknown>) {
  expect(t.ctx.hook).not.toHaveBeenCalled();
  expectCounters(t.counters, { invalid: 1 });
  expect(t.lease.dropped).toEqual(["a"]);
  expect(t.lines).toEqual([expect.objectContaining({ level: WARN, msg: INVALID, messageId: "a", ...warned })]);
}

describe("hook: time limit", () => {
  it("hook time limit: the signal aborts once the limit has passed, with a reason that names it", async () => {
    const t = setup(undefined, 1_500);
    let seen: AbortSignal | undefined;
    const run = withTimeLimit(t.ctx, (signal) => {
      seen = signal;
      return new Promise((resolve) => signal.addEventListener("abort", () => resolve("stopped")));
    });
    await vi.advanceTimersByTimeAsync(1_499);
    expect(seen?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await run).toBe("stopped");
    expect((seen?.reason as Error).message).toBe("process hook still running after 1.5 s");
  });

  it("hook time limit: the signal aborts when the shutdown budget is spent", async () => {
    const t = setup();
    let seen: AbortSignal | undefined;
    const run = withTimeLimit(t.ctx, (signal) => {
      seen = signal;
      return hangs();
    });
    t.work.abort();
    expect(seen?.aborted).toBe(true);
    expect(await settledNow(run)).toBe(false);
  });

  it("hook time limit: returns what the run returns and stops the clock, so its signal never aborts later", async () => {
    const t = setup();
    let seen: AbortSignal | undefined;
    const result = await withTimeLimit(t.ctx, (signal) => {
      seen = signal;
      return Promise.resolve(42);
    });
    expect(result).toBe(42);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen?.aborted).toBe(false);
  });

  it("hook time limit: a run that throws passes its error on and stops the clock too", async () => {
    const t = setup();
    let seen: AbortSignal | undefined;
    const run = withTimeLimit(t.ctx, (signal) => {
      seen = signal;
      return Promise.reject(new Error("boom"));
    });
    await expect(run).rejects.toThrow("boom");
    await vi.advanceTimersByTimeAsync(10_000);
    expect(seen?.aborted).toBe(false);
  });
});

describe("hook: prepare", () => {
  it("hook: a valid message runs the hook with its payload, id, body and signal, and returns what to write", async () => {
    const t = setup(() => ({ ok: 1 }));
    const m = message("a", { body: '{"n":"a","x":[1]}', receiveCount: 3 });
    const signal = new AbortController().signal;
    const prepared = (await prepare(t.ctx, m, t.lease, signal)) as Prepared;
    expect(t.ctx.hook).toHaveBeenCalledExactlyOnceWith({ n: "a", x: [1] }, { messageId: "a", body: m.body, signal });
    expect(prepared).toEqual({
      message: m,
      payload: { n: "a", x: [1] },
      result: { ok: 1 },
      owner: "",
      log: expect.anything(),
    });
    // The returned logger names the message for the lines the writer logs later
    prepared.log.info("later");
    expect(t.lines).toEqual([expect.objectContaining({ msg: "later", messageId: "a", receiveCount: 3 })]);
    expectCounters(t.counters, {});
    expect(t.lease.dropped).toEqual([]);
  });

  it("hook: an async hook's result is awaited", async () => {
    const t = setup(() => Promise.resolve("done"));
    const prepared = (await prepareInTime(t)) as Prepared;
    expect(prepared.result).toBe("done");
  });

  it("hook: an invalid body is counted, dropped from the lease and warned with the reason; the hook never runs", async () => {
    const t = setup();
    const outcome = await prepareInTime(t, message("a", { body: "[1]", receiveCount: 2 }));
    expect(outcome).toBe("invalid");
    expectLeftForDlq(t, { receiveCount: 2, reason: "body is JSON but not an object (got array)" });
  });

  it.each([
    [
      "throws",
      () => {
        throw new Error("hook broke");
      },
    ],
    ["rejects", () => Promise.reject(new Error("hook broke"))],
  ])("hook: a hook that %s fails its message: counted, dropped, logged as an error with the error", async (_, hook) => {
    const t = setup(hook);
    expect(await prepareInTime(t, message("a", { receiveCount: 4 }))).toBe("failed");
    expectCounters(t.counters, { failed: 1 });
    expect(t.lease.dropped).toEqual(["a"]);
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: ERROR,
        msg: HOOK_FAILED,
        messageId: "a",
        receiveCount: 4,
        err: expect.objectContaining({ message: "hook broke" }),
      }),
    ]);
  });
});

describe("hook: owner attribute", () => {
  it("hook: the owner attribute is normalized onto what to write", async () => {
    const t = setup();
    const m = message("a", { attributes: { owner: { dataType: "String", stringValue: "AROAROLEID:session" } } });
    expect(await prepareInTime(t, m)).toMatchObject({ message: m, owner: "AROAROLEID" });
    expect(t.lines).toEqual([]);
  });

  it("hook: a bad owner attribute makes the message invalid like a bad body: counted, dropped, warned; no hook", async () => {
    const t = setup();
    const m = message("a", { attributes: { owner: { dataType: "String", stringValue: "x".repeat(257) } } });
    expect(await prepareInTime(t, m)).toBe("invalid");
    expectLeftForDlq(t, { reason: "owner attribute is 257 characters, above the 256-character limit" });
  });
});

describe("hook: time limit and shutdown", () => {
  it("hook: a hook that ignores its signal fails at the time limit, logged with the limit's reason", async () => {
    const t = setup(hangs, 2_000);
    const outcome = prepareInTime(t);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(await settledNow(outcome)).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await outcome).toBe("failed");
    expectCounters(t.counters, { failed: 1 });
    expect(t.lease.dropped).toEqual(["a"]);
    expect(t.lines).toEqual([
      expect.objectContaining({
        level: ERROR,
        msg: HOOK_FAILED,
        err: expect.objectContaining({ message: "process hook still running after 2 s" }),
      }),
    ]);
  });

  it("hook: a hook that honours its signal sees it abort at the time limit", async () => {
    const t = setup(
      (_, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener("abort", () => reject(new Error("stopped on request"))),
        ),
    );
    const outcome = prepareInTime(t);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await outcome).toBe("failed");
  });

  it("hook: shutdown during the hook releases the message: not counted, not dropped, not logged", async () => {
    const t = setup(hangs);
    const outcome = prepareInTime(t);
    await vi.advanceTimersByTimeAsync(0);
    expect(t.ctx.hook).toHaveBeenCalledTimes(1);
    t.work.abort();
    expect(await outcome).toBe("release");
    expectCounters(t.counters, {});
    expect(t.lease.dropped).toEqual([]);
    expect(t.lines).toEqual([]);
  });

  it("hook: a hook that fails after the shutdown budget is spent is released, not blamed", async () => {
    const t = setup(() => {
      t.work.abort();
      throw new Error("interrupted");
    });
    expect(await prepare(t.ctx, message("a"), t.lease, new AbortController().signal)).toBe("release");
    expectCounters(t.counters, {});
    expect(t.lines).toEqual([]);
  });

  it("hook: with the signal already aborted the hook does not run; the message fails, or is released at shutdown", async () => {
    const t = setup();
    const limit = new AbortController();
    limit.abort(new Error("limit passed"));
    expect(await prepare(t.ctx, message("a"), t.lease, limit.signal)).toBe("failed");
    expect(t.lines).toEqual([expect.objectContaining({ err: expect.objectContaining({ message: "limit passed" }) })]);
    t.work.abort();
    expect(await prepare(t.ctx, message("b"), t.lease, t.ctx.work)).toBe("release");
    expect(t.ctx.hook).not.toHaveBeenCalled();
    expect(t.lease.dropped).toEqual(["a"]);
  });

  it("hook: the abort listener is removed once the hook has settled, whatever its end", async () => {
    const t = setup((payload) => {
      if (payload.n === "bad") throw new Error("hook broke");
      return payload.n === "slow" ? hangs() : null;
    });
    const controller = new AbortController();
    await prepare(t.ctx, message("a"), t.lease, controller.signal);
    await prepare(t.ctx, message("bad", { body: '{"n":"bad"}' }), t.lease, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toEqual([]);
    const slow = prepare(t.ctx, message("slow", { body: '{"n":"slow"}' }), t.lease, controller.signal);
    await vi.advanceTimersByTimeAsync(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(1);
    controller.abort(new Error("limit passed"));
    expect(await slow).toBe("failed");
    expect(getEventListeners(controller.signal, "abort")).toEqual([]);
  });
});
