import { SpanKind, SpanStatusCode, type Attributes, type Span } from "@opentelemetry/api";
import { startSpanFrom, tracingEnabled } from "./tracing.js";
import { firstOrigin, logTraceId } from "./tracing-context.js";
import { REQUEST_ID_ATTRIBUTE, attributesOf, inChildSpan, type SpanAttributes } from "./tracing-spans.js";

/**
 * The processor's spans: one per received message, in the trace the message carries (SQS's `AWSTraceHeader` first,
 * then the `trace` message attribute the ingest template sets), with the DynamoDB write and the SQS delete as its
 * children. A batch's calls are shared by its messages, so spans are found by message id rather than by the active
 * context: the store and the acknowledgements name the messages they work for.
 */

export interface TracedMessage {
  readonly messageId: string;
  readonly receiveCount: number;
  /** SQS's AWSTraceHeader system attribute (set from the X-Amzn-Trace-Id of the SendMessage call). */
  readonly awsTraceHeader?: string | undefined;
  /** The `trace` message attribute (an X-Ray trace header the ingest integration builds). */
  readonly traceAttribute?: string | undefined;
}

/** What ended a message's handling (the processor's Outcome). */
export type MessageOutcome = "created" | "duplicate" | "invalid" | "failed" | "release";

/** Message spans in flight, by message id. A message id received twice at once (SQS may) keeps its first span. */
const spans = new Map<string, Span>();

export interface BatchSpans {
  /** Records how a message ended: invalid messages are poison (they end in the DLQ), failed ones are retried. */
  outcome(messageId: string, outcome: MessageOutcome): void;
  /** Ends every span of the batch. */
  end(): void;
}

const NO_SPANS: BatchSpans = { outcome: () => {}, end: () => {} };

/** Starts one span per message of a received batch; with tracing off, nothing (and nothing to end). */
export function startMessageSpans(messages: readonly TracedMessage[]): BatchSpans {
  if (!tracingEnabled()) return NO_SPANS;
  const mine: [string, Span][] = [];
  for (const m of messages) {
    if (spans.has(m.messageId)) continue;
    const span = startSpanFrom(firstOrigin([m.awsTraceHeader, m.traceAttribute]), "process message", {
      kind: SpanKind.CONSUMER,
      attributes: {
        "messaging.system": "aws_sqs",
        "messaging.operation.type": "process",
        "messaging.message.id": m.messageId,
        [REQUEST_ID_ATTRIBUTE]: m.messageId,
        "messaging.aws.sqs.receive_count": m.receiveCount,
        // A message SQS hands out again: an earlier attempt failed, was released, or its delete was lost.
        "app.message.retried": m.receiveCount > 1,
      },
    })!;
    spans.set(m.messageId, span);
    mine.push([m.messageId, span]);
  }
  return {
    outcome(messageId, outcome) {
      const span = spans.get(messageId);
      if (!span) return;
      span.setAttribute("app.message.outcome", outcome);
      if (outcome === "invalid") span.setAttribute("app.message.poison", true);
      if (outcome === "invalid" || outcome === "failed")
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    },
    end() {
      for (const [messageId, span] of mine) {
        span.end();
        spans.delete(messageId);
      }
    },
  };
}

/** The X-Ray trace id of a message's span, for its log lines; undefined when tracing is off. */
export function messageTraceId(messageId: string): string | undefined {
  const span = spans.get(messageId);
  return span ? logTraceId(span.spanContext()) : undefined;
}

/** Runs one call for one message as a child of its span (e.g. the conditional PutItem). */
export function inMessageSpan<T>(
  messageId: string,
  name: string,
  attributes: SpanAttributes,
  call: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  const parent = spans.get(messageId);
  if (!parent?.isRecording()) return call(undefined);
  return inChildSpan(name, () => ({ ...attributesOf(attributes), [REQUEST_ID_ATTRIBUTE]: messageId }), call, parent);
}

/**
 * Runs one call made for several messages (a batch delete) with a child span under each message's span, all ending
 * with the call; a per-entry failure is marked on its own span by `failedIds`.
 */
export async function inMessagesSpans<T>(
  messageIds: readonly string[],
  name: string,
  attributes: Attributes,
  call: () => Promise<T>,
  failedIds: (result: T) => readonly string[] = () => [],
): Promise<T> {
  // Only recorded (sampled) messages get a child span: an unsampled one's would be dropped anyway.
  const parents = messageIds.flatMap((id) => (spans.get(id)?.isRecording() ? [[id, spans.get(id)!] as const] : []));
  if (parents.length === 0) return call();
  // One call, started once; each message's child span waits for it (the spans start in this same tick).
  const shared = call();
  const perMessage = parents.map(([id, parent]) =>
    inChildSpan(
      name,
      { ...attributes, [REQUEST_ID_ATTRIBUTE]: id, "messaging.batch.message_count": messageIds.length },
      async (span) => {
        const result = await shared;
        if (failedIds(result).includes(id)) span?.setStatus({ code: SpanStatusCode.ERROR });
        return result;
      },
      parent,
    ),
  );
  return (await Promise.all(perMessage))[0]!;
}
