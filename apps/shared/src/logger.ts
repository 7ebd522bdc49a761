import { pino, type Logger } from "pino";

/** Structured JSON logs to stdout (one object per line), as CloudWatch Logs and log shippers expect. */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}

export type { Logger };
