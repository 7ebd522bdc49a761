import { z } from "zod";
import { bucketNameProblem, namePrefix, namingProblems } from "./naming.js";

/**
 * The shape of `terraform.tfvars.json`: snake_case keys like any Terraform var file. Every key has a `.describe()`
 * text, from which docs/CONFIGURATION.md's table is generated (npm run docs); unknown keys are errors (a typo must not
 * silently fall back to a default).
 */

const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,18}[a-z0-9]$/, "expected 2-20 lowercase letters, digits or '-', starting with a letter");
const domainName = z
  .string()
  .regex(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    "expected a lowercase DNS name such as api.example.com (no wildcard: it is also the host API Gateway calls)",
  );
const subnetId = z
  .string()
  .regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a subnet id such as subnet-0123456789abcdef0");
const imageTag = z
  .string()
  .regex(
    /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
    "expected a Docker image tag (letters, digits, '_', '.', '-'; max 128)",
  );
const awsRegion = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "expected an AWS region such as eu-west-1");
const arn = z.string().regex(/^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12})?:.+$/, "expected an ARN");
/** A KMS key (not an alias: CloudWatch Logs takes only key ARNs), single- or multi-Region. */
const kmsKeyArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d{1,2}:\d{12}:key\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/,
    "expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias)",
  );
const logRetentionDays = z.union(
  [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].map((d) =>
    z.literal(d),
  ) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>],
  { error: "expected a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, ..., 3653)" },
);

