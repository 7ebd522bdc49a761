import type { Logger } from "../../shared/src/logger.js";
import type { ProcessHook } from "./domain.js";
import type { MessageQueue } from "./queue.js";
import type { Counters } from "./stats.js";
import type { ItemStore } from "./store.js";

/**
 * What one running processor shares with its parts (hooks, writes, lease, acknowledgements), passed explicitly.
 * Settings are resolved (defaults applied) once, when the processor is created.
 */
export interface RunContext {
  readonly queue: MessageQueue;
  readonly store: ItemStore;
  readonly logger: Logger;
  /** Mutated in place by every part; the processor's counters() reads the same object. */
  readonly counters: Counters;
  /** The business hook. */
  readonly hook: ProcessHook;
  /** How long a batch's hooks may run. */
  readonly processTimeoutMs: number;
  /** The visibility timeout requested on each receive; the lease extends by it every third of it. */
  readonly visibilityTimeoutSeconds: number;
  /** Aborted on stop: cancels pending receives and receive-error backoffs. */
  readonly polling: AbortSignal;
  /** Aborted when the shutdown budget is nearly spent: in-flight hooks and writes give up and are released. */
  readonly work: AbortSignal;
  /** Records real progress for liveness (see Liveness.lastProgressAt). */
  readonly progress: () => void;
}

/** The final outcome of one message in a batch. */
export type Outcome = "created" | "duplicate" | "invalid" | "failed" | "release";

/** Once shutdown has begun, each delete or visibility call gets this long, so a slow SQS cannot eat the margin. */
const SHUTDOWN_CALL_TIMEOUT_MS = 3_000;

/** No deadline of our own while running (the client's request timeout applies); a short one during shutdown. */
export const sqsCallSignal = (ctx: RunContext): AbortSignal | undefined =>
  ctx.polling.aborted ? AbortSignal.timeout(SHUTDOWN_CALL_TIMEOUT_MS) : undefined;
