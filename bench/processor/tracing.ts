/**
 * bench:processor's tracing overhead: the processor's bundle drains the same preloaded queue with tracing off, at the
 * default sampling and at 100%, in interleaved rounds (bench/shared/tracing-overhead.ts); each drain's CPU per message
 * is the consumer process's own (/proc, from its first poll to the empty queue). Spans go to one local OTLP receiver
 * per mode in this process, so each mode's exports are counted apart.
 */
import { startTraceReceiver, type TraceReceiver } from "../../local/tracing/receiver.js";
import type { Emulators } from "../../kit/emulator-fixtures.js";
import { drainWithBundle, log } from "../lib-processor-drain.js";
import type { SqsRequestCounter } from "../shared/sqs-requests.js";
import {
  TRACING_MODES,
  emptyRounds,
  roundOrder,
  summariseOverhead,
  tracingEnv,
  type TracingMode,
} from "../shared/tracing-overhead.js";

export interface ProcessorTracingSettings {
  readonly emulators: Emulators;
  readonly bundle: string;
  readonly node: string;
  readonly dynamoPid: number;
  readonly sqsRequests: SqsRequestCounter;
  readonly messages: number;
  readonly concurrency: number;
  readonly rounds: number;
}

/** The default sampling may cost at most this much CPU per message over tracing off. */
export const TRACING_TARGET_RATIO = 1.03;

export async function measureProcessorTracing(s: ProcessorTracingSettings) {
  const receivers = Object.fromEntries(
    await Promise.all(TRACING_MODES.map(async (mode) => [mode, await startTraceReceiver()] as const)),
  ) as Record<TracingMode, TraceReceiver>;
  try {
    const rounds = emptyRounds();
    for (let r = 0; r < s.rounds; r++) {
      for (const mode of roundOrder(r)) {
        log(`tracing round ${r + 1}: ${mode}, ${s.messages} messages`);
        const drain = await drainWithBundle(s.emulators, s.bundle, {
          messages: s.messages,
          concurrency: s.concurrency,
          dynamoPid: s.dynamoPid,
          sqsRequests: s.sqsRequests,
          node: s.node,
          env: tracingEnv(mode, receivers[mode].tracesEndpoint),
        });
        rounds[mode].push((drain.cpuSeconds.processor * 1_000) / drain.itemsStored);
      }
    }
    const messages = s.rounds * s.messages;
    return {
      summary: summariseOverhead(rounds, TRACING_TARGET_RATIO),
      messages: { off: messages, default: messages, full: messages },
      // The consumer flushes its spans on SIGTERM (its shutdown), so every drain's spans are in by now.
      spansReceived: Object.fromEntries(TRACING_MODES.map((m) => [m, receivers[m].received()])) as Record<
        TracingMode,
        number
      >,
    };
  } finally {
    await Promise.all(Object.values(receivers).map((receiver) => receiver.close()));
  }
}
