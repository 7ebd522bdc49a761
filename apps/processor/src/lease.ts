import type { QueueMessage } from "./queue.js";
import { sqsCallSignal, type RunContext } from "./run-context.js";

/** The SQS side of a batch's messages while they are worked on: visibility extensions, and release at shutdown. */

export interface Lease {
  drop(message: QueueMessage): void;
  /** Stops extending; resolves once the extensions already sent have settled. */
  end(): Promise<void>;
}

/**
 * Keeps the batch's unfinished messages invisible while they are worked on: every third of the visibility timeout,
 * extend them by a full one, so one failed extension still leaves another try before they reappear. Messages that
 * are done (or given up on) are dropped so they are not extended.
 */
export function startLease(ctx: RunContext, messages: QueueMessage[]): Lease {
  const held = new Set(messages);
  // Every extension sent, chained rather than collected: end() waits for them all, and settled ones are not kept.
  let extending: Promise<unknown> = Promise.resolve();
  const everyMs = (ctx.visibilityTimeoutSeconds * 1_000) / 3;
  const timer = setInterval(() => {
    if (held.size === 0) return;
    extending = Promise.all([extending, extend(ctx, [...held])]);
  }, everyMs);
  timer.unref();
  return {
    drop: (message) => held.delete(message),
    end: async () => {
      held.clear();
      clearInterval(timer);
      await extending;
    },
  };
}

/** Never rejects: a failed extension is logged, and the next one (or a redelivery) follows. */
async function extend(ctx: RunContext, messages: QueueMessage[]): Promise<void> {
  try {
    const failed = await ctx.queue.changeVisibility(messages, ctx.visibilityTimeoutSeconds, sqsCallSignal(ctx));
    ctx.counters.visibilityExtended += messages.length - failed.length;
    if (failed.length > 0)
      ctx.logger.warn({ failed: failed.map((f) => f.code) }, "visibility extension failed for some messages");
  } catch (error) {
    ctx.logger.warn({ err: error }, "visibility extension failed; the messages may be redelivered");
  }
}

/** Shutdown ran out of budget for these: make them receivable again now rather than after the visibility timeout. */
export async function release(ctx: RunContext, messages: QueueMessage[]): Promise<void> {
  if (messages.length === 0) return;
  try {
    const failed = await ctx.queue.changeVisibility(messages, 0, sqsCallSignal(ctx));
    ctx.counters.released += messages.length - failed.length;
    if (failed.length > 0)
      ctx.logger.warn(
        { failed: failed.map((f) => f.code) },
        "some releases failed; they return after the visibility timeout",
      );
  } catch (error) {
    ctx.logger.warn(
      { err: error, count: messages.length },
      "release failed; messages return after the visibility timeout",
    );
  }
}