/** Fargate accepts only these CPU units, each with its own memory range (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly [min: number, max: number, step: number]>> = {
  256: [512, 2048, 512],
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
};

const service = z.strictObject({
  image_tag: imageTag.describe(
    "Default image tag of the service; a deploy overrides it with `TF_VAR_<service>_image_tag`, and `npm run deploy:main` without one keeps the tag that runs.",
  ),
  cpu: z.number().int().default(256).describe("Fargate CPU units of one task: 256, 512, 1024, 2048 or 4096."),
  memory: z
    .number()
    .int()
    .default(512)
    .describe(
      "MiB per task; must fit the CPU (256: 512-2048 in steps of 512; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720, in steps of 1024).",
    ),
  desired_count: z
    .number()
    .int()
    .min(0)
    .max(100)
    .default(2)
    .describe("Tasks at first deploy; autoscaling owns the count afterwards (must lie within min/max)."),
});

const processorService = service.extend({
  desired_count: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe("Tasks at first deploy; autoscaling owns the count afterwards (must lie within min/max)."),
  // At least 1: the scaling metric is backlog per running task, which has no value with 0 tasks, so a service
  // scaled to zero would never scale out again and its messages would wait until their retention ran out.
  min_count: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(1)
    .describe("Fewest processor tasks (at least 1: backlog per task has no value with 0 tasks)."),
  max_count: z.number().int().min(1).max(100).default(10).describe("Most processor tasks autoscaling starts."),
  poll_concurrency: z
    .number()
    .int()
    .min(1)
    .max(32)
    .default(4)
    .describe("Concurrent long polls per task (`POLL_CONCURRENCY`)."),
  // The queue's visibility timeout is twice this, and SQS caps it at 12 hours.
  max_batch_seconds: z
    .number()
    .int()
    .min(5)
    .max(21_600)
    .default(30)
    .describe(
      "Worst-case time for one batch: the processor's time limit for its hooks (a hook still running then fails its message); the queue's visibility timeout is twice this, and so is the health stall threshold (at least 120 s).",
    ),
  ...processorScalingFields(),
});

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

const fieldsSchema = z.strictObject({
  project: name.describe(
    "Name prefix, 2-20 of `a-z0-9-`: resources are named `<project>-<environment>-...` and IAM roles `<project>-<environment>-<region>-...` (IAM names are account-global). Checked against every AWS naming rule it feeds (config/naming.ts): load balancer names at most 32 characters and not starting `internal-`, security groups not starting `sg-`, no `--` (ECR), IAM roles at most 64.",
  ),
  environment: name.describe("E.g. `dev`, `prod` (same format as `project`)."),
  region: awsRegion.describe("AWS region, e.g. `eu-west-1`."),
  vpc_id: z
    .string()
    .regex(/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a VPC id such as vpc-0123456789abcdef0")
    .describe(
      "Existing VPC (`vpc-` + 8 or 17 hex digits). Its subnets tagged `tier=private` (2+, in 2+ AZs) are used; public subnets are not needed.",
    ),
  // Pinning keeps the load balancers where they are when more subnets are tagged later (moving an NLB replaces it).
  load_balancer_subnet_ids: z
    .array(subnetId)
    .min(2, "expected at least 2 subnets, one per availability zone")
    .refine((ids) => new Set(ids).size === ids.length, "expected distinct subnet ids")
    .nullable()
    .default(null)
    .describe(
      "The load balancers' subnets, one per AZ, each tagged `tier=private` (checked at plan). `null` = per AZ, the tagged private subnet with the lowest id. Pin them before tagging more subnets: moving the NLB replaces it, which breaks the VPC link until it is recreated.",
    ),
  alb_certificate_domain: domainName.describe(
    "Domain of the ISSUED ACM certificate the ALB presents (looked up by this exact name, no wildcard); API Gateway calls `https://<this domain>` over the VPC Link, so TLS verifies (the name need not resolve in DNS).",
  ),
  private_integration: z
    .enum(["nlb", "alb"])
    .default("nlb")
    .describe(
      '`"nlb"`: VPC Link v1 -> NLB -> ALB. `"alb"`: VPC Link v2 straight to the ALB (no NLB; the api also serves its routes under `/v1`, the stage name a v2 link sends first). Which to choose: [docs/PRIVATE-NETWORKING.md](docs/PRIVATE-NETWORKING.md)',
    ),
  keep_nlb_during_migration: z
    .boolean()
    .default(false)
    .describe(
      'only with `"alb"`: the first of the two deploys of the `nlb` -> `alb` migration. The NLB and v1 link stay, without deletion protection, while the integrations move; the next deploy (flag removed) deletes them',
    ),
  vpc_endpoints: vpcEndpointsSchema(),
  ingest_api_domain: domainName
    .nullable()
    .default(null)
    .describe(
      "Custom domain for the ingest API (needs an ISSUED regional ACM certificate); `null` = the execute-api URL only.",
    ),
  query_api_domain: domainName
    .nullable()
    .default(null)
    .describe("Custom domain for the query API, as `ingest_api_domain`."),
  api_key_required: z
    .boolean()
    .default(true)
    .describe("Require `x-api-key` on every method; creates one API key and a usage plan over both stages."),
  manage_apigateway_account: z
    .boolean()
    .default(true)
    .describe(
      "Set the account-and-region-wide API Gateway CloudWatch role (needed for execution and access logs: with `false`, the account must already have one, or the stages fail to apply). One per account and region: when another stack or a second deployment in the same account and region manages it, set `false` in all but one.",
    ),
  throttle_rate_limit: z
    .number()
    .positive()
    .max(10_000)
    .default(100)
    .describe("Steady requests/s per method (stage) and per key (usage plan)."),
  throttle_burst_limit: z
    .number()
    .int()
    .positive()
    .max(5_000)
    .default(200)
    .describe(
      "Burst: the size of API Gateway's token bucket, the requests it accepts at once above the steady rate. It may be below the rate (the account default is a rate of 10,000 with a burst of 5,000).",
    ),
  quota_per_day: z
    .number()
    .int()
    .positive()
    .nullable()
    .default(null)
    .describe("Requests per day per API key; `null` = no quota."),
  services: z.strictObject({ api: service.extend(apiScalingFields()), processor: processorService }),
  log_retention_days: logRetentionDays
    .default(365)
    .describe("Retention of every log group (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, ..., 3653)."),
  log_kms_key_arn: kmsKeyArn
    .nullable()
    .default(null)
    .describe(
      "KMS key for all log groups: a key ARN (not an alias) in `region`, whose key policy lets `logs.<region>.amazonaws.com` use it, or creating the log groups fails; `null` = CloudWatch Logs' own encryption.",
    ),
  max_receive_count: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(5)
    .describe("Receives before a message moves to the dead-letter queue."),
  // At most 10 days: a dead letter keeps its original enqueue time, so in the 14-day DLQ even a message that
  // failed on its last day still has 4 days to be inspected and redriven.
  message_retention_seconds: z
    .number()
    .int()
    .min(60)
    .max(864_000)
    .default(345_600)
    .describe(
      "How long an unprocessed message is kept, at most 10 days: a dead letter keeps its original enqueue time, so the 14-day DLQ still holds it for 4 days or more.",
    ),
  table_ttl_attribute: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/)
    .nullable()
    .default(null)
    .describe("Enables DynamoDB TTL on this attribute; `null` = no TTL."),
  deletion_protection: z
    .boolean()
    .default(true)
    .describe("On the DynamoDB table and the load balancers; set `false` (and deploy) before a destroy."),
  waf_web_acl_arn: arn
    .nullable()
    .default(null)
    .describe("WAFv2 web ACL to associate with both API stages; `null` = none."),
  alarm_topic_arn: arn
    .nullable()
    .default(null)
    .describe(
      "Existing SNS topic every alarm notifies; `null` = the stack creates `<prefix>-alarms`, encrypted with its own KMS key.",
    ),
  alarms: alarmsSchema(),
  alb_access_logs_bucket: z
    .string()
    .superRefine((bucket, ctx) => {
      const problem = bucketNameProblem(bucket);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .nullable()
    .default(null)
    .describe(
      "S3 bucket for the ALB's access logs; `null` = none (an NLB logs only TLS listeners, and this one is TCP).",
    ),
  ecr_keep_images: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(30)
    .describe("Never-deployed images kept per repository by the lifecycle policy."),
  ecr_keep_deployed_images: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe(
      "Deployed images (tagged `deployed-<tag>` by every deploy) kept per repository: the running one and the rollback targets.",
    ),
  state_backend: z
    .discriminatedUnion("type", [localBackend, s3Backend])
    .default({ type: "local" })
    .describe(
      '`{"type": "local"}`: `terraform.<stack>.tfstate` at the repository root (git-ignored). Or `{"type": "s3", "bucket": "...", "key_prefix": "apigw-vpclink", "region": "...", "use_lockfile": true}`: keys `<key_prefix>/<stack>.tfstate`, encrypted, S3-native locking (Terraform >= 1.10).',
    ),
  tags: z
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
    ),
});

/**
 * Field rules, then the cross-field rules over the fields that passed their own (zod runs this refinement after
 * "continuable" failures such as a regex mismatch, but not after a type error: parseConfig covers that case).
 */
