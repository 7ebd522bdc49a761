import { z } from "zod";

/**
 * The keys that set what results and logs cost (stored results' retention and reads, log classes and sampling), each
 * checked on its own; config/fields.ts places them among the other keys.
 */

/** The attributes of a stored result (apps/processor/src/domain.ts RequestItem): an expiry must not overwrite one. */
const ITEM_ATTRIBUTES = ["requestId", "status", "payload", "result", "receivedAt", "processedAt"];

export const computeFields = {
  cpu_architecture: z
    .enum(["x86_64", "arm64"])
    .default("x86_64")
    .describe(
      "CPU architecture of both services' tasks. `arm64` (Graviton) costs about 20% less per vCPU and GB; the images must be built for it (`npm run images:push` follows this key). Switching a running deployment needs images of the new architecture pushed first.",
    ),
};

export const spotFields = {
  processor_spot_weight: z
    .number()
    .int()
    .min(0)
    .max(1000)
    .default(0)
    .describe(
      "Fargate Spot for the processor: above `processor_on_demand_base`, this many Spot tasks are placed for each on-demand one; `0` = on demand only. Switching a running service: [docs/OPERATIONS.md](docs/OPERATIONS.md#fargate-spot).",
    ),
  processor_on_demand_base: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe(
      "Processor tasks that always run on demand when `processor_spot_weight` is above 0: at least one, which a Spot interruption cannot take away.",
    ),
};

export const logFields = {
  log_group_class: z
    .enum(["STANDARD", "INFREQUENT_ACCESS"])
    .default("STANDARD")
    .describe(
      "CloudWatch Logs class of every log group the stack creates. `INFREQUENT_ACCESS` halves the ingestion price and keeps Logs Insights, which is all the runbook uses, but has no metric filters, subscription filters or Live Tail ([docs/OPERATIONS.md](docs/OPERATIONS.md#log-classes)). A group's class cannot change: changing this replaces every log group and deletes its events.",
    ),
  api_request_log_sample_rate: z
    .number()
    .min(0)
    .max(1)
    .default(0.01)
    .describe(
      "Share of the api's requests below 500 that get its own request log line (the access log has every request); a 5xx or a request the client abandoned is always logged. `1` = every request.",
    ),
};

export const resultFields = {
  result_retention_days: z
    .number()
    .int()
    .min(1)
    .max(3650)
    .nullable()
    .default(7)
    .describe(
      "Days a stored result stays readable after it is written; then GET answers 404 and DynamoDB TTL deletes the item (see [README](README.md#how-long-results-are-kept)). `null` = results are kept forever.",
    ),
  query_read_consistency: z
    .enum(["eventual_first", "strong"])
    .default("eventual_first")
    .describe(
      "How the api reads a result: `eventual_first` reads eventually consistent (half a read unit) and retries a miss strongly consistent (one and a half in all), `strong` always reads strongly consistent (one unit). `eventual_first` is cheaper while more than half of the GETs find their item (the break-even: [docs/COST.md](docs/COST.md#reads-eventual-first-or-strong)); clients that poll faster than results appear make more misses.",
    ),
  table_ttl_attribute: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/)
    .refine((name) => !ITEM_ATTRIBUTES.includes(name), {
      message: `must not be one of the item's own attributes (${ITEM_ATTRIBUTES.join(", ")})`,
    })
    .nullable()
    .default("expiresAt")
    .describe(
      "Attribute holding each result's expiry (epoch seconds), on which DynamoDB TTL is enabled; `null` = no TTL, which needs `result_retention_days: null`.",
    ),
};
