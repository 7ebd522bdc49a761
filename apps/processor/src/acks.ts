import type { QueueMessage } from "./queue.js";
import { sqsCallSignal, type RunContext } from "./run-context.js";
import { backoffMs, sleep } from "./timing.js";
import { inMessagesSpans } from "../../shared/src/tracing-messages.js";

/** Delete attempts per batch before a durable message is left for a (harmless, duplicate) redelivery. */
const DELETE_ATTEMPTS = 5;

/** Deletes only messages whose item is durable; per-entry failures are retried, then left for a harmless redelivery. */
export async function deleteDurable(ctx: RunContext, messages: QueueMessage[]): Promise<void> {
  const { queue, logger, counters } = ctx;
  let pending = messages;
  for (let attempt = 1; pending.length > 0 && attempt <= DELETE_ATTEMPTS; attempt++) {
    // Out of shutdown budget: no more retries; an undeleted message only comes back as a duplicate.
    if (attempt > 1 && ctx.work.aborted) break;
    try {
      const batch = pending;
      const failed = await inMessagesSpans(
        batch.map((m) => m.messageId),
        "SQS.DeleteMessageBatch",
        { "rpc.system": "aws-api", "rpc.service": "SQS", "rpc.method": "DeleteMessageBatch" },
        () => queue.deleteBatch(batch, sqsCallSignal(ctx)),
        (failures) => failures.map((f) => f.message.messageId),
      );
      counters.deleted += pending.length - failed.length;
      if (failed.length < pending.length) ctx.progress();
      for (const f of failed.filter((f) => f.senderFault)) {
        logger.warn(
          { messageId: f.message.messageId, code: f.code },
          "delete rejected; the redelivery will be a duplicate",
        );
      }
      counters.deleteFailures += failed.filter((f) => f.senderFault).length;
      pending = failed.filter((f) => !f.senderFault).map((f) => f.message);
    } catch (error) {
      // Not "retrying": the last attempt logs this too, before the give-up line below.
      logger.warn({ err: error, attempt, attempts: DELETE_ATTEMPTS, count: pending.length }, "delete failed");
    }
    if (pending.length > 0 && attempt < DELETE_ATTEMPTS) await sleep(backoffMs(attempt, 100, 2_000), ctx.work);
  }
  if (pending.length > 0) {
    counters.deleteFailures += pending.length;
    logger.warn(
      { messageIds: pending.map((m) => m.messageId) },
      "could not delete; the redelivery will be a duplicate",
    );
  }
}
