import { isIP } from "node:net";
import { z } from "zod";

/**
 * zod building blocks for the services' environment variables, so both read them by the same rules.
 * Every variable goes through `blankAsUnset`: `FOO=` in a task definition, compose file or shell means "not
 * configured" (the AWS SDK reads an empty endpoint override the same way), so an optional variable falls back to its
 * default and a required one is reported as missing.
 */
export const blankAsUnset = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema);

/** A required string whose absence reads "is required" rather than zod's type-mismatch wording. */
const requiredString = () =>
  z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") });

/** A whole decimal number in [min, max] (no "8080abc", no "1e3", no " 80"). */
const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** An optional whole number in [min, max] with a default (empty counts as unset, like everywhere). */
export const wholeNumberOr = (min: number, max: number, fallback: number) =>
  blankAsUnset(wholeNumber(min, max).default(fallback));

/** An optional whole number in [min, max] with no default. */
export const optionalWholeNumber = (min: number, max: number) => blankAsUnset(wholeNumber(min, max).optional());

/** DynamoDB's own table naming rule. */
export const tableName = () =>
  requiredString().regex(/^[A-Za-z0-9_.-]{3,255}$/, "must be a DynamoDB table name: 3-255 of A-Z a-z 0-9 _ . -");

/** Required rather than left to the SDK's fallback chain, so a task without it fails at start, not at first call. */
export const awsRegion = () =>
  requiredString().regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, "must be an AWS region such as eu-west-1");

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const logLevel = () => z.enum(LOG_LEVELS).default("info");

/** An http(s) URL, e.g. an SQS queue URL. */
export const httpUrl = () =>
  z.url({
    protocol: /^https?$/,
    abort: true,
    error: (issue) => (issue.input === undefined ? "is required" : "must be an http(s) URL"),
  });

/**
 * One of the SDK's endpoint overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>), used to reach an emulator:
 * scheme, host and port only. A path, query or fragment would be silently merged into every request's URL.
 */
export const endpointUrl = () =>
  httpUrl()
    .refine(
      (url) => /^https?:\/\/[^/?#]+\/?$/.test(url),
      "must be scheme://host[:port] with no path, query or fragment",
    )
    .optional();

/**
 * LISTEN_HOST: the address a service's server binds. Unset: every interface, as a task needs in ECS (the load
 * balancer and the health check reach the task's own address). `npm run local` sets 127.0.0.1.
 */
export const listenHost = () =>
  z
    .string()
    .refine((host) => isIP(host) !== 0, "must be an IP address such as 127.0.0.1 or 0.0.0.0")
    .optional();

/** An optional DynamoDB attribute name (the results' expiry attribute), by the config's rule. */
export const attributeName = () =>
  z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, "must be an attribute name: a letter or _ then up to 254 of A-Z a-z 0-9 _")
    .optional();
