import type { Logger } from "../../shared/src/logger.js";
import { parseMessage } from "./domain.js";
import { messageTraceId } from "../../shared/src/tracing-messages.js";
import type { Lease } from "./lease.js";
import type { QueueMessage } from "./queue.js";
import type { Outcome, RunContext } from "./run-context.js";

/** A message that parsed and whose hook succeeded: what to write for it. */
export interface Prepared {
  readonly message: QueueMessage;
  readonly payload: Record<string, unknown>;
  readonly result: unknown;
  /** The normalized owner; "" for none. */
  readonly owner: string;
  readonly log: Logger;
}

/**
 * Runs `work` with a signal that aborts when the hooks' time limit passes or the shutdown budget is spent. One timer
 * per batch (not per message), cleared as soon as the batch's hooks are done.
 */
export async function withTimeLimit<T>(ctx: RunContext, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const limit = new AbortController();
  const timer = setTimeout(
    () => limit.abort(new Error(`process hook still running after ${ctx.processTimeoutMs / 1_000} s`)),
    ctx.processTimeoutMs,
  );
  try {
    return await run(AbortSignal.any([ctx.work, limit.signal]));
  } finally {
    clearTimeout(timer);
  }
}

/** Parse, validate and run the hook; returns what to write, or the message's final outcome. */
export async function prepare(
  ctx: RunContext,
  message: QueueMessage,
  lease: Lease,
  signal: AbortSignal,
): Promise<Prepared | Outcome> {
  const traceId = messageTraceId(message.messageId);
  const log = ctx.logger.child({
    messageId: message.messageId,
    receiveCount: message.receiveCount,
    ...(traceId && { traceId }),
  });
  const parsed = parseMessage(message.body, message.attributes.owner);
  if (!parsed.ok) {
    // Logged once per receive; not deleted, so the redrive policy moves it to the DLQ after maxReceiveCount.
    ctx.counters.invalid++;
    lease.drop(message);
    log.warn({ reason: parsed.reason }, "invalid message left for the DLQ");
    return "invalid";
  }
  try {
    const result = await runHook(ctx, parsed.payload, message, signal);
    return { message, payload: parsed.payload, result, owner: parsed.owner, log };
  } catch (error) {
    if (ctx.work.aborted) return "release";
    ctx.counters.failed++;
    lease.drop(message);
    log.error({ err: error }, "process hook failed; message left for redelivery");
    return "failed";
  }
}

async function runHook(
  ctx: RunContext,
  payload: Record<string, unknown>,
  message: QueueMessage,
  signal: AbortSignal,
): Promise<unknown> {
  // parseBody accepted the body, so it is there.
  const context = { messageId: message.messageId, body: message.body!, signal };
  // A hook that ignores the signal must not hold its message (or shutdown) hostage: stop waiting for it on abort.
  // The reason is only logged for the time limit: after a shutdown abort, prepare releases the message unlogged.
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    signal.addEventListener("abort", onAbort);
  });
  try {
    if (signal.aborted) throw signal.reason as Error;
    return await Promise.race([Promise.resolve().then(() => ctx.hook(payload, context)), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}
