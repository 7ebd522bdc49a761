import { z } from "zod";
import { parseEnv } from "../../shared/src/env.js";

/**
 * Environment variables the ECS task definition sets (and the local emulators' endpoint overrides).
 * Validated once at start-up; a missing or malformed variable stops the service with a message naming it.
 */

/** A whole number in [min, max] read from a string variable; unset (or empty) falls back to `fallback`. */
function wholeNumber(min: number, max: number, fallback: number) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .default(fallback);
}

const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });
/** The SDK treats an empty override as "no override"; do the same so `VAR=` in a shell is harmless. */
const optionalEndpoint = z.preprocess((v) => (v === "" ? undefined : v), httpUrl.optional());

const schema = z
  .object({
    QUEUE_URL: httpUrl,
    TABLE_NAME: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)"),
    AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "must be an AWS region such as eu-west-1"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    POLL_CONCURRENCY: wholeNumber(1, 50, 4),
    BATCH_SIZE: wholeNumber(1, 10, 10),
    WAIT_TIME_SECONDS: wholeNumber(0, 20, 20),
    VISIBILITY_TIMEOUT_SECONDS: wholeNumber(2, 43_200, 60),
    SHUTDOWN_TIMEOUT_SECONDS: wholeNumber(2, 3_600, 50),
    HEALTH_PORT: wholeNumber(0, 65_535, 8081),
    /** /health turns 503 when the poll loop has made no progress for this long. */
    HEALTH_STALL_SECONDS: wholeNumber(5, 3_600, 120),
    /** How often the counters are logged (they are also logged once at shutdown). */
    STATS_INTERVAL_SECONDS: wholeNumber(1, 3_600, 60),
    AWS_ENDPOINT_URL: optionalEndpoint,
    AWS_ENDPOINT_URL_SQS: optionalEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: optionalEndpoint,
  })
  // An idle long poll only returns after WAIT_TIME_SECONDS: a stall threshold at or below it would flap.
  .refine((env) => env.HEALTH_STALL_SECONDS > env.WAIT_TIME_SECONDS + 5, {
    path: ["HEALTH_STALL_SECONDS"],
    message: "must exceed WAIT_TIME_SECONDS + 5, or an idle long poll looks like a stall",
  });

export interface ProcessorConfig {
  readonly queueUrl: string;
  readonly tableName: string;
  readonly region: string;
  readonly logLevel: string;
  readonly pollConcurrency: number;
  readonly batchSize: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly healthPort: number;
  readonly healthStallSeconds: number;
  readonly statsIntervalSeconds: number;
  /** Explicit SQS endpoint (AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL); undefined in AWS. */
  readonly sqsEndpoint: string | undefined;
  /** Explicit DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL); undefined in AWS. */
  readonly dynamoEndpoint: string | undefined;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
  const e = parseEnv(schema, env);
  return Object.freeze({
    queueUrl: e.QUEUE_URL,
    tableName: e.TABLE_NAME,
    region: e.AWS_REGION,
    logLevel: e.LOG_LEVEL,
    pollConcurrency: e.POLL_CONCURRENCY,
    batchSize: e.BATCH_SIZE,
    waitTimeSeconds: e.WAIT_TIME_SECONDS,
    visibilityTimeoutSeconds: e.VISIBILITY_TIMEOUT_SECONDS,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    healthPort: e.HEALTH_PORT,
    healthStallSeconds: e.HEALTH_STALL_SECONDS,
    statsIntervalSeconds: e.STATS_INTERVAL_SECONDS,
    sqsEndpoint: e.AWS_ENDPOINT_URL_SQS ?? e.AWS_ENDPOINT_URL,
    dynamoEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
  });
}
