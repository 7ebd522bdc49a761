import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { ITEM_MARSHALL_OPTIONS } from "../../shared/src/item-marshalling.js";
import { expiresAtSeconds, type ResultExpiry } from "../../shared/src/result-expiry.js";
import type { RequestItem } from "./domain.js";
import { inMessageSpan } from "../../shared/src/tracing-messages.js";
import { dynamoSpanAttributes } from "../../shared/src/tracing-spans.js";

/**
 * The only DynamoDB code in the processor.
 *
 * Every item is written with its own conditional PutItem (`attribute_not_exists(requestId)`), so a redelivered
 * message never creates a second item or overwrites the first. Chosen by what AWS bills: a PutItem costs one write
 * unit per KB, while the same put inside TransactWriteItems costs two, and BatchWriteItem (also one unit) cannot carry
 * the condition, so it could overwrite the first item on redelivery. DynamoDB on-demand bills per write unit, not per
 * request, so batching writes into fewer requests saves nothing on AWS (the figures: docs/BENCHMARKS.md, docs/COST.md).
 * The items of one call go out in parallel and each gets its own result, so one item's failure never touches another.
 */

/** Per-item result of one write attempt. */
export type ItemWriteResult =
  | "created"
  /** An item with this requestId already existed: nothing was written. */
  | "duplicate"
  /** A transient failure of this item's request (throttling, a dropped connection): resend after a backoff. */
  | "contended"
  /** DynamoDB rejected the item itself; resending it cannot help. */
  | { readonly rejected: string };

export interface ItemStore {
  /**
   * Writes each item unless one with its requestId exists; resolves once the writes are durable, with one result per
   * item (same order). Items must have distinct requestIds. Throws when every item failed with the same kind of
   * transient error (DynamoDB unreachable, a missing table): the caller sees one request-level failure, as in an outage.
   */
  putAllIfAbsent(items: readonly RequestItem[], signal?: AbortSignal): Promise<ItemWriteResult[]>;
  /** Write capacity units DynamoDB reported for the writes so far (ReturnConsumedCapacity): what AWS bills. */
  readonly consumedWriteUnits?: () => number;
}

export interface DynamoClientOptions {
  readonly region: string;
  /** Explicit endpoint (DynamoDB Local); undefined uses the SDK's resolution (AWS). */
  readonly endpoint?: string | undefined;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
}

export function createDocumentClient(options: DynamoClientOptions): DynamoDBDocumentClient {
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
  return DynamoDBDocumentClient.from(client, { marshallOptions: ITEM_MARSHALL_OPTIONS });
}

const CONDITION = "attribute_not_exists(requestId)";

/**
 * `expiry`: each item also gets its expiry attribute, stamped at write time (what DynamoDB TTL deletes by).
 * @default results never expire
 */
export function createItemStore(client: DynamoDBDocumentClient, tableName: string, expiry?: ResultExpiry): ItemStore {
  let writeUnits = 0;

  async function putOne(item: RequestItem, signal?: AbortSignal): Promise<ItemWriteResult | { error: unknown }> {
    try {
      const put = new PutCommand({
        TableName: tableName,
        Item: expiry ? { ...item, [expiry.attribute]: expiresAtSeconds(expiry, new Date()) } : item,
        ConditionExpression: CONDITION,
        // The consumed capacity rides on the response at no cost; it makes the write bill visible in the counters.
        ReturnConsumedCapacity: "TOTAL",
      });
      // Built only for a span: most messages are not traced.
      const attributes = () => dynamoSpanAttributes("PutItem", tableName, { "app.conditional": true });
      const response = await inMessageSpan(item.requestId, "DynamoDB.PutItem", attributes, () =>
        client.send(put, { abortSignal: signal }),
      );
      writeUnits += response.ConsumedCapacity?.CapacityUnits ?? 0;
      return "created";
    } catch (error) {
      // The item exists: this message was written before (redelivery, or a crash between write and delete).
      if (error instanceof ConditionalCheckFailedException) return "duplicate";
      if (!isTransientStoreError(error))
        return { rejected: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
      return { error };
    }
  }

  return {
    async putAllIfAbsent(items, signal) {
      const results = await Promise.all(items.map((item) => putOne(item, signal)));
      // Every item failed transiently: that is the request path failing (an outage, a missing table), not the items.
      const first = results[0];
      if (
        first !== undefined &&
        typeof first === "object" &&
        "error" in first &&
        results.every((r) => typeof r === "object" && "error" in r)
      ) {
        throw first.error;
      }
      return results.map((r) => (typeof r === "object" && "error" in r ? "contended" : r));
    },
    consumedWriteUnits: () => writeUnits,
  };
}

/** DynamoDB rejected the request because of its content: resending the same items cannot succeed. */
const CONTENT_ERRORS = new Set([
  "ValidationException",
  "SerializationException",
  "ItemCollectionSizeLimitExceededException",
]);

/**
 * Transient = worth retrying in place (throttling, 5xx, network, timeouts, and infrastructure faults such as a
 * missing table or permission, which no redelivery would fix either). Permanent = the content cannot be written;
 * the caller isolates the offending item and leaves its message for redelivery and, eventually, the DLQ.
 */
/** What a bug or an unmarshallable value throws on our side of the wire (a plain Error, or a TypeError/RangeError). */
const PROGRAMMING_ERRORS = new Set(["Error", "TypeError", "RangeError"]);

export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (CONTENT_ERRORS.has(error.name)) return false;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  // An SDK-side error with no HTTP exchange and no network code is a marshalling/programming error: permanent, so
  // its message reaches the DLQ instead of being retried (and its lease extended) for ever.
  const code = (error as { code?: string }).code;
  if (
    !metadata?.httpStatusCode &&
    !code &&
    PROGRAMMING_ERRORS.has(error.name) &&
    !/socket|network|timeout|ECONN/i.test(error.message)
  ) {
    return false;
  }
  return true;
}
