import { z } from "zod";
import { parseEnv } from "../../shared/src/env.js";

/**
 * Treats an empty variable as unset: `FOO=` in a compose file or task definition means "not configured",
 * so an optional variable falls back to its default and a required one is reported as missing.
 */
const blankAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema);

/** Whole decimal number in a range, from an environment string (no "8080abc", no "1e3", no " 80"). */
const integerString = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** A required string whose absence reads "is required" rather than zod's type-mismatch wording. */
const requiredString = () => z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") });

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

export const ApiEnvSchema = z.object({
  /** Port the ALB target group sends traffic and health checks to. */
  PORT: blankAsUnset(integerString(1, 65_535).default(8080)),
  /** DynamoDB table the processor writes to (DynamoDB's own naming rule). */
  TABLE_NAME: blankAsUnset(requiredString().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . -")),
  /** Required rather than left to the SDK's fallback chain, so a task without it fails at start, not on first request. */
  AWS_REGION: blankAsUnset(requiredString().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "must be an AWS region such as eu-west-1")),
  /** The SDK's standard endpoint overrides (service-specific wins), used to run against a local emulator. */
  AWS_ENDPOINT_URL_DYNAMODB: blankAsUnset(z.url({ protocol: /^https?$/ }).optional()),
  AWS_ENDPOINT_URL: blankAsUnset(z.url({ protocol: /^https?$/ }).optional()),
  LOG_LEVEL: blankAsUnset(z.enum(LOG_LEVELS).default("info")),
  /** Time allowed to finish in-flight requests after SIGTERM; keep below the ECS stopTimeout (30 s). */
  SHUTDOWN_TIMEOUT_SECONDS: blankAsUnset(integerString(1, 120).default(25)),
});

export type ApiEnv = z.output<typeof ApiEnvSchema>;

export interface ApiConfig {
  readonly port: number;
  readonly tableName: string;
  readonly region: string;
  /** Undefined in AWS: the SDK resolves the regional endpoint. */
  readonly dynamoEndpoint: string | undefined;
  readonly logLevel: (typeof LOG_LEVELS)[number];
  readonly shutdownTimeoutMs: number;
}

/** Reads and validates the environment once at start-up; throws EnvConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = parseEnv(ApiEnvSchema, env);
  return Object.freeze({
    port: parsed.PORT,
    tableName: parsed.TABLE_NAME,
    region: parsed.AWS_REGION,
    dynamoEndpoint: parsed.AWS_ENDPOINT_URL_DYNAMODB ?? parsed.AWS_ENDPOINT_URL,
    logLevel: parsed.LOG_LEVEL,
    shutdownTimeoutMs: parsed.SHUTDOWN_TIMEOUT_SECONDS * 1000,
  });
}
