import { setMaxListeners } from "node:events";
import type { Logger } from "../../shared/src/logger.js";
import { deleteDurable } from "./acks.js";
import { summarize, type ProcessHook } from "./domain.js";
import { prepare, withTimeLimit, type Prepared } from "./hook.js";
import { release, startLease } from "./lease.js";
import type { MessageQueue, QueueMessage } from "./queue.js";
import type { Outcome, RunContext } from "./run-context.js";
import { createCounters, type Counters } from "./stats.js";
import type { ItemStore } from "./store.js";
import { backoffMs, sleep } from "./timing.js";
import { createWriter } from "./write-retry.js";
import { startMessageSpans } from "../../shared/src/tracing-messages.js";

/**
 * The consumer: N poll loops, each receive -> handle the batch -> delete what is durable -> receive again.
 * A loop holds at most PIPELINE_DEPTH batches, so in-flight work is bounded (pollConcurrency x PIPELINE_DEPTH x
 * batchSize messages) and a slow or failing DynamoDB slows polling down instead of piling up messages in memory.
 * A batch's steps live beside this file and share one RunContext (run-context.ts): hook.ts parses and runs the hook,
 * write-retry.ts writes, lease.ts extends and releases visibility, acks.ts deletes what is durable.
 */

export interface ProcessorSettings {
  readonly pollConcurrency: number;
  /** The visibility timeout requested on each receive: work still running gets its messages extended every third of it. */
  readonly visibilityTimeoutSeconds: number;
  /** SIGTERM budget: unfinished work is released (visibility 0) a few seconds before it runs out. */
  readonly shutdownTimeoutSeconds: number;
  /**
   * How long a batch's hooks may run. A hook still running then gets its signal aborted and its message fails: it is
   * left for redelivery and, if it never finishes in time, ends in the DLQ, instead of being extended for 12 hours.
   * @default 300
   */
  readonly processTimeoutSeconds?: number;
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
  /**
   * Epoch ms of the last real progress: a receive returned (an empty long poll included), an item became durable, or
   * a message was deleted. A failed write attempt is not progress: writes that fail forever must read as a stall.
   */
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

/**
 * Batches each poll loop may hold at once. One: a loop receives again once its batch is written and deleted. Every
 * message in flight is an in-flight PutItem with its promises and buffers, and holding fewer cut the processor's own
 * CPU per message (less garbage collection) in interleaved runs (docs/BENCHMARKS.md); Fargate bills that CPU, while
 * the poll loops (POLL_CONCURRENCY) already give a task more concurrent writes than its CPU can feed.
 */
const PIPELINE_DEPTH = 1;
/** Leave this much of the shutdown budget for releasing/deleting and exiting. */
const SHUTDOWN_MARGIN_MS = 5_000;

export function createProcessor(deps: ProcessorDeps): Processor {
  const { queue, store, logger, settings } = deps;
  const counters = createCounters();
  const polling = new AbortController();
  const work = new AbortController();
  // Every in-flight request and sleep listens on these two signals (and removes its listener when done):
  // dozens at once is expected, not a leak.
  setMaxListeners(0, polling.signal, work.signal);
  let loops: Promise<void>[] = [];
  let statsTimer: NodeJS.Timeout | undefined;
  let stopped: Promise<void> | undefined;
  let lastPollAt: number | undefined;
  let lastProgressAt = Date.now();

  const ctx: RunContext = {
    queue,
    store,
    logger,
    counters,
    hook: deps.process ?? summarize,
    processTimeoutMs: (settings.processTimeoutSeconds ?? 300) * 1_000,
    visibilityTimeoutSeconds: settings.visibilityTimeoutSeconds,
    polling: polling.signal,
    work: work.signal,
    progress: () => {
      lastProgressAt = Date.now();
    },
  };
  const writer = createWriter(ctx);

  async function pollLoop(loopId: number): Promise<void> {
    const batches = new Set<Promise<void>>();
    let receiveFailures = 0;
    while (!polling.signal.aborted) {
      // Hold at most PIPELINE_DEPTH batches per loop: in-flight work stays bounded, and a slow DynamoDB slows polling down.
      while (batches.size >= PIPELINE_DEPTH) await Promise.race(batches);
      // Stopped while waiting for the batch: no new receive.
      if (polling.signal.aborted) break;
      let messages: QueueMessage[];
      try {
        messages = await queue.receive(polling.signal);
        lastPollAt = Date.now();
        ctx.progress();
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
      if (messages.length === 0) continue;
      const batch: Promise<void> = handleBatchSafely(messages, loopId).finally(() => batches.delete(batch));
      batches.add(batch);
    }
    await Promise.all(batches);
  }

  /** A bug in batch handling must not kill the loop silently: log it and keep polling (the messages will return). */
  async function handleBatchSafely(messages: QueueMessage[], loopId: number): Promise<void> {
    try {
      await handleBatch(messages);
    } catch (error) {
      logger.error(
        { err: error, loopId, messageIds: messages.map((m) => m.messageId) },
        "unexpected error handling a batch",
      );
    }
  }

  async function handleBatch(messages: QueueMessage[]): Promise<void> {
    counters.received += messages.length;
    counters.inFlight += messages.length;
    const lease = startLease(ctx, messages);
    const spans = startMessageSpans(messages);
    try {
      const prepared = await withTimeLimit(ctx, (signal) =>
        Promise.all(messages.map((m) => prepare(ctx, m, lease, signal))),
      );
      const outcomes = await writer.writeAll(
        prepared.filter((p): p is Prepared => typeof p === "object"),
        lease,
      );
      const outcomeOf = (m: QueueMessage, i: number): Outcome => {
        const p = prepared[i]!;
        return typeof p === "object" ? (outcomes.get(m.messageId) ?? "failed") : p;
      };
      // An extension still in flight could land after a release and hide the message again: let it settle first.
      await lease.end();
      messages.forEach((m, i) => spans.outcome(m.messageId, outcomeOf(m, i)));
      const durable = messages.filter((m, i) => ["created", "duplicate"].includes(outcomeOf(m, i)));
      const unfinished = messages.filter((m, i) => outcomeOf(m, i) === "release");
      await Promise.all([deleteDurable(ctx, durable), release(ctx, unfinished)]);
    } finally {
      await lease.end();
      spans.end();
      counters.inFlight -= messages.length;
    }
  }

  /** The counters plus the write units the store has seen DynamoDB bill. */
  const snapshot = (): Counters => ({ ...counters, writeUnits: store.consumedWriteUnits?.() ?? 0 });

  function logCounters(msg: string): void {
    logger.info({ counters: snapshot() }, msg);
  }

  return {
    start() {
      if (loops.length > 0 || polling.signal.aborted) throw new Error("processor already started");
      ctx.progress();
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
        clearInterval(statsTimer);
        logCounters("stopped");
      })();
      return stopped;
    },

    liveness: () => ({ lastPollAt, lastProgressAt, stopping: polling.signal.aborted }),
    counters: snapshot,
  };
}
