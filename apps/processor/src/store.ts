import { ConditionalCheckFailedException, DynamoDBClient, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { RequestItem } from "./domain.js";

/**
 * The only DynamoDB code in the processor.
 *
 * Every item is written with `attribute_not_exists(requestId)`, so a redelivered message never creates a second
 * item or overwrites the first. BatchWriteItem cannot carry that condition, so a batch of items goes out as one
 * TransactWriteItems of conditional puts (a single item as a plain conditional PutItem). Measured against parallel
 * PutItems (docs/BENCHMARKS.md), one request per batch is what lets the processor keep up with the queue; the price
 * on AWS is double write capacity per item (transactional writes), which is the cost of being both conditional and
 * batched. A transaction is all-or-nothing: when some items already exist, the cancellation reasons say which, and
 * the caller resends the rest.
 */

/** Per-item result of one write attempt. */
export type ItemWriteResult =
  | "created"
  /** An item with this requestId already existed: nothing was written. */
  | "duplicate"
  /** Not written because another item of the same transaction was cancelled: resend now. */
  | "resend"
  /** Transient contention on this item (transaction conflict, throttling): resend after a backoff. */
  | "contended"
  /** DynamoDB rejected the item itself; resending it cannot help. */
  | { readonly rejected: string };

export interface ItemStore {
  /**
   * Writes each item unless one with its requestId exists; resolves once the writes are durable, with one result per
   * item (same order). Items must have distinct requestIds. Throws when the request as a whole failed.
   */
  putAllIfAbsent(items: readonly RequestItem[], signal?: AbortSignal): Promise<ItemWriteResult[]>;
}

export interface DynamoClientOptions {
  readonly region: string;
  /** Explicit endpoint (DynamoDB Local); undefined uses the SDK's resolution (AWS). */
  readonly endpoint?: string | undefined;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function createDynamoClient(options: DynamoClientOptions): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Bounded calls: a hung connection must surface as an error the retry loop (and liveness) can see.
    // throwOnRequestTimeout: without it this SDK version only logs a warning and keeps waiting.
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000, throwOnRequestTimeout: true },
    // The consumer retries in place with its own backoff; the SDK's quick retries absorb blips.
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, {
    // JSON integers above 2^53 are valid payload (parsed as the nearest double); store them rather than throw.
    marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
  });
}

const CONDITION = "attribute_not_exists(requestId)";

export function createItemStore(client: DynamoDBDocumentClient, tableName: string): ItemStore {
  async function putOne(item: RequestItem, signal?: AbortSignal): Promise<ItemWriteResult> {
    try {
      await client.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: CONDITION }), { abortSignal: signal });
      return "created";
    } catch (error) {
      // The item exists: this message was written before (redelivery, or a crash between write and delete).
      if (error instanceof ConditionalCheckFailedException) return "duplicate";
      throw error;
    }
  }

  async function putTransaction(items: readonly RequestItem[], signal?: AbortSignal): Promise<ItemWriteResult[]> {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: items.map((Item) => ({ Put: { TableName: tableName, Item, ConditionExpression: CONDITION } })),
        }),
        { abortSignal: signal },
      );
      return items.map(() => "created");
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.length === items.length) {
        return error.CancellationReasons.map((reason) => fromCancellation(reason.Code, reason.Message));
      }
      throw error;
    }
  }

  return {
    async putAllIfAbsent(items, signal) {
      if (items.length === 0) return [];
      if (items.length === 1) return [await putOne(items[0]!, signal)];
      return putTransaction(items, signal);
    },
  };
}

function fromCancellation(code: string | undefined, message: string | undefined): ItemWriteResult {
  switch (code) {
    case "None":
    case undefined:
      return "resend";
    case "ConditionalCheckFailed":
      return "duplicate";
    case "ValidationError":
    case "ItemCollectionSizeLimitExceeded":
      return { rejected: `${code}: ${message ?? ""}`.trim() };
    default:
      // TransactionConflict, ThrottlingError, ProvisionedThroughputExceeded, ...
      return "contended";
  }
}

/** DynamoDB rejected the request because of its content: resending the same items cannot succeed. */
const CONTENT_ERRORS = new Set(["ValidationException", "SerializationException", "ItemCollectionSizeLimitExceededException"]);

/**
 * Transient = worth retrying in place (throttling, 5xx, network, timeouts, and infrastructure faults such as a
 * missing table or permission, which no redelivery would fix either). Permanent = the content cannot be written;
 * the caller isolates the offending item and leaves its message for redelivery and, eventually, the DLQ.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (CONTENT_ERRORS.has(error.name)) return false;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  // An SDK-side error with no HTTP exchange and no network code is a marshalling/programming error: permanent.
  const code = (error as { code?: string }).code;
  if (!metadata?.httpStatusCode && !code && error.name === "Error" && !/socket|network|timeout|ECONN/i.test(error.message)) {
    return false;
  }
  return true;
}
