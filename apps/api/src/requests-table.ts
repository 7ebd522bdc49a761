import {
  DynamoDBClient,
  GetItemCommand,
  type AttributeValue,
  type DynamoDBClientConfig,
} from "@aws-sdk/client-dynamodb";
import { isReadableBy, OWNER_ATTRIBUTE } from "../../shared/src/owner.js";
import { isPastExpiry } from "../../shared/src/result-expiry.js";
import { dynamoSpanAttributes, inChildSpan, tagRequestId } from "../../shared/src/tracing-spans.js";
import { ReadBudget, ReadUnitCounter, type ReadConsistency } from "./read-accounting.js";
import { DependencyUnavailableError } from "./errors.js";
import { itemToJson } from "./item-json.js";
import type { RequestId } from "./request-id.js";

/**
 * The only module that talks to DynamoDB.
 *
 * Time budget for one read, well under API Gateway's 29 s integration timeout:
 * - connect 1 s and 2 s per attempt (a GetItem normally takes single-digit ms),
 * - the SDK's standard retry mode, 3 attempts with jittered backoff (its retry quota stops retry storms),
 * - and an overall 5 s abort signal, so the worst case is bounded whatever the retries add up to.
 */
export const DYNAMO_CLIENT_SETTINGS = {
  maxAttempts: 3,
  connectionTimeoutMs: 1_000,
  requestTimeoutMs: 2_000,
  /** Above the ALB's expected concurrency per task; sockets are reused (keep-alive) to skip TCP/TLS set-up. */
  maxSockets: 64,
  readBudgetMs: 5_000,
} as const;

export interface DynamoClientOptions {
  readonly region: string;
  /** Emulator endpoint; undefined in AWS. */
  readonly endpoint?: string | undefined;
  /** Undefined in AWS: the SDK's default chain finds the ECS task role. */
  readonly credentials?: DynamoDBClientConfig["credentials"];
}

/** The client the service uses; the benchmark's ceiling run uses the same factory so both compare like for like. */
export function createDynamoClient(options: DynamoClientOptions): DynamoDBClient {
  return new DynamoDBClient({
    region: options.region,
    endpoint: options.endpoint,
    credentials: options.credentials,
    maxAttempts: DYNAMO_CLIENT_SETTINGS.maxAttempts,
    retryMode: "standard",
    requestHandler: {
      connectionTimeout: DYNAMO_CLIENT_SETTINGS.connectionTimeoutMs,
      requestTimeout: DYNAMO_CLIENT_SETTINGS.requestTimeoutMs,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true, maxSockets: DYNAMO_CLIENT_SETTINGS.maxSockets },
      httpsAgent: { keepAlive: true, maxSockets: DYNAMO_CLIENT_SETTINGS.maxSockets },
    },
  });
}

/** What the HTTP layer needs from storage; tests substitute it to hold a request in flight. */
export interface RequestsReader {
  /**
   * The stored item as JSON text without its owner, or undefined when no item has that id or it belongs to another
   * owner than `owner` (the caller's normalized owner, "" for none): the caller cannot tell the two apart.
   */
  getRequestJson(requestId: RequestId, owner: string): Promise<string | undefined>;
  /** Proves the table answers (readiness); throws DependencyUnavailableError when it does not. */
  ping(): Promise<void>;
}

/** Never a valid request id (not a UUID), so the probe can never read a real item. */
const READINESS_PROBE_KEY = "readiness-probe";

export interface RequestsTableOptions {
  /** Per-read time budget (both reads of an eventual-first miss share it). @default DYNAMO_CLIENT_SETTINGS.readBudgetMs */
  readonly readBudgetMs?: number;
  /** The results' expiry attribute (epoch seconds): an item past it reads as absent. @default results never expire */
  readonly ttlAttribute?: string | undefined;
  /** The clock expiry is judged by. @default Date.now */
  readonly now?: () => number;
  /** How a request is read (apps/api/README.md, "Reads"). @default "eventual_first" */
  readonly readConsistency?: ReadConsistency;
}

