import { expect, vi } from "vitest";
import { captureLogger } from "../../../test/support/capture-logger.js";
import type { ProcessHook } from "../src/domain.js";
import type { Lease } from "../src/lease.js";
import type { EntryFailure, MessageQueue, QueueMessage } from "../src/queue.js";
import type { RunContext } from "../src/run-context.js";
import { createCounters, type Counters } from "../src/stats.js";
import type { ItemStore } from "../src/store.js";

/**
 * In-memory stand-ins for a batch's parts (no emulators): a scripted MessageQueue that records every call, a lease
 * that records drops, and a RunContext whose signals, counters, progress and log lines the test owns.
 */

/** pino's numeric levels, as the capture logger records them. */
export const INFO = 30;
export const WARN = 40;
export const ERROR = 50;

export function message(id: string, extra: Partial<QueueMessage> = {}): QueueMessage {
  return {
    messageId: id,
    receiptHandle: `rh-${id}`,
    body: JSON.stringify({ n: id }),
    sentTimestamp: "1700000000000",
    receiveCount: 1,
    attributes: {},
    ...extra,
  };
}

/** One scripted answer of a batch call: the entries SQS did not apply, or a throw. */
export type QueueReply = (messages: readonly QueueMessage[]) => EntryFailure[] | Promise<EntryFailure[]>;
export const succeeds: QueueReply = () => [];
/** The named messages fail with this code; a sender fault means retrying cannot help. */
export const failsFor =
  (code: string, senderFault: boolean, ...ids: string[]): QueueReply =>
  (messages) =>
    messages.filter((m) => ids.includes(m.messageId)).map((m) => ({ message: m, code, senderFault }));
/** The failures of every reply, in order. */
export const combine =
  (...replies: QueueReply[]): QueueReply =>
  async (messages) =>
    (await Promise.all(replies.map((r) => Promise.resolve(r(messages))))).flat();
export const rejects =
  (error: unknown): QueueReply =>
  () => {
    throw error;
  };

export interface QueueCall {
  readonly ids: string[];
  /** The visibility timeout asked for (changeVisibility only). */
  readonly seconds?: number;
  readonly signal: AbortSignal | undefined;
  /** The fake clock when the call was made. */
  readonly at: number;
}

export interface FakeQueue extends MessageQueue {
  readonly receives: { readonly signal: AbortSignal | undefined; readonly at: number }[];
  readonly deletes: QueueCall[];
  readonly visibilityChanges: QueueCall[];
}

/** One scripted answer of receive: the messages, or a throw. */
export type ReceiveReply = (signal: AbortSignal | undefined) => QueueMessage[] | Promise<QueueMessage[]>;

/** A long poll that returns nothing until its signal aborts, then rejects with its reason, as the SDK does. */
export const idle: ReceiveReply = (signal) =>
  new Promise<never>((_, reject) => {
    if (!signal) throw new Error("an idle receive needs a signal to end");
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener("abort", () => reject(signal.reason as Error));
  });

/** Receives past the script are idle. */
export function fakeQueue(script: {
  receive?: ReceiveReply[];
  deleteBatch?: QueueReply[];
  changeVisibility?: QueueReply[];
}): FakeQueue {
  const receives: FakeQueue["receives"] = [];
  const deletes: QueueCall[] = [];
  const visibilityChanges: QueueCall[] = [];
  const receiveReplies = [...(script.receive ?? [])];
  const deleteReplies = [...(script.deleteBatch ?? [])];
  const visibilityReplies = [...(script.changeVisibility ?? [])];
  const answer = async (reply: QueueReply | undefined, what: string, messages: readonly QueueMessage[]) => {
    if (!reply) throw new Error(`unscripted ${what} call`);
    return reply(messages);
  };
  const ids = (messages: readonly QueueMessage[]) => messages.map((m) => m.messageId);
  return {
    receives,
    deletes,
    visibilityChanges,
    async receive(signal) {
      receives.push({ signal, at: Date.now() });
      return (receiveReplies.shift() ?? idle)(signal);
    },
    deleteBatch(messages, signal) {
      deletes.push({ ids: ids(messages), signal, at: Date.now() });
      return answer(deleteReplies.shift(), "deleteBatch", messages);
    },
    changeVisibility(messages, seconds, signal) {
      visibilityChanges.push({ ids: ids(messages), seconds, signal, at: Date.now() });
      return answer(visibilityReplies.shift(), "changeVisibility", messages);
    },
  };
}

export function fakeLease(): Lease & { dropped: string[] } {
  const dropped: string[] = [];
  return {
    dropped,
    drop: (m) => {
      dropped.push(m.messageId);
    },
    end: () => Promise.resolve(),
  };
}

export function testContext(
  queue: MessageQueue,
  options: { hook?: ProcessHook; processTimeoutMs?: number; visibilityTimeoutSeconds?: number } = {},
) {
  const { logger, lines } = captureLogger({ level: "debug" });
  const polling = new AbortController();
  const work = new AbortController();
  const counters = createCounters();
  const progress = vi.fn();
  const ctx: RunContext = {
    queue,
    store: {} as ItemStore,
    logger,
    counters,
    hook: options.hook ?? (() => null),
    processTimeoutMs: options.processTimeoutMs ?? 1_000,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    polling: polling.signal,
    work: work.signal,
    progress,
  };
  return { ctx, lines, counters, progress, polling, work };
}

/** The counters are all zero but these. */
export const expectCounters = (counters: Counters, changed: Partial<Counters>) =>
  expect(counters).toEqual({ ...createCounters(), ...changed });

/** The log lines with this message text. */
export const logged = (lines: Record<string, unknown>[], msg: string) => lines.filter((l) => l.msg === msg);

/** A promise the test settles by hand, to hold a call in flight. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Whether `promise` has settled once pending microtasks (not timers) have run. */
export async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await vi.advanceTimersByTimeAsync(0);
  return done;
}
