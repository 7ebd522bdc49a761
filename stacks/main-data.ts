import type { Construct } from "constructs";
import type { MainContext } from "./main-context.js";
import { RequestQueue } from "./data/queue.js";
import { RequestTable } from "./data/table.js";

export interface Data {
  /** The request queue (ingest API -> processor) with its DLQ and the DLQ alarm. */
  readonly queue: RequestQueue;
  /** The results table (processor -> api). */
  readonly table: RequestTable;
}

/** The request queue and the results table. The DLQ alarm notifies `alarmTopicArn`, like every other alarm. */
export function addData(scope: Construct, { config, prefix }: MainContext, alarmTopicArn: string): Data {
  const queue = new RequestQueue(scope, "queue", {
    name: `${prefix}-requests`,
    maxReceiveCount: config.max_receive_count,
    maxBatchSeconds: config.services.processor.max_batch_seconds,
    messageRetentionSeconds: config.message_retention_seconds,
    alarmTopicArn,
  });
  const table = new RequestTable(scope, "table", {
    name: `${prefix}-requests`,
    deletionProtection: config.deletion_protection,
    ttlAttribute: config.table_ttl_attribute,
  });
  return { queue, table };
}

/**
 * The environment that makes both services honour result expiry: the processor stamps each item, the api hides an
 * item past its stamp (TTL deletes it days later at most). No attribute: nothing expires; an attribute without a
 * retention (TTL enabled for items someone else stamps): the api still honours it.
 */
export function resultExpiryEnvironment(
  config: MainContext["config"],
): Record<"api" | "processor", Record<string, string>> {
  const attribute = config.table_ttl_attribute;
  if (attribute === null) return { api: {}, processor: {} };
  const days = config.result_retention_days;
  return {
    api: { RESULT_TTL_ATTRIBUTE: attribute },
    processor: days === null ? {} : { RESULT_TTL_ATTRIBUTE: attribute, RESULT_RETENTION_DAYS: String(days) },
  };
}
