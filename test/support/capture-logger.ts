import { Writable } from "node:stream";
import { pino, type Logger } from "pino";

/** A pino logger that keeps every line it writes in memory (parsed), for assertions on what a service logged. */
export function captureLogger(options: { readonly level?: string; readonly base?: Record<string, unknown> } = {}): {
  logger: Logger;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split("\n"))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const settings = { level: options.level ?? "info", ...(options.base ? { base: options.base } : {}) };
  return { logger: pino(settings, sink), lines };
}
