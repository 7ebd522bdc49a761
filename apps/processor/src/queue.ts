import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SQSClient,
  type BatchResultErrorEntry,
  type MessageAttributeValue,
} from "@aws-sdk/client-sqs";

/** The only SQS code in the processor: receive, batch delete and batch visibility changes, per-entry results. */

export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string | undefined;
  /** Epoch milliseconds (string) when the message was enqueued. */
  readonly sentTimestamp: string | undefined;
  /** How many times SQS has handed this message out, this receive included. */
  readonly receiveCount: number;
  /** The message attributes named in RECEIVED_ATTRIBUTES that the message carries (the others are absent). */
  readonly attributes: Readonly<Record<string, MessageAttribute>>;
  /** The trace the message carries (apps/shared/src/tracing-messages.ts): SQS's AWSTraceHeader, the `trace` attribute. */
  readonly awsTraceHeader?: string | undefined;
  readonly traceAttribute?: string | undefined;
}

/** A message attribute as SQS returns it: its data type and, for String and Number types, its value. */
export interface MessageAttribute {
  readonly dataType: string | undefined;
  readonly stringValue: string | undefined;
}

/**
 * The message attributes every receive asks for (SQS returns only the ones named): `owner`, the client that sent the
 * request, set by the ingest integration from the request context.
 */
export const RECEIVED_ATTRIBUTES: readonly string[] = ["owner", "trace"];

export interface EntryFailure {
  readonly message: QueueMessage;
  readonly code: string;
  /** True when retrying the same entry cannot help (e.g. an expired receipt handle). */
  readonly senderFault: boolean;
}

export interface MessageQueue {
  receive(signal?: AbortSignal): Promise<QueueMessage[]>;
  /** Deletes the messages; resolves with the entries SQS did not delete (the call itself may also throw or abort). */
  deleteBatch(messages: readonly QueueMessage[], signal?: AbortSignal): Promise<EntryFailure[]>;
  /** Sets the messages' visibility timeout; 0 makes them receivable again now. Resolves with the failed entries. */
  changeVisibility(messages: readonly QueueMessage[], seconds: number, signal?: AbortSignal): Promise<EntryFailure[]>;
}

export interface SqsClientOptions {
  readonly region: string;
  /** Explicit endpoint (an emulator); undefined uses the SDK's resolution (AWS). */
  readonly endpoint?: string | undefined;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  readonly waitTimeSeconds: number;
}

/**
 * With an explicit `endpoint`, the SDK sends every call there instead of to the queue URL's host
 * (`useQueueUrlAsEndpoint`), so emulators that hand out `*.localhost` queue URLs work without DNS tricks.
 */
export function createSqsClient(options: SqsClientOptions): SQSClient {
  return new SQSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // A long poll legitimately takes waitTimeSeconds; anything much longer is a hung connection.
    // throwOnRequestTimeout: without it this SDK version only logs a warning and keeps waiting.
    requestHandler: {
      connectionTimeout: 2_000,
      requestTimeout: (options.waitTimeSeconds + 10) * 1_000,
      throwOnRequestTimeout: true,
    },
  });
}

export function createMessageQueue(
  sqs: SQSClient,
  options: {
    readonly queueUrl: string;
    readonly batchSize: number;
    readonly waitTimeSeconds: number;
    readonly visibilityTimeoutSeconds: number;
  },
): MessageQueue {
  const { queueUrl } = options;
  return {
    async receive(signal) {
      const response = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: options.batchSize,
          WaitTimeSeconds: options.waitTimeSeconds,
          // Explicit, whatever the queue's default: the consumer extends visibility on this timeout's schedule.
          VisibilityTimeout: options.visibilityTimeoutSeconds,
          MessageSystemAttributeNames: ["SentTimestamp", "ApproximateReceiveCount", "AWSTraceHeader"],
          MessageAttributeNames: [...RECEIVED_ATTRIBUTES],
        }),
        { abortSignal: signal },
      );
      return (response.Messages ?? []).flatMap((m) =>
        m.MessageId && m.ReceiptHandle
          ? [
              {
                messageId: m.MessageId,
                receiptHandle: m.ReceiptHandle,
                body: m.Body,
                sentTimestamp: m.Attributes?.SentTimestamp,
                receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 1),
                attributes: attributesOf(m.MessageAttributes),
                awsTraceHeader: m.Attributes?.AWSTraceHeader,
                traceAttribute: m.MessageAttributes?.trace?.StringValue,
              },
            ]
          : [],
      );
    },

    async deleteBatch(messages, signal) {
      if (messages.length === 0) return [];
      const response = await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
        }),
        { abortSignal: signal },
      );
      return failures(messages, response.Failed);
    },

    async changeVisibility(messages, seconds, signal) {
      if (messages.length === 0) return [];
      const response = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: messages.map((m, i) => ({
            Id: String(i),
            ReceiptHandle: m.receiptHandle,
            VisibilityTimeout: seconds,
          })),
        }),
        { abortSignal: signal },
      );
      return failures(messages, response.Failed);
    },
  };
}

/**
 * The attributes as SQS returned them, not filtered again here: SQS returns only the names a receive asks for, and
 * an emulator that returns them all when none is named (fauxqs) then still shows in tests whether the receive names
 * them. Built with fromEntries, which defines every name as an own property (an assignment to a `__proto__` name
 * would set the prototype instead).
 */
function attributesOf(received: Record<string, MessageAttributeValue> | undefined): Record<string, MessageAttribute> {
  return Object.fromEntries(
    Object.entries(received ?? {}).map(([name, value]) => [
      name,
      { dataType: value.DataType, stringValue: value.StringValue },
    ]),
  );
}

/** Batch calls succeed as a whole and report failures per entry; map them back to their messages. */
function failures(messages: readonly QueueMessage[], failed: BatchResultErrorEntry[] | undefined): EntryFailure[] {
  return (failed ?? []).flatMap((f) => {
    const message = messages[Number(f.Id)];
    return message ? [{ message, code: f.Code ?? "Unknown", senderFault: f.SenderFault ?? false }] : [];
  });
}
