import type { ValidFields } from "./fields.js";
import { API_NAMES, clientsOf, type ApiName } from "./access-fields.js";

/** Regional API Gateway limit shared by every REST, HTTP and WebSocket API of the account (most regions). */
export const ACCOUNT_RATE_LIMIT = 10_000;
/** POST /requests on the ingest API; GET /requests/{id} and GET /health on the query API: one stage throttle each. */
const METHOD_COUNT = 3;

export interface MethodCapacity {
  readonly api: ApiName;
  /** Requests/s the backend behind the API's methods sustains at its service's `max_count`. */
  readonly sustained: number;
  /** How that figure is made, in config terms, for messages. */
  readonly arithmetic: string;
  /** The config keys that raise it. */
  readonly raiseWith: string;
}

type CapacityInputs = Pick<ValidFields, "services">;

/**
 * What each API's backend sustains: POST /requests is one message, which the processor drains at
 * `messages_per_second_per_task` per task (the queue itself takes far more); GET /requests/{id} is one request to an
 * api task, each sized for `target_requests_per_minute_per_task`. Beyond it the queue grows or the api's latency does.
 */
export function methodCapacities({ services }: CapacityInputs): MethodCapacity[] {
  const processor = services?.processor;
  const api = services?.api;
  if (!processor || !api) return [];
  return [
    {
      api: "ingest",
      sustained: processor.max_count * processor.messages_per_second_per_task,
      arithmetic: `services.processor.max_count x messages_per_second_per_task = ${processor.max_count} x ${processor.messages_per_second_per_task}`,
      raiseWith: "services.processor.max_count or messages_per_second_per_task",
    },
    {
      api: "query",
      sustained: (api.max_count * api.target_requests_per_minute_per_task) / 60,
      arithmetic: `services.api.max_count x target_requests_per_minute_per_task / 60 = ${api.max_count} x ${api.target_requests_per_minute_per_task} / 60`,
      raiseWith: "services.api.max_count or target_requests_per_minute_per_task",
    },
  ];
}

const round = (n: number) => Math.round(n * 100) / 100;

/** A method limit above its backend, unless the config records why: an error on `throttle_rate_limit`. */
export function capacityIssues(config: ValidFields): { path: string[]; message: string }[] {
  const limit = config.throttle_rate_limit;
  if (limit === undefined || config.throttle_above_capacity_reason) return [];
  return methodCapacities(config)
    .filter((capacity) => !(limit <= capacity.sustained))
    .map((capacity) => ({
      path: ["throttle_rate_limit"],
      message: `${limit} requests/s per method is more than the ${capacity.api} API's backend sustains (${capacity.arithmetic} = ${round(capacity.sustained)}/s): lower it, raise ${capacity.raiseWith}, or record why in throttle_above_capacity_reason`,
    }));
}

type WarningInputs = Pick<
  ValidFields,
  "clients" | "throttle_rate_limit" | "throttle_burst_limit" | "quota_per_day" | "api_key_required"
>;

/**
 * Not errors, but worth a line at synth: clients whose rates add up past a method's limit (overbooking: usage-plan
 * limits are targets, and the method throttle answers 429 to whoever comes first), a client whose own rate its
 * methods can never give it, and limits that alone use more than the account's regional API Gateway rate.
 */
export function accessWarnings(config: Required<WarningInputs>): string[] {
  const limit = config.throttle_rate_limit;
  const warnings: string[] = [];
  const keyed = config.api_key_required ? clientsOf(config) : [];
  for (const api of API_NAMES) {
    const opened = keyed.filter((client) => client.apis.includes(api));
    const booked = opened.reduce((sum, client) => sum + client.rate_limit, 0);
    if (booked > limit) {
      warnings.push(
        `clients: the ${api} API is overbooked ${round(booked / limit)}x: its clients' rates add up to ${booked} requests/s, its methods accept ${limit} (throttle_rate_limit); when all send at once, some get 429`,
      );
    }
    for (const client of opened.filter((c) => c.rate_limit > limit)) {
      warnings.push(
        `clients: ${client.name}'s rate_limit ${client.rate_limit} is above the ${api} API's method limit ${limit}: it can never be reached there`,
      );
    }
  }
  // Each method may take the whole limit, and together they share the account's regional rate.
  if (limit > ACCOUNT_RATE_LIMIT / METHOD_COUNT) {
    warnings.push(
      `throttle_rate_limit: the ${METHOD_COUNT} methods together may take ${round(limit * METHOD_COUNT)} requests/s, above API Gateway's account limit of ${ACCOUNT_RATE_LIMIT}/s per region (shared with every other API there): ask AWS for more or lower it`,
    );
  }
  return warnings;
}
