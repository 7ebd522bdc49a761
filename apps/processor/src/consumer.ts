import { setMaxListeners } from "node:events";
import type { Logger } from "../../shared/src/logger.js";
import { buildItem, parseBody, summarize, type ProcessHook } from "./domain.js";
import type { MessageQueue, QueueMessage } from "./queue.js";
import { isTransientStoreError, type ItemStore } from "./store.js";
import { createCounters, type Counters } from "./stats.js";
import { backoffMs, sleep } from "./timing.js";

/**
 * The consumer: N poll loops, each receive -> handle the batch -> delete what is durable -> receive again.
 * A loop holds one batch at a time, so in-flight work is bounded (pollConcurrency x batchSize messages) and a slow
 * or failing DynamoDB slows polling down instead of piling up messages in memory.
 */

export interface ProcessorSettings {
  readonly pollConcurrency: number;
  /** The queue's visibility timeout: work still running at half of it gets its messages extended. */
  readonly visibilityTimeoutSeconds: number;
  /** SIGTERM budget: unfinished work is released (visibility 0) a few seconds before it runs out. */
  readonly shutdownTimeoutSeconds: number;
  /** Counters are logged this often. @default 60 */
  readonly statsIntervalSeconds?: number;
}

export interface ProcessorDeps {
  readonly queue: MessageQueue;
  readonly store: ItemStore;
  readonly logger: Logger;
  readonly settings: ProcessorSettings;
  /** The business hook. @default summarize (field count, size and SHA-256 of the body) */
  readonly process?: ProcessHook;
}

export interface Liveness {
  /** Epoch ms of the last successful receive (undefined before the first). */
  readonly lastPollAt: number | undefined;
  /** Epoch ms of the last sign the loops are turning: a receive returned, or a write attempt finished. */
  readonly lastProgressAt: number;
  readonly stopping: boolean;
}

export interface Processor {
  start(): void;
  /** Stops polling, finishes or releases in-flight work within the shutdown budget, logs the counters. */
  stop(): Promise<void>;
  liveness(): Liveness;
  counters(): Readonly<Counters>;
}

type Outcome = "created" | "duplicate" | "invalid" | "failed" | "release";

/** Leave this much of the shutdown budget for releasing/deleting and exiting. */
const SHUTDOWN_MARGIN_MS = 5_000;

