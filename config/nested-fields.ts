import { z } from "zod";
import { awsRegion, email, securityGroupId } from "./field-types.js";

/** The top-level keys whose values have keys of their own (besides `services`): endpoints, alarms, backend, tags. */

/**
 * VPC endpoints for the AWS APIs the tasks call, so task egress narrows from 0.0.0.0/0 to the endpoints:
 * `{"mode": "create"}` creates them; `{"mode": "existing", "security_group_ids": [...]}` uses endpoints the VPC
 * already has (their security groups must admit 443 from the tasks). `null` = tasks reach AWS through NAT.
 */
export const vpcEndpoints = z
  .discriminatedUnion("mode", [
    z.strictObject({ mode: z.literal("create") }),
    z.strictObject({
      mode: z.literal("existing"),
      security_group_ids: z
        .array(securityGroupId)
        .min(1, "expected the security group(s) of the VPC's existing interface endpoints")
        .max(5)
        .refine((ids) => new Set(ids).size === ids.length, "expected distinct security group ids"),
    }),
  ])
  .nullable()
  .default(null)
  .describe(
    '`{"mode": "create"}`: interface endpoints (SQS, ECR api/dkr, CloudWatch Logs) with private DNS in the load balancer subnets, gateway endpoints (S3, DynamoDB) on the private subnets\' route tables, and task egress only to them. The VPC needs DNS support and hostnames (checked at plan). `{"mode": "existing", "security_group_ids": ["sg-..."]}`: the VPC has endpoints already; task egress narrows to those groups and the S3/DynamoDB prefix lists. `null`: HTTPS egress to `0.0.0.0/0` (NAT)',
  );

/** WAF's rate-based rules count over one of these sliding windows. */
export const WAF_RATE_WINDOWS_SECONDS = [60, 120, 300, 600] as const;

/** A web ACL the stack creates for both stages; `waf_web_acl_arn` names an existing one instead. */
export const wafWebAcl = z
  .strictObject({
    rate_limit_per_ip: z
      .number()
      .int()
      .min(10)
      .max(2_000_000_000)
      .nullable()
      .default(null)
      .describe(
        "Requests one client IP may send within `rate_window_seconds`; above it WAF answers 403 until the IP's rate falls. `null` = twice what the fastest client (`clients`, else `throttle_rate_limit`) may send in the window, so a client within its limit is never blocked. At least that client's rate x `rate_window_seconds` (checked).",
      ),
    rate_window_seconds: z
      .union(WAF_RATE_WINDOWS_SECONDS.map((seconds) => z.literal(seconds)))
      .default(300)
      .describe("The rate rule's sliding window: 60, 120, 300 or 600 seconds."),
  })
  .nullable()
  .default(null)
  .describe(
    "`{}` or with keys: the stack creates a WAF web ACL for both stages with AWS managed rule groups (IP reputation, known bad inputs, the common rule set, whose 8 KB body-size rule only counts: the ingest contract takes larger bodies) and a per-IP rate rule. `null` = none, or an existing ACL in `waf_web_acl_arn` (not both). `npm run local` does not emulate WAF.",
  );

type WafWebAcl = NonNullable<z.infer<typeof wafWebAcl>>;

/** What the fastest client within its limit can send in the rate window: the least the rate rule may allow. */
export function wafRateFloor(waf: Pick<WafWebAcl, "rate_window_seconds">, clientRate: number): number {
  return Math.ceil(clientRate * waf.rate_window_seconds);
}

/** The rate rule's limit: as configured, else twice the floor (headroom for a client's bursts within its limit). */
export function wafRateLimitPerIp(waf: WafWebAcl, clientRate: number): number {
  return waf.rate_limit_per_ip ?? 2 * wafRateFloor(waf, clientRate);
}

