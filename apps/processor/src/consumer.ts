import { setMaxListeners } from "node:events";
import type { Logger } from "../../shared/src/logger.js";
import { buildItem, parseBody, summarize, type ProcessHook } from "./domain.js";
import type { MessageQueue, QueueMessage } from "./queue.js";
import { isTransientStoreError, type ItemStore, type ItemWriteResult } from "./store.js";
import { createCounters, type Counters } from "./stats.js";
import { backoffMs, sleep } from "./timing.js";

/**
 * The consumer: N poll loops, each receive -> handle the batch -> delete what is durable -> receive again.
 * A loop holds at most PIPELINE_DEPTH batches, so in-flight work is bounded (pollConcurrency x PIPELINE_DEPTH x
 * batchSize messages) and a slow or failing DynamoDB slows polling down instead of piling up messages in memory.
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

type Outcome = "created" | "duplicate" | "invalid" | "failed" | "release";

/**
 * Batches each poll loop may hold at once. One: a loop receives again once its batch is written and deleted. Every
 * message in flight is an in-flight PutItem with its promises and buffers, and holding fewer cut the processor's own
 * CPU per message (less garbage collection) in interleaved runs (docs/BENCHMARKS.md); Fargate bills that CPU, while
 * the poll loops (POLL_CONCURRENCY) already give a task more concurrent writes than its CPU can feed.
 */
const PIPELINE_DEPTH = 1;
/** Leave this much of the shutdown budget for releasing/deleting and exiting. */
const SHUTDOWN_MARGIN_MS = 5_000;
/** Once shutdown has begun, each delete or visibility call gets this long, so a slow SQS cannot eat the margin. */
const SHUTDOWN_CALL_TIMEOUT_MS = 3_000;

