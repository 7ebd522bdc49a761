import { pino, type Logger } from "pino";
import { tracingEnabled } from "./tracing.js";
import { traceLogFields } from "./tracing-spans.js";

/**
 * Structured JSON logs to stdout (one object per line), as CloudWatch Logs and log shippers expect. Created after
 * tracing has started: with tracing on, each line of a traced request carries its trace id and request id.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    ...(tracingEnabled() ? { mixin: traceLogFields } : {}),
  });
}

export type { Logger };