/** Alarm thresholds: defaults for a production service; evaluation windows are fixed in stacks/alarms-*.ts. */
export const alarms = z
  .strictObject({
    email_subscriptions: z
      .array(email)
      .max(20)
      .default([])
      .describe("Email addresses subscribed to the stack's alarm topic (not allowed with `alarm_topic_arn`)."),
    queue_oldest_message_seconds: z
      .number()
      .int()
      .min(60)
      .max(1_209_600)
      .default(900)
      .describe(
        "Alarm when the oldest message is older than this; must exceed `max_receive_count` x 2 x `max_batch_seconds`.",
      ),
    processor_stalled_minutes: z
      .number()
      .int()
      .min(2)
      .max(60)
      .default(10)
      .describe("Alarm when messages are visible but none is deleted for this long."),
    api_5xx_percent: z
      .number()
      .positive()
      .max(100)
      .default(1)
      .describe("Alarm when either REST API answers more than this share of 5XX."),
    ingest_p99_latency_ms: z
      .number()
      .int()
      .min(50)
      .max(29_000)
      .default(1_000)
      .describe("Alarm when the ingest API's p99 latency exceeds this."),
    query_p99_latency_ms: z
      .number()
      .int()
      .min(50)
      .max(29_000)
      .default(2_500)
      .describe("Alarm when the query API's p99 latency exceeds this."),
    alb_target_5xx_percent: z
      .number()
      .positive()
      .max(100)
      .default(1)
      .describe("Alarm when the api targets answer more than this share of 5xx at the ALB."),
    alb_unhealthy_hosts: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(0)
      .describe("Alarm when more api targets than this are unhealthy."),
    alb_target_p99_latency_ms: z
      .number()
      .int()
      .min(10)
      .max(29_000)
      .default(1_000)
      .describe("Alarm (and roll a deployment back) when the api targets' p99 response time at the ALB exceeds this."),
    processor_error_percent: z
      .number()
      .positive()
      .max(100)
      .default(5)
      .describe(
        "Alarm (and roll a deployment back) when the processor logs errors for more than this share of the messages it receives.",
      ),
    tasks_below_desired_minutes: z
      .number()
      .int()
      .min(2)
      .max(60)
      .default(5)
      .describe("Alarm when a service runs fewer tasks than desired for this long."),
    dynamodb_throttled_requests: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("Alarm when the table throttles more requests than this."),
    dynamodb_system_errors: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe("Alarm when the table returns more system errors than this."),
    waf_blocked_requests_per_minute: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe(
        "With `waf_web_acl`: alarm when the web ACL blocks more requests a minute than this, in 3 of 5 minutes.",
      ),
  })
  // prefault, not default: zod 4 returns a default as is, and the inner defaults must still apply.
  .prefault({});

const localBackend = z.strictObject({ type: z.literal("local") });
const s3Backend = z.strictObject({
  type: z.literal("s3"),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
  key_prefix: z
    .string()
    .regex(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, "expected an S3 key prefix")
    .default("apigw-vpclink"),
  region: awsRegion.optional(),
  use_lockfile: z.boolean().default(true),
});

export const stateBackend = z
  .discriminatedUnion("type", [localBackend, s3Backend])
  .default({ type: "local" })
  .describe(
    '`{"type": "local"}`: `terraform.<stack>.tfstate` at the repository root (git-ignored). Or `{"type": "s3", "bucket": "...", "key_prefix": "apigw-vpclink", "region": "...", "use_lockfile": true}`: keys `<key_prefix>/<stack>.tfstate`, encrypted, S3-native locking (Terraform >= 1.10).',
  );

export const tags = z
  // Key lengths are checked here, not by the record's key schema: zod reports a bad key as "Invalid key in
  // record" and shows its value, which does not say what is wrong with the key.
  .record(z.string(), z.string().max(256))
  .superRefine((tags, ctx) => {
    for (const key of Object.keys(tags)) {
      if (key.length < 1 || key.length > 128) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: `tag keys are 1-128 characters, this one has ${key.length}`,
        });
      } else if (key.toLowerCase().startsWith("aws:")) {
        ctx.addIssue({ code: "custom", path: [key], message: "tag keys starting with 'aws:' are reserved for AWS" });
      }
    }
  })
  .default({})
  .describe(
    "Tags on every resource, besides `project`, `environment`, `managed-by` and `stack`; keys may not start with `aws:`.",
  );
