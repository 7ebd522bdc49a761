import { z } from "zod";
import { parseEnv } from "../../shared/src/env.js";
import {
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
  });
}