export const configSchema = fieldsSchema.superRefine((config, ctx) => {
  for (const issue of crossFieldIssues(validFields(config))) ctx.addIssue({ code: "custom", ...issue });
});

export type Config = z.output<typeof configSchema>;
export type ApiServiceConfig = Config["services"]["api"];
export type ProcessorServiceConfig = Config["services"]["processor"];

type Fields = z.output<typeof fieldsSchema>;
type Services = Fields["services"];
/** The fields that passed their own rules: a file with a type error still gets every cross-field problem reported. */
export type ValidFields = Partial<Omit<Fields, "services">> & { services?: Partial<Services> };

export interface CrossFieldIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * The fields of `input` that are valid on their own, with their defaults: what the cross-field rules can still
 * check when other fields are wrong.
 */
export function validFields(input: unknown): ValidFields {
  // A value that is not an object has no valid fields: indexing a string or number yields undefined, which no
  // field schema accepts. Each service is parsed on its own, so one bad service does not hide the other's rules.
  const record = (input ?? {}) as Record<string, unknown>;
  const valid: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(fieldsSchema.shape))
    valid[key] = (schema as z.ZodType).safeParse(record[key]).data;
  const services = (record.services ?? {}) as Record<string, unknown>;
  valid.services = Object.fromEntries(
    Object.entries(fieldsSchema.shape.services.shape).flatMap(([name, schema]) => {
      const result = schema.safeParse(services[name]);
      return result.success ? [[name, result.data]] : [];
    }),
  );
  return valid;
}

