/** Cumulative message counters, logged periodically and at shutdown (CloudWatch metric filters can read them). */
export interface Counters {
  /** Messages handed out by SQS (a redelivery counts again). */
  received: number;
  /** Items created. */
  processed: number;
  /** Messages whose item already existed (redelivery): deleted, nothing overwritten. */
  duplicate: number;
  /** Bodies that can never succeed (not JSON, not an object, not storable): left for the DLQ. */
  invalid: number;
  /** Valid messages whose hook failed or whose item DynamoDB rejected: left for redelivery. */
  failed: number;
  /** Messages deleted after a durable write. */
  deleted: number;
  /** Durable messages whose delete failed (they come back and count as duplicates). */
  deleteFailures: number;
  /** Messages made visible again at shutdown because the budget ran out. */
  released: number;
  /** Write attempts retried in place after a transient DynamoDB error. */
  writeRetries: number;
  /** Receive calls that failed. */
  receiveErrors: number;
  /** Visibility extensions applied to long-running messages. */
  visibilityExtended: number;
  /** Messages currently being handled. */
  inFlight: number;
  /** DynamoDB write capacity units consumed by created items, as DynamoDB reports them (what on-demand bills). */
  writeUnits: number;
}

export function createCounters(): Counters {
  return {
    received: 0,
    processed: 0,
    duplicate: 0,
    invalid: 0,
    failed: 0,
    deleted: 0,
    deleteFailures: 0,
    released: 0,
    writeRetries: 0,
    receiveErrors: 0,
    visibilityExtended: 0,
    inFlight: 0,
    writeUnits: 0,
  };
}
