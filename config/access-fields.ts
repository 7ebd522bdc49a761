import { z } from "zod";
import { dailyQuota, requestBurst, requestRate } from "./field-types.js";

/** The two REST APIs a client's key may open. */
export const API_NAMES = ["ingest", "query"] as const;
export type ApiName = (typeof API_NAMES)[number];

/** The client of a config without `clients`: today's one key over both APIs, its resources' ids kept. */
export const DEFAULT_CLIENT = "default";

const client = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "expected 1-32 lowercase letters, digits and '-', not starting with '-'")
    .describe("Names the client's API key (`<project>-<environment>-<name>`) and usage plan."),
  rate_limit: requestRate.describe(
    "Steady requests/s this client's key may send, across the APIs it opens (the usage plan's rate).",
  ),
  burst_limit: requestBurst.describe("The usage plan's burst for this client's key."),
  quota_per_day: dailyQuota.describe("Requests per day for this client's key; `null` = no quota."),
  apis: z
    .array(z.enum(API_NAMES))
    .min(1)
    .refine((apis) => new Set(apis).size === apis.length, "expected distinct API names")
    .default([...API_NAMES])
    .describe('The APIs the key opens: `["ingest", "query"]` (default), or one of them.'),
});
export type Client = z.infer<typeof client>;

export const clients = z
  .array(client)
  .min(1)
  .max(100)
  .refine((list) => new Set(list.map((c) => c.name)).size === list.length, "expected distinct client names")
  .nullable()
  .default(null)
  .describe(
    "With `api_key_required`: one API key and usage plan per client, each with its own limits, so a client's key is rotated or revoked alone and one client cannot use up another's rate. `null` = one client `default` with `throttle_rate_limit`, `throttle_burst_limit` and `quota_per_day` on both APIs (a client named `default` keeps that key). Keys are for metering, not authentication: see docs/DEPLOYING.md#api-keys.",
  );

export const throttleAboveCapacityReason = z
  .string()
  .min(10)
  .nullable()
  .default(null)
  .describe(
    "Why a method's `throttle_rate_limit` may exceed what its backend sustains at `max_count` (checked at synth: POST against the processor, GET against the api); `null` = the check applies.",
  );

/** The keys with their limits: the configured clients, or the one default client. */
export function clientsOf(config: {
  clients: readonly Client[] | null;
  throttle_rate_limit: number;
  throttle_burst_limit: number;
  quota_per_day: number | null;
}): readonly Client[] {
  return (
    config.clients ?? [
      {
        name: DEFAULT_CLIENT,
        rate_limit: config.throttle_rate_limit,
        burst_limit: config.throttle_burst_limit,
        quota_per_day: config.quota_per_day,
        apis: [...API_NAMES],
      },
    ]
  );
}

/** The most one client may send per second: its key's rate, or with no keys the method limit. */
export function fastestClientRate(config: Parameters<typeof clientsOf>[0] & { api_key_required: boolean }): number {
  if (!config.api_key_required) return config.throttle_rate_limit;
  return Math.max(...clientsOf(config).map((client) => client.rate_limit));
}
