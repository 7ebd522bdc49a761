import type { ApiKeyModel, RateLimit } from "../model.js";
import type { GatewayError } from "../gateway-responses.js";

/**
 * API Gateway's request limits, as token buckets (its documented algorithm: "the token bucket algorithm, where a
 * token counts for a request", "Throttle requests to your REST APIs for better throughput"): a bucket holds at
 * most `burst` tokens and refills at `rate` per second; a request takes one or is refused with 429.
 * - a usage plan's throttle and quota apply per key, across every stage of the plan (so one meter serves both
 *   local gateways);
 * - the stage's method throttle applies per method, to every caller together.
 * AWS applies all of them on a best-effort basis; locally they are exact, which is what a test needs.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.refilledAt = now;
  }

  /** Takes a token if one is left at `now` (ms). */
  take(now: number): boolean {
    const elapsed = Math.max(0, now - this.refilledAt) / 1000;
    this.tokens = Math.min(this.limit.burst, this.tokens + elapsed * this.limit.rate);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The start (UTC, ms) of the quota period that holds `now`: day, ISO week (Monday) or month, as AWS counts. */
export function periodStart(period: "DAY" | "WEEK" | "MONTH", now: number): number {
  const date = new Date(now);
  const day = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  if (period === "DAY") return day;
  if (period === "MONTH") return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  return day - ((date.getUTCDay() + 6) % 7) * 86_400_000;
}

// Their messages are API Gateway's (see GATEWAY_ERRORS).
const THROTTLED: GatewayError = { type: "THROTTLED" };
const QUOTA_EXCEEDED: GatewayError = { type: "QUOTA_EXCEEDED" };

export class UsageMeter {
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, { start: number; used: number }>();

  /** @param clock ms since the epoch; tests pass their own. */
  constructor(private readonly clock: () => number = Date.now) {}

  /**
   * Counts one request of `key` (the key that opened the method; undefined for a keyless method) to `method` (a
   * stage-unique name such as `<api id> POST /requests`). Returns the refusal, if any: the stage's method throttle
   * first, then the plan's throttle, then its quota (a throttled request uses no quota).
   */
  admit(method: string, stageThrottle: RateLimit | undefined, key: ApiKeyModel | undefined): GatewayError | undefined {
    const now = this.clock();
    if (stageThrottle && !this.bucket(`stage ${method}`, stageThrottle, now).take(now)) return THROTTLED;
    if (!key) return undefined;
    const plan = key.plan;
    const client = `${plan.resource} ${key.resource}`;
    if (plan.throttle && !this.bucket(`plan ${client}`, plan.throttle, now).take(now)) return THROTTLED;
    if (!plan.quota) return undefined;
    const start = periodStart(plan.quota.period, now);
    const counted = this.quotas.get(client);
    const used = counted && counted.start === start ? counted.used : 0;
    if (used >= plan.quota.limit) return QUOTA_EXCEEDED;
    this.quotas.set(client, { start, used: used + 1 });
    return undefined;
  }

  private bucket(name: string, limit: RateLimit, now: number): TokenBucket {
    let bucket = this.buckets.get(name);
    if (!bucket) this.buckets.set(name, (bucket = new TokenBucket(limit, now)));
    return bucket;
  }
}