export class RequestsTable implements RequestsReader {
  private readonly readBudgetMs: number;
  private readonly ttlAttribute: string | undefined;
  private readonly now: () => number;
  private readonly readConsistency: ReadConsistency;
  /** Read units DynamoDB reported (ReturnConsumedCapacity), for GETs that found their item and for the rest. */
  readonly readUnits = new ReadUnitCounter();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    options: RequestsTableOptions = {},
  ) {
    this.readBudgetMs = options.readBudgetMs ?? DYNAMO_CLIENT_SETTINGS.readBudgetMs;
    this.ttlAttribute = options.ttlAttribute;
    this.now = options.now ?? Date.now;
    this.readConsistency = options.readConsistency ?? "eventual_first";
  }

  /**
   * Items are written once and never change, so an eventually consistent read that finds one cannot be stale; only
   * a miss may be a replica that has not seen the write yet, so it is asked again, strongly consistent.
   */
  async getRequestJson(requestId: RequestId, owner: string): Promise<string | undefined> {
    tagRequestId(requestId);
    const budget = new ReadBudget(this.readBudgetMs);
    try {
      let units = 0;
      let item: Record<string, AttributeValue> | undefined;
      for (const consistent of this.readConsistency === "strong" ? [true] : [false, true]) {
        const read = await this.getItem(requestId, consistent, budget.signal);
        units += read.units;
        item = read.item;
        if (item) break;
      }
      const found = item !== undefined && !this.isExpired(item);
      // Billed as a hit even when another owner's: DynamoDB found the item (read accounting, not access).
      this.readUnits.add(found, units);
      return found && isReadableBy(item![OWNER_ATTRIBUTE]?.S, owner) ? itemToJson(item!, OWNER_ATTRIBUTE) : undefined;
    } finally {
      budget.clear();
    }
  }

  /** DynamoDB TTL deletes an expired item days later at most, not at once: until then it must read as gone. */
  private isExpired(item: Record<string, AttributeValue>): boolean {
    return this.ttlAttribute !== undefined && isPastExpiry(item[this.ttlAttribute]?.N, this.now());
  }

  async ping(): Promise<void> {
    const budget = new ReadBudget(this.readBudgetMs);
    try {
      await this.getItem(READINESS_PROBE_KEY, false, budget.signal);
    } finally {
      budget.clear();
    }
  }

  private async getItem(requestId: string, consistent: boolean, signal: AbortSignal) {
    try {
      // Built only for a span: most reads are not traced.
      const attributes = () =>
        dynamoSpanAttributes("GetItem", this.tableName, { "aws.dynamodb.consistent_read": consistent });
      const output = await inChildSpan("DynamoDB.GetItem", attributes, async (span) => {
        const read = await this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: { requestId: { S: requestId } },
            ConsistentRead: consistent,
            // Rides on the response at no cost; it makes the read bill visible (bench:api reports it).
            ReturnConsumedCapacity: "TOTAL",
          }),
          { abortSignal: signal },
        );
        span?.setAttribute("app.item_found", read.Item !== undefined);
        return read;
      });
      return { item: output.Item, units: output.ConsumedCapacity?.CapacityUnits ?? 0 };
    } catch (error) {
      if (isTransient(error))
        throw new DependencyUnavailableError("The data store is unavailable; retry later", 1, { cause: error });
      // Anything else (missing table, access denied, validation) is a deployment bug: surface it as a 500.
      throw error;
    }
  }
}

const THROTTLING_ERRORS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
]);
const TRANSIENT_ERRORS = new Set([
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "AbortError",
  "RequestTimeout",
]);
/**
 * The task role's credentials come from the ECS credentials endpoint: while it is unreachable, or in the moment a
 * token expires before the SDK refreshes it, reads fail for a while and then work again with no change on our side.
 */
const CREDENTIAL_ERRORS = new Set(["CredentialsProviderError", "ExpiredTokenException"]);
const NETWORK_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/**
 * Failures a later retry can fix: throttling, 5xx, timeouts and network errors (what the SDK itself retries), and
 * credentials that are briefly unavailable.
 */
export function isTransient(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const { name, code, $metadata, $retryable } = error as {
    name?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    THROTTLING_ERRORS.has(name ?? "") ||
    TRANSIENT_ERRORS.has(name ?? "") ||
    CREDENTIAL_ERRORS.has(name ?? "") ||
    NETWORK_ERROR_CODES.has(code ?? "") ||
    status >= 500 ||
    status === 429 ||
    $retryable !== undefined
  );
}