export function createProcessor(deps: ProcessorDeps): Processor {
  const { queue, store, logger, settings } = deps;
  const hook = deps.process ?? summarize;
  const processTimeoutMs = (settings.processTimeoutSeconds ?? 300) * 1_000;
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
  /** The last request-level write error, logged with the retry notice. */
  let lastWriteError: unknown;

  const progress = () => {
    lastProgressAt = Date.now();
  };
  /** No deadline of our own while running (the client's request timeout applies); a short one during shutdown. */
  const sqsCallSignal = () => (polling.signal.aborted ? AbortSignal.timeout(SHUTDOWN_CALL_TIMEOUT_MS) : undefined);

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
    const lease = startLease(messages);
    try {
      const prepared = await withTimeLimit((signal) => Promise.all(messages.map((m) => prepare(m, lease, signal))));
      const outcomes = await writeAll(
        prepared.filter((p): p is Prepared => typeof p === "object"),
        lease,
      );
      const outcomeOf = (m: QueueMessage, i: number): Outcome => {
        const p = prepared[i]!;
        return typeof p === "object" ? (outcomes.get(m.messageId) ?? "failed") : p;
      };
      // An extension still in flight could land after a release and hide the message again: let it settle first.
      await lease.end();
      const durable = messages.filter((m, i) => ["created", "duplicate"].includes(outcomeOf(m, i)));
      const unfinished = messages.filter((m, i) => outcomeOf(m, i) === "release");
      await Promise.all([deleteDurable(durable), release(unfinished)]);
    } finally {
      await lease.end();
      counters.inFlight -= messages.length;
    }
  }

  interface Prepared {
    readonly message: QueueMessage;
    readonly payload: Record<string, unknown>;
    readonly result: unknown;
    readonly log: Logger;
  }

  /**
   * Runs `work` with a signal that aborts when the hooks' time limit passes or the shutdown budget is spent. One timer
   * per batch (not per message), cleared as soon as the batch's hooks are done.
   */
  async function withTimeLimit<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const limit = new AbortController();
    const timer = setTimeout(
      () => limit.abort(new Error(`process hook still running after ${processTimeoutMs / 1_000} s`)),
      processTimeoutMs,
    );
    try {
      return await run(AbortSignal.any([work.signal, limit.signal]));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Parse, validate and run the hook; returns what to write, or the message's final outcome. */
  async function prepare(message: QueueMessage, lease: Lease, signal: AbortSignal): Promise<Prepared | Outcome> {
    const log = logger.child({ messageId: message.messageId, receiveCount: message.receiveCount });
    const parsed = parseBody(message.body);
    if (!parsed.ok) {
      // Logged once per receive; not deleted, so the redrive policy moves it to the DLQ after maxReceiveCount.
      counters.invalid++;
      lease.drop(message);
      log.warn({ reason: parsed.reason }, "invalid message left for the DLQ");
      return "invalid";
    }
    try {
      return { message, payload: parsed.payload, result: await runHook(parsed.payload, message, signal), log };
    } catch (error) {
      if (work.signal.aborted) return "release";
      counters.failed++;
      lease.drop(message);
      log.error({ err: error }, "process hook failed; message left for redelivery");
      return "failed";
    }
  }

  async function runHook(
    payload: Record<string, unknown>,
    message: QueueMessage,
    signal: AbortSignal,
  ): Promise<unknown> {
    const context = { messageId: message.messageId, body: message.body ?? "", signal };
    // A hook that ignores the signal must not hold its message (or shutdown) hostage: stop waiting for it on abort.
    const reason = () => (work.signal.aborted ? new Error("shutdown budget spent") : (signal.reason as Error));
    let onAbort = () => {};
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(reason());
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      if (signal.aborted) throw reason();
      return await Promise.race([Promise.resolve().then(() => hook(payload, context)), aborted]);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
  }

  /**
   * Writes the batch's items (one conditional put each), resending until each is created, a duplicate, or rejected.
   * Transient failures (throttling, 5xx, network, DynamoDB down) are retried here, with the lease extending the
   * messages' visibility, rather than by redelivery: redelivery would raise the receive count and push valid messages
   * toward the DLQ during an outage. If a multi-item request is rejected for its content, items are sent one by one
   * to find the culprit. Returns the outcome per messageId.
   */
  async function writeAll(entries: Prepared[], lease: Lease): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    // SQS may hand out the same message twice in one batch: write it once (the other copy is deleted with it).
    let pending = [...new Map(entries.map((e) => [e.message.messageId, e])).values()];
    let oneByOne = false;
    for (let attempt = 1; pending.length > 0;) {
      if (work.signal.aborted) break;
      const groups = oneByOne ? pending.map((e) => [e]) : [pending];
      const results = (await Promise.all(groups.map((g) => attemptWrite(g, oneByOne)))).flat();
      const next: Prepared[] = [];
      let backoff = false;
      results.forEach(([entry, result]) => {
        if (result === "created" || result === "duplicate") {
          progress();
          counters[result === "created" ? "processed" : "duplicate"]++;
          if (result === "duplicate") entry.log.info("item already stored (redelivery); deleting the message");
          outcomes.set(entry.message.messageId, result);
        } else if (result === "release") {
          next.push(entry);
        } else if (result === "split") {
          oneByOne = true;
          next.push(entry);
        } else if (typeof result === "object") {
          counters.failed++;
          lease.drop(entry.message);
          entry.log.error({ reason: result.rejected }, "item rejected by DynamoDB; message left for redelivery");
          outcomes.set(entry.message.messageId, "failed");
        } else {
          // "contended"/"transient": pause before resending.
          backoff = true;
          next.push(entry);
        }
      });
      pending = next;
      if (pending.length > 0 && backoff) {
        counters.writeRetries++;
        // One line per batch at the first failure and then every 10th, not one per attempt during an outage.
        const level = attempt === 1 || attempt % 10 === 0 ? "warn" : "debug";
        logger[level]({ attempt, pending: pending.length, err: lastWriteError }, "write failed; retrying");
        await sleep(backoffMs(attempt, 100, 5_000), work.signal);
        attempt++;
      }
    }
    // Out of shutdown budget: whatever is not known to be written is released (a landed write makes it a duplicate).
    for (const entry of pending) outcomes.set(entry.message.messageId, "release");
    return outcomes;
  }

  /** One write request for a group; request-level errors become per-item results. */
  async function attemptWrite(
    group: Prepared[],
    isolated: boolean,
  ): Promise<[Prepared, ItemWriteResult | "transient" | "split" | "release"][]> {
    const now = new Date();
    const items = group.map((e) =>
      buildItem({
        messageId: e.message.messageId,
        payload: e.payload,
        result: e.result,
        sentTimestamp: e.message.sentTimestamp,
        now,
      }),
    );
    try {
      const results = await store.putAllIfAbsent(items, work.signal);
      return group.map((e, i) => [e, results[i] ?? "contended"]);
    } catch (error) {
      lastWriteError = error;
      // The write may or may not have landed; releasing is safe either way (the redelivery is a duplicate).
      if (work.signal.aborted) return group.map((e) => [e, "release"]);
      if (isTransientStoreError(error)) return group.map((e) => [e, "transient"]);
      // Rejected for its content as a whole: the culprit may be any item of the call, so isolate before blaming;
      // only an item sent alone is known to be the bad one.
      if (!isolated) return group.map((e) => [e, "split"]);
      return [[group[0]!, { rejected: error instanceof Error ? `${error.name}: ${error.message}` : String(error) }]];
    }
  }

  /** Deletes only messages whose item is durable; per-entry failures are retried, then left for a harmless redelivery. */
  async function deleteDurable(messages: QueueMessage[]): Promise<void> {
    let pending = messages;
    for (let attempt = 1; pending.length > 0 && attempt <= 5; attempt++) {
      // Out of shutdown budget: no more retries; an undeleted message only comes back as a duplicate.
      if (attempt > 1 && work.signal.aborted) break;
      try {
        const failed = await queue.deleteBatch(pending, sqsCallSignal());
        counters.deleted += pending.length - failed.length;
        if (failed.length < pending.length) progress();
        for (const f of failed.filter((f) => f.senderFault)) {
          logger.warn(
            { messageId: f.message.messageId, code: f.code },
            "delete rejected; the redelivery will be a duplicate",
          );
        }
        counters.deleteFailures += failed.filter((f) => f.senderFault).length;
        pending = failed.filter((f) => !f.senderFault).map((f) => f.message);
      } catch (error) {
        logger.warn({ err: error, attempt, count: pending.length }, "delete failed; retrying");
      }
      if (pending.length > 0 && attempt < 5) await sleep(backoffMs(attempt, 100, 2_000), work.signal);
    }
    if (pending.length > 0) {
      counters.deleteFailures += pending.length;
      logger.warn(
        { messageIds: pending.map((m) => m.messageId) },
        "could not delete; the redelivery will be a duplicate",
      );
    }
  }

  /** Shutdown ran out of budget for these: make them receivable again now rather than after the visibility timeout. */
  async function release(messages: QueueMessage[]): Promise<void> {
    if (messages.length === 0) return;
    try {
      const failed = await queue.changeVisibility(messages, 0, sqsCallSignal());
      counters.released += messages.length - failed.length;
      if (failed.length > 0)
        logger.warn(
          { failed: failed.map((f) => f.code) },
          "some releases failed; they return after the visibility timeout",
        );
    } catch (error) {
      logger.warn(
        { err: error, count: messages.length },
        "release failed; messages return after the visibility timeout",
      );
    }
  }

  interface Lease {
    drop(message: QueueMessage): void;
    /** Stops extending; resolves once the extensions already sent have settled. */
    end(): Promise<void>;
  }

  /**
   * Keeps the batch's unfinished messages invisible while they are worked on: every third of the visibility timeout,
   * extend them by a full one, so one failed extension still leaves another try before they reappear. Messages that
   * are done (or given up on) are dropped so they are not extended.
   */
  function startLease(messages: QueueMessage[]): Lease {
    const held = new Set(messages);
    const extending = new Set<Promise<void>>();
    const everyMs = (settings.visibilityTimeoutSeconds * 1_000) / 3;
    const timer = setInterval(() => {
      if (held.size === 0) return;
      const extension: Promise<void> = extend([...held]).finally(() => extending.delete(extension));
      extending.add(extension);
    }, everyMs);
    timer.unref();
    return {
      drop: (message) => held.delete(message),
      end: async () => {
        held.clear();
        clearInterval(timer);
        await Promise.all(extending);
      },
    };
  }

  /** Never rejects: a failed extension is logged, and the next one (or a redelivery) follows. */
  async function extend(messages: QueueMessage[]): Promise<void> {
    try {
      const failed = await queue.changeVisibility(messages, settings.visibilityTimeoutSeconds, sqsCallSignal());
      counters.visibilityExtended += messages.length - failed.length;
      if (failed.length > 0)
        logger.warn({ failed: failed.map((f) => f.code) }, "visibility extension failed for some messages");
    } catch (error) {
      logger.warn({ err: error }, "visibility extension failed; the messages may be redelivered");
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
    counters: snapshot,
  };
}