/** Rules that involve more than one key; each names the key at fault, and skips when a key it needs is invalid. */
export function crossFieldIssues(config: ValidFields): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  if (config.project !== undefined && config.environment !== undefined && config.region !== undefined) {
    for (const problem of namingProblems({
      project: config.project,
      environment: config.environment,
      region: config.region,
    })) {
      issues.push({
        path: [problem.field],
        message: `"${namePrefix({ project: config.project, environment: config.environment })}" (project-environment) ${problem.message}`,
      });
    }
  }
  for (const [serviceName, svc] of Object.entries(config.services ?? {})) {
    const range = FARGATE_MEMORY_BY_CPU[svc.cpu];
    if (!range) {
      issues.push({
        path: ["services", serviceName, "cpu"],
        message: `expected a Fargate CPU value: ${Object.keys(FARGATE_MEMORY_BY_CPU).join(", ")}`,
      });
      continue;
    }
    const [min, max, step] = range;
    if (svc.memory < min || svc.memory > max || svc.memory % step !== 0) {
      issues.push({
        path: ["services", serviceName, "memory"],
        message: `expected ${min}-${max} MiB in steps of ${step} for cpu ${svc.cpu}`,
      });
    }
  }
  issues.push(...processorCountIssues(config.services?.processor), ...operationsIssues(config));
  const logKeyRegion = config.log_kms_key_arn?.split(":")[3];
  if (logKeyRegion !== undefined && config.region !== undefined && logKeyRegion !== config.region) {
    issues.push({
      path: ["log_kms_key_arn"],
      message: `must be a key in ${config.region} (the region of the log groups), not ${logKeyRegion}`,
    });
  }
  if (
    config.keep_nlb_during_migration &&
    config.private_integration !== undefined &&
    config.private_integration !== "alb"
  ) {
    issues.push({
      path: ["keep_nlb_during_migration"],
      message:
        'only for the migration step to private_integration "alb" (docs/PRIVATE-NETWORKING.md); with "nlb" the NLB is the path anyway',
    });
  }
  return issues;
}

function processorCountIssues(processor: ProcessorServiceConfig | undefined): CrossFieldIssue[] {
  if (!processor) return [];
  if (processor.min_count > processor.max_count) {
    return [
      {
        path: ["services", "processor", "min_count"],
        message: `must not exceed services.processor.max_count (${processor.max_count})`,
      },
    ];
  }
  if (processor.desired_count < processor.min_count || processor.desired_count > processor.max_count) {
    return [
      {
        path: ["services", "processor", "desired_count"],
        message: `must be between services.processor.min_count and max_count (${processor.min_count}-${processor.max_count})`,
      },
    ];
  }
  return [];
}

// ---- operations: autoscaling and alarms (issue 12) ------------------------------------------------------------

/**
 * The processor scales on backlog per task; its target is acceptable_backlog_seconds x messages_per_second_per_task
 * (messages one task can hold in its share of the queue and still clear them within the acceptable delay).
 */
