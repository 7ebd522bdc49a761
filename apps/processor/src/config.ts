import { z } from "zod";
import { parseEnv } from "../../shared/src/env.js";
import { TRACING_ENV, tracingConfig, type TracingConfig } from "../../shared/src/tracing-config.js";
import { SECONDS_PER_DAY, type ResultExpiry } from "../../shared/src/result-expiry.js";
import {
  attributeName,
  awsRegion,
  blankAsUnset,
  endpointUrl,
  httpUrl,
  listenHost,
  logLevel,
  optionalWholeNumber,
  tableName,
  wholeNumberOr,
  type LogLevel,
} from "../../shared/src/env-schema.js";

/**
 * Environment variables the ECS task definition sets (and the local emulators' endpoint overrides).
 * Validated once at start-up; a missing or malformed variable stops the service with a message naming it. An empty
 * variable counts as unset (apps/shared/src/env-schema.ts), as in the api.
 */

const schema = z
  .object({
    ...TRACING_ENV,
    QUEUE_URL: blankAsUnset(httpUrl()),
    TABLE_NAME: blankAsUnset(tableName()),
    AWS_REGION: blankAsUnset(awsRegion()),
    LOG_LEVEL: blankAsUnset(logLevel()),
    POLL_CONCURRENCY: wholeNumberOr(1, 50, 4),
    BATCH_SIZE: wholeNumberOr(1, 10, 10),
    WAIT_TIME_SECONDS: wholeNumberOr(0, 20, 20),
    VISIBILITY_TIMEOUT_SECONDS: wholeNumberOr(2, 43_200, 60),
    SHUTDOWN_TIMEOUT_SECONDS: wholeNumberOr(2, 3_600, 50),
    /** A batch's hooks still running after this long fail (redelivery, then the DLQ). 12 h is SQS's visibility cap. */
    PROCESS_TIMEOUT_SECONDS: wholeNumberOr(1, 43_200, 300),
    HEALTH_PORT: wholeNumberOr(0, 65_535, 8081),
    /** Address the health server binds; unset = every interface (ECS). */
    LISTEN_HOST: blankAsUnset(listenHost()),
    /** /health turns 503 when the poll loop has made no progress for this long. */
    HEALTH_STALL_SECONDS: wholeNumberOr(5, 86_400, 120),
    /** How often the counters are logged (they are also logged once at shutdown). */
    STATS_INTERVAL_SECONDS: wholeNumberOr(1, 3_600, 60),
    /** The attribute DynamoDB TTL deletes by, and how long a result is kept: both set, or neither (never expires). */
    RESULT_TTL_ATTRIBUTE: blankAsUnset(attributeName()),
    RESULT_RETENTION_DAYS: optionalWholeNumber(1, 3_650),
    /** The SDK's standard endpoint overrides (service-specific wins), used to run against local emulators. */
    AWS_ENDPOINT_URL: blankAsUnset(endpointUrl()),
    AWS_ENDPOINT_URL_SQS: blankAsUnset(endpointUrl()),
    AWS_ENDPOINT_URL_DYNAMODB: blankAsUnset(endpointUrl()),
  })
  // An idle long poll only returns after WAIT_TIME_SECONDS: a stall threshold at or below it would flap.
  .refine((env) => (env.RESULT_TTL_ATTRIBUTE === undefined) === (env.RESULT_RETENTION_DAYS === undefined), {
    path: ["RESULT_RETENTION_DAYS"],
    message: "must be set together with RESULT_TTL_ATTRIBUTE (both, or neither for results that never expire)",
  })
  .refine((env) => env.HEALTH_STALL_SECONDS > env.WAIT_TIME_SECONDS + 5, {
    path: ["HEALTH_STALL_SECONDS"],
    message: "must exceed WAIT_TIME_SECONDS + 5, or an idle long poll looks like a stall",
  });

/** The variables that configure the processor (its `--help`). */
export const PROCESSOR_ENV_VARIABLES = Object.keys(schema.shape);

export interface ProcessorConfig {
  readonly queueUrl: string;
  readonly tableName: string;
  readonly region: string;
  readonly logLevel: LogLevel;
  readonly pollConcurrency: number;
  readonly batchSize: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly processTimeoutSeconds: number;
  readonly healthPort: number;
  /** Address the health server binds. @default every interface */
  readonly listenHost: string | undefined;
  readonly healthStallSeconds: number;
  readonly statsIntervalSeconds: number;
  /** Explicit SQS endpoint (AWS_ENDPOINT_URL_SQS, else AWS_ENDPOINT_URL); undefined in AWS. */
  readonly sqsEndpoint: string | undefined;
  /** Explicit DynamoDB endpoint (AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL); undefined in AWS. */
  readonly dynamoEndpoint: string | undefined;
  /** When stored results expire; undefined: never. */
  readonly resultExpiry: ResultExpiry | undefined;
  readonly tracing: TracingConfig;
}

export function loadProcessorConfig(env: NodeJS.ProcessEnv = process.env): ProcessorConfig {
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
    processTimeoutSeconds: e.PROCESS_TIMEOUT_SECONDS,
    healthPort: e.HEALTH_PORT,
    listenHost: e.LISTEN_HOST,
    healthStallSeconds: e.HEALTH_STALL_SECONDS,
    statsIntervalSeconds: e.STATS_INTERVAL_SECONDS,
    sqsEndpoint: e.AWS_ENDPOINT_URL_SQS ?? e.AWS_ENDPOINT_URL,
    dynamoEndpoint: e.AWS_ENDPOINT_URL_DYNAMODB ?? e.AWS_ENDPOINT_URL,
    resultExpiry:
      e.RESULT_TTL_ATTRIBUTE !== undefined && e.RESULT_RETENTION_DAYS !== undefined
        ? Object.freeze({
            attribute: e.RESULT_TTL_ATTRIBUTE,
            retentionSeconds: e.RESULT_RETENTION_DAYS * SECONDS_PER_DAY,
          })
        : undefined,
    tracing: tracingConfig(e),
  });
}
