import { ConditionalCheckFailedException, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { RequestItem } from "./domain.js";

/**
 * The only DynamoDB code in the processor.
 *
 * Why one conditional PutItem per item (sent in parallel) rather than BatchWriteItem or TransactWriteItems:
 * BatchWriteItem cannot carry a condition, so a redelivered message would overwrite the first write;
 * TransactWriteItems can, but one duplicate cancels the whole transaction (a second round trip for the rest),
 * it costs twice the write capacity, and the bench measured it slower than parallel puts (docs/BENCHMARKS.md).
 */

export type PutOutcome = "created" | "duplicate";

export interface ItemStore {
  /** Writes the item unless one with its requestId exists. Resolves once the write is durable. */
  putIfAbsent(item: RequestItem, signal?: AbortSignal): Promise<PutOutcome>;
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
    requestHandler: { connectionTimeout: 2_000, requestTimeout: 5_000 },
    // The consumer retries in place with its own backoff; the SDK's quick retries absorb blips.
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, {
    // JSON integers above 2^53 are valid payload (parsed as the nearest double); store them rather than throw.
    marshallOptions: { removeUndefinedValues: true, allowImpreciseNumbers: true },
  });
}

export function createItemStore(client: DynamoDBDocumentClient, tableName: string): ItemStore {
  return {
    async putIfAbsent(item, signal) {
      try {
        await client.send(
          new PutCommand({ TableName: tableName, Item: item, ConditionExpression: "attribute_not_exists(requestId)" }),
          { abortSignal: signal },
        );
        return "created";
      } catch (error) {
        // The item exists: this message was written before (redelivery, or a crash between write and delete).
        if (error instanceof ConditionalCheckFailedException) return "duplicate";
        throw error;
      }
    },
  };
}

/** DynamoDB rejected this item itself: retrying the same item cannot succeed. */
const ITEM_ERRORS = new Set(["ValidationException", "SerializationException", "ItemCollectionSizeLimitExceededException"]);

/**
 * Transient = worth retrying the same item in place (throttling, 5xx, network, timeouts, and infrastructure faults
 * such as a missing table or permission, which no redelivery would fix either). Permanent = this item can never be
 * written; the message is left for redelivery and, if it keeps failing, the DLQ.
 */
export function isTransientStoreError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (ITEM_ERRORS.has(error.name)) return false;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  // An SDK-side error with no HTTP exchange and no network code is a marshalling/programming error: permanent.
  const code = (error as { code?: string }).code;
  if (!metadata?.httpStatusCode && !code && error.name === "Error" && !/socket|network|timeout|ECONN/i.test(error.message)) {
    return false;
  }
  return true;
}