export function createProcessor(deps: ProcessorDeps): Processor {
  const { queue, store, logger, settings } = deps;
  const hook = deps.process ?? summarize;
  const counters = createCounters();
  /** Aborted on stop: cancels pending receives and receive-error backoffs. */
  const polling = new AbortController();
  /** Aborted when the shutdown budget is nearly spent: in-flight hooks and writes give up and are released. */
  const work = new AbortController();
  // Every in-flight request and sleep listens on these two signals (and removes its listener when done):
  // dozens at once is expected, not a leak.
  setMaxListeners(0, polling.signal, work.signal);
  let loops: Promise<void>[] = [];
  let statsTimer: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  let lastPollAt: number | undefined;
  let lastProgressAt = Date.now();

  const progress = () => {
    lastProgressAt = Date.now();
  };

  async function pollLoop(loopId: number): Promise<void> {
    let receiveFailures = 0;
    while (!polling.signal.aborted) {
      let messages: QueueMessage[];
      try {
        messages = await queue.receive(polling.signal);
        lastPollAt = Date.now();
        progress();
        receiveFailures = 0;
      } catch (error) {
        if (polling.signal.aborted) break;
        receiveFailures++;
        counters.receiveErrors++;
        logger.warn({ err: error, loopId, attempt: receiveFailures }, "receive failed; backing off");
        await sleep(backoffMs(receiveFailures, 200, 10_000), polling.signal);
        continue;
      }
      // A batch that arrives as shutdown begins is still handled: it is in flight, the budget covers it.
      if (messages.length > 0) await handleBatchSafely(messages, loopId);
    }
  }

  /** A bug in batch handling must not kill the loop silently: log it and keep polling (the messages will return). */
  async function handleBatchSafely(messages: QueueMessage[], loopId: number): Promise<void> {
    try {
      await handleBatch(messages);
    } catch (error) {
      logger.error({ err: error, loopId, messageIds: messages.map((m) => m.messageId) }, "unexpected error handling a batch");
    }
  }

  async function handleBatch(messages: QueueMessage[]): Promise<void> {
    counters.received += messages.length;
    counters.inFlight += messages.length;
    const lease = startLease(messages);
    try {
      const outcomes = await Promise.all(messages.map((m) => handleMessage(m, lease)));
      lease.end();
      const durable = messages.filter((_, i) => outcomes[i] === "created" || outcomes[i] === "duplicate");
      const unfinished = messages.filter((_, i) => outcomes[i] === "release");
      await Promise.all([deleteDurable(durable), release(unfinished)]);
    } finally {
      lease.end();
      counters.inFlight -= messages.length;
    }
  }

  async function handleMessage(message: QueueMessage, lease: Lease): Promise<Outcome> {
    const log = logger.child({ messageId: message.messageId, receiveCount: message.receiveCount });
    const parsed = parseBody(message.body);
    if (!parsed.ok) {
      // Logged once per receive; not deleted, so the redrive policy moves it to the DLQ after maxReceiveCount.
      counters.invalid++;
      lease.drop(message);
      log.warn({ reason: parsed.reason }, "invalid message left for the DLQ");
      return "invalid";
    }
    let result: unknown;
    try {
      result = await runHook(parsed.payload, message);
    } catch (error) {
      if (work.signal.aborted) return "release";
      counters.failed++;
      lease.drop(message);
      log.error({ err: error }, "process hook failed; message left for redelivery");
      return "failed";
    }
    return writeWithRetry(message, parsed.payload, result, lease, log);
  }

  async function runHook(payload: Record<string, unknown>, message: QueueMessage): Promise<unknown> {
    const signal = work.signal;
    const context = { messageId: message.messageId, body: message.body ?? "", signal };
    // A hook that ignores the signal must not hold shutdown hostage: stop waiting for it when the budget is spent.
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new Error("shutdown budget spent"));
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      if (signal.aborted) throw new Error("shutdown budget spent");
      return await Promise.race([Promise.resolve().then(() => hook(payload, context)), aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Transient failures (throttling, 5xx, network, DynamoDB down) are retried here, with the lease extending the
   * message's visibility, rather than by redelivery: redelivery would raise its receive count and push a valid message
   * toward the DLQ during an outage.
   */
  async function writeWithRetry(
    message: QueueMessage,
    payload: Record<string, unknown>,
    result: unknown,
    lease: Lease,
    log: Logger,
  ): Promise<Outcome> {
    for (let attempt = 1; ; attempt++) {
      if (work.signal.aborted) return "release";
      const item = buildItem({ messageId: message.messageId, payload, result, sentTimestamp: message.sentTimestamp, now: new Date() });
      try {
        const outcome = await store.putIfAbsent(item, work.signal);
        progress();
        if (outcome === "created") counters.processed++;
        else counters.duplicate++;
        if (outcome === "duplicate") log.info("item already stored (redelivery); deleting the message");
        return outcome;
      } catch (error) {
        progress();
        // The write may or may not have landed; releasing is safe either way (the redelivery is a duplicate).
        if (work.signal.aborted) return "release";
        if (!isTransientStoreError(error)) {
          counters.failed++;
          lease.drop(message);
          log.error({ err: error }, "item rejected by DynamoDB; message left for redelivery");
          return "failed";
        }
        counters.writeRetries++;
        // One line per message at the first failure and then every 10th, not one per attempt during an outage.
        const level = attempt === 1 || attempt % 10 === 0 ? "warn" : "debug";
        log[level]({ err: error, attempt }, "write failed; retrying");
        await sleep(backoffMs(attempt, 100, 5_000), work.signal);
      }
    }
  }

  /** Deletes only messages whose item is durable; per-entry failures are retried, then left for a harmless redelivery. */
  async function deleteDurable(messages: QueueMessage[]): Promise<void> {
    let pending = messages;
    for (let attempt = 1; pending.length > 0 && attempt <= 5; attempt++) {
      try {
        const failed = await queue.deleteBatch(pending);
        counters.deleted += pending.length - failed.length;
        for (const f of failed.filter((f) => f.senderFault)) {
          logger.warn({ messageId: f.message.messageId, code: f.code }, "delete rejected; the redelivery will be a duplicate");
        }
        counters.deleteFailures += failed.filter((f) => f.senderFault).length;
        pending = failed.filter((f) => !f.senderFault).map((f) => f.message);
      } catch (error) {
        logger.warn({ err: error, attempt, count: pending.length }, "delete failed; retrying");
      }
      if (pending.length > 0 && attempt < 5) await sleep(backoffMs(attempt, 100, 2_000));
    }
    if (pending.length > 0) {
      counters.deleteFailures += pending.length;
      logger.warn({ messageIds: pending.map((m) => m.messageId) }, "could not delete; the redelivery will be a duplicate");
    }
  }

  /** Shutdown ran out of budget for these: make them receivable again now rather than after the visibility timeout. */
  async function release(messages: QueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const failed = await queue.changeVisibility(messages, 0);
      counters.released += messages.length - failed.length;
      if (failed.length > 0) logger.warn({ failed: failed.map((f) => f.code) }, "some releases failed; they return after the visibility timeout");
    } catch (error) {
      logger.warn({ err: error, count: messages.length }, "release failed; messages return after the visibility timeout");
    }
  }

  interface Lease {
    drop(message: QueueMessage): void;
    end(): void;
  }

  /**
   * Keeps the batch's unfinished messages invisible while they are worked on: every half visibility timeout, extend
   * them by a full one. Messages that are done (or given up on) are dropped so they are not extended.
   */
  function startLease(messages: QueueMessage[]): Lease {
    const held = new Set(messages);
    const everyMs = (settings.visibilityTimeoutSeconds * 1_000) / 2;
    const timer = setInterval(() => {
      if (held.size === 0) return;
      const batch = [...held];
      queue.changeVisibility(batch, settings.visibilityTimeoutSeconds).then(
        (failed) => {
          counters.visibilityExtended += batch.length - failed.length;
          if (failed.length > 0) logger.warn({ failed: failed.map((f) => f.code) }, "visibility extension failed for some messages");
        },
        (error: unknown) => logger.warn({ err: error }, "visibility extension failed; the messages may be redelivered"),
      );
    }, everyMs);
    timer.unref();
    return {
      drop: (message) => held.delete(message),
      end: () => {
        held.clear();
        clearInterval(timer);
      },
    };
  }

  function logCounters(msg: string): void {
    logger.info({ counters: { ...counters } }, msg);
  }

  return {
    start() {
      if (loops.length > 0 || polling.signal.aborted) throw new Error("processor already started");
      progress();
      loops = Array.from({ length: settings.pollConcurrency }, (_, i) => pollLoop(i));
      statsTimer = setInterval(() => logCounters("counters"), (settings.statsIntervalSeconds ?? 60) * 1_000);
      statsTimer.unref();
      logger.info({ pollConcurrency: settings.pollConcurrency }, "polling started");
    },

    stop() {
      stopped ??= (async () => {
        logger.info({ inFlight: counters.inFlight }, "stopping: no new receives, finishing in-flight messages");
        polling.abort();
        const budgetMs = Math.max(1_000, settings.shutdownTimeoutSeconds * 1_000 - SHUTDOWN_MARGIN_MS);
        const releaseTimer = setTimeout(() => {
          logger.warn({ inFlight: counters.inFlight }, "shutdown budget nearly spent: releasing unfinished messages");
          work.abort();
        }, budgetMs);
        await Promise.all(loops);
        clearTimeout(releaseTimer);
        if (statsTimer) clearInterval(statsTimer);
        logCounters("stopped");
      })();
      return stopped;
    },

    liveness: () => ({ lastPollAt, lastProgressAt, stopping: polling.signal.aborted }),
    counters: () => ({ ...counters }),
  };
}
