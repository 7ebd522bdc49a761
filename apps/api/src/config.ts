import { z } from "zod";
import { READ_CONSISTENCIES, type ReadConsistency } from "./read-accounting.js";
import { parseEnv } from "../../shared/src/env.js";
import { TRACING_ENV, tracingConfig, type TracingConfig } from "../../shared/src/tracing-config.js";
import {
  attributeName,
  awsRegion,
  blankAsUnset,
  endpointUrl,
  listenHost,
  logLevel,
  tableName,
  wholeNumberOr,
  type LogLevel,
} from "../../shared/src/env-schema.js";

export const ApiEnvSchema = z.object({
  ...TRACING_ENV,
  /** Port the ALB target group sends traffic and health checks to. */
  PORT: wholeNumberOr(1, 65_535, 8080),
  /** Address to bind; unset = every interface (ECS). */
  LISTEN_HOST: blankAsUnset(listenHost()),
  /** DynamoDB table the processor writes to. */
  TABLE_NAME: blankAsUnset(tableName()),
  AWS_REGION: blankAsUnset(awsRegion()),
  /** The SDK's standard endpoint overrides (service-specific wins), used to run against a local emulator. */
  AWS_ENDPOINT_URL_DYNAMODB: blankAsUnset(endpointUrl()),
  AWS_ENDPOINT_URL: blankAsUnset(endpointUrl()),
  LOG_LEVEL: blankAsUnset(logLevel()),
  /** Time allowed to finish in-flight requests after SIGTERM; keep below the ECS stopTimeout (30 s). */
  SHUTDOWN_TIMEOUT_SECONDS: wholeNumberOr(1, 120, 25),
  /**
   * A path prefix the routes are also served under, e.g. `/v1`: REST API private integrations over a VPC Link v2
   * send the stage name in front of the integration's path. Unset: the routes are served at the root only.
   */
  /** The results' expiry attribute (epoch seconds, what DynamoDB TTL deletes by); unset: results never expire. */
  RESULT_TTL_ATTRIBUTE: blankAsUnset(attributeName()),
  /** Share of requests below 500 that get a request log line (README, "Logs"); 5xx and abandoned ones always do. */
  REQUEST_LOG_SAMPLE_RATE: blankAsUnset(
    z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, "must be a number from 0 to 1, such as 0.01")
      .transform(Number)
      .default(1),
  ),
  /** How a request is read (README, "Reads"). */
  READ_CONSISTENCY: blankAsUnset(z.enum(READ_CONSISTENCIES).default("eventual_first")),
  PATH_PREFIX: blankAsUnset(
    z
      .string()
      .regex(/^\/[A-Za-z0-9_-]{1,128}$/, "must be one path segment such as /v1")
      .optional(),
  ),
});

export type ApiEnv = z.output<typeof ApiEnvSchema>;

export interface ApiConfig {
  readonly port: number;
  /** Address the server binds. @default every interface */
  readonly listenHost: string | undefined;
  readonly tableName: string;
  readonly region: string;
  /** Undefined in AWS: the SDK resolves the regional endpoint. */
  readonly dynamoEndpoint: string | undefined;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  /** Routes are also served under this prefix (e.g. `/v1`). @default the root only */
  readonly pathPrefix: string | undefined;
  /** An item past the time in this attribute reads as absent. @default results never expire */
  readonly ttlAttribute: string | undefined;
  readonly readConsistency: ReadConsistency;
  readonly requestLogSampleRate: number;
  readonly tracing: TracingConfig;
}

/** Reads and validates the environment once at start-up; throws EnvConfigError naming every bad variable. */
export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = parseEnv(ApiEnvSchema, env);
  return Object.freeze({
    port: parsed.PORT,
    listenHost: parsed.LISTEN_HOST,
    tableName: parsed.TABLE_NAME,
    region: parsed.AWS_REGION,
    dynamoEndpoint: parsed.AWS_ENDPOINT_URL_DYNAMODB ?? parsed.AWS_ENDPOINT_URL,
    logLevel: parsed.LOG_LEVEL,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_SECONDS * 1000,
    pathPrefix: parsed.PATH_PREFIX,
    ttlAttribute: parsed.RESULT_TTL_ATTRIBUTE,
    readConsistency: parsed.READ_CONSISTENCY,
    requestLogSampleRate: parsed.REQUEST_LOG_SAMPLE_RATE,
    tracing: tracingConfig(parsed),
  });
}
