/**
 * bench:processor's tracing overhead: the processor's bundle drains the same preloaded queue with tracing off, at the
 * default sampling and at 100%, in interleaved rounds (bench/shared/tracing-overhead.ts); each drain's CPU per message
 * is the consumer process's own (/proc, from its first poll to the empty queue). Spans go to one local OTLP receiver
 * per mode in this process, so each mode's exports are counted apart.
 */
import type { Emulators } from "../../kit/emulator-fixtures.js";
import { drainWithBundle, log } from "../lib-processor-drain.js";
import type { SqsRequestCounter } from "../shared/sqs-requests.js";
import {
  emptyRounds,
  roundOrder,
  startModeReceivers,
  summariseOverhead,
  tracingEnv,
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

export async function measureProcessorTracing(s: ProcessorTracingSettings) {
  const spans = await startModeReceivers();
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
          env: tracingEnv(mode, spans.receivers[mode].tracesEndpoint),
        });
        rounds[mode].push((drain.cpuSeconds.processor * 1_000) / drain.itemsStored);
      }
    }
    const messages = s.rounds * s.messages;
    return {
      summary: summariseOverhead(rounds),
      messages: { off: messages, default: messages, full: messages },
      // The consumer flushes its spans on SIGTERM (its shutdown), so every drain's spans are in by now.
      spansReceived: spans.received(),
    };
  } finally {
    await spans.close();
  }
}