function processorScalingFields() {
  return {
    acceptable_backlog_seconds: z
      .number()
      .int()
      .min(5)
      .max(3_600)
      .default(30)
      .describe(
        "How long a message may wait for a task in steady state; times `messages_per_second_per_task` = the backlog-per-task scaling target.",
      ),
    // Conservative against docs/BENCHMARKS.md (processor section): see docs/OPERATIONS.md.
    messages_per_second_per_task: z
      .number()
      .positive()
      .max(10_000)
      .default(100)
      .describe(
        "What one task processes per second; the default comes from docs/BENCHMARKS.md (docs/OPERATIONS.md shows the derivation and how to measure yours).",
      ),
  };
}

/** The api scales between min_count and max_count on requests per task and on CPU, whichever asks for more. */
function apiScalingFields() {
  return {
    // At least 1: the query path has no other server, and an empty target group fails every request.
    min_count: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .describe("Fewest api tasks autoscaling keeps (at least 1: an empty target group fails every request)."),
    max_count: z.number().int().min(1).max(100).default(10).describe("Most api tasks autoscaling starts."),
    // ALBRequestCountPerTarget is requests per task per minute.
    target_requests_per_minute_per_task: z
      .number()
      .int()
      .min(10)
      .max(1_000_000)
      .default(6_000)
      .describe("ALB requests per task per minute the api is scaled to hold."),
    target_cpu_percent: z.number().int().min(10).max(90).default(60).describe("Average CPU the api is scaled to hold."),
  };
}

/**
 * VPC endpoints for the AWS APIs the tasks call, so task egress narrows from 0.0.0.0/0 to the endpoints:
 * `{"mode": "create"}` creates them; `{"mode": "existing", "security_group_ids": [...]}` uses endpoints the VPC
 * already has (their security groups must admit 443 from the tasks). `null` = tasks reach AWS through NAT.
 */
function vpcEndpointsSchema() {
  // Declared here: this runs while the fields schema above is built, before later module constants exist.
  const groupId = z
    .string()
    .regex(/^sg-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a security group id such as sg-0123456789abcdef0");
  return z
    .discriminatedUnion("mode", [
      z.strictObject({ mode: z.literal("create") }),
      z.strictObject({
        mode: z.literal("existing"),
        security_group_ids: z
          .array(groupId)
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
}

/** Alarm thresholds: defaults for a production service; evaluation windows are fixed in stacks/alarms-*.ts. */
function alarmsSchema() {
  // Declared here: this runs while the fields schema above is built, before later module constants exist.
  const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected an email address");
  return (
    z
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
      })
      // prefault, not default: zod 4 returns a default as is, and the inner defaults must still apply.
      .prefault({})
  );
}

function operationsIssues(config: ValidFields): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const api = config.services?.api;
  if (api && api.min_count > api.max_count) {
    issues.push({
      path: ["services", "api", "min_count"],
      message: `must not exceed services.api.max_count (${api.max_count})`,
    });
  } else if (api && (api.desired_count < api.min_count || api.desired_count > api.max_count)) {
    issues.push({
      path: ["services", "api", "desired_count"],
      message: `must be between services.api.min_count and max_count (${api.min_count}-${api.max_count})`,
    });
  }
  if (config.alarm_topic_arn && config.alarms?.email_subscriptions.length) {
    issues.push({
      path: ["alarms", "email_subscriptions"],
      message: "only for the topic this stack creates: with alarm_topic_arn set, subscribe on that topic instead",
    });
  }
  // A message that fails every receive is redelivered max_receive_count times, one visibility timeout
  // (2 x max_batch_seconds) apart, before it reaches the DLQ: a lower threshold would page for every poison message.
  const batchSeconds = config.services?.processor?.max_batch_seconds;
  if (config.max_receive_count !== undefined && batchSeconds !== undefined && config.alarms) {
    const poisonSeconds = config.max_receive_count * 2 * batchSeconds;
    if (config.alarms.queue_oldest_message_seconds <= poisonSeconds) {
      issues.push({
        path: ["alarms", "queue_oldest_message_seconds"],
        message: `must exceed max_receive_count x the visibility timeout (${poisonSeconds} s), or every poison message raises it`,
      });
    }
  }
  return issues;
}
