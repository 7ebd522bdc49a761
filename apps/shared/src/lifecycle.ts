import type { Logger } from "./logger.js";

export interface LifecycleOptions {
  readonly logger: Logger;
  /** The stop's own budget: past it (plus a margin), a last-resort timer exits 1. */
  readonly shutdownTimeoutMs: number;
  /** Stops taking work, drains, releases clients; resolves to the exit code. */
  readonly stop: (signal: NodeJS.Signals) => Promise<number>;
}

/** How long past its budget a stop may take before the last-resort exit: the time to log and flush. */
const LAST_RESORT_MARGIN_MS = 2_000;

/**
 * The process lifecycle both services share:
 * - SIGTERM (ECS) and SIGINT (a terminal) stop the service once; a second signal is logged and ignored. `on`, not
 *   `once`: after a once-listener fires, a second signal gets Node's default handler and kills the drain.
 * - A last-resort timer exits 1 if the stop overruns its budget (a bug: the stop itself is bounded), so the task
 *   never waits for ECS's SIGKILL.
 * - A bug that escapes every handler logs one structured fatal line and exits 1, so ECS replaces the task instead of
 *   leaving it running in an unknown state.
 */
export function handleLifecycle({ logger, shutdownTimeoutMs, stop }: LifecycleOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.info({ signal }, "shutdown already in progress; signal ignored");
      return;
    }
    stopping = true;
    logger.info({ signal, shutdownTimeoutMs }, "shutdown requested");
    setTimeout(() => {
      logger.error({ shutdownTimeoutMs }, "shutdown exceeded its budget; exiting anyway");
      process.exit(1);
    }, shutdownTimeoutMs + LAST_RESORT_MARGIN_MS).unref();
    stop(signal).then(
      // pino writes synchronously to stdout, so nothing is lost by exiting now; a timer left by a dependency must
      // not keep the task alive until SIGKILL.
      (code) => process.exit(code),
      (error: unknown) => {
        logger.fatal({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  const die = (kind: string) => (error: unknown) => {
    logger.fatal({ err: error }, kind);
    process.exit(1);
  };
  process.on("uncaughtException", die("uncaught exception"));
  process.on("unhandledRejection", die("unhandled rejection"));
}
