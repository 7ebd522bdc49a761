import { z } from "zod";
import { bucketNameProblem, namePrefix, namingProblems } from "./naming.js";

/**
 * The shape of `terraform.tfvars.json`: snake_case keys like any Terraform var file. Every optional key has the
 * default documented in the README; unknown keys are errors (a typo must not silently fall back to a default).
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
const subnetId = z.string().regex(/^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a subnet id such as subnet-0123456789abcdef0");
const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "expected a Docker image tag (letters, digits, '_', '.', '-'; max 128)");
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
  image_tag: imageTag,
  cpu: z.number().int().default(256),
  memory: z.number().int().default(512),
  desired_count: z.number().int().min(0).max(100).default(2),
});

const processorService = service.extend({
  desired_count: z.number().int().min(1).max(100).default(1),
  // At least 1: the scaling metric is backlog per running task, which has no value with 0 tasks, so a service
  // scaled to zero would never scale out again and its messages would wait until their retention ran out.
  min_count: z.number().int().min(1).max(100).default(1),
  max_count: z.number().int().min(1).max(100).default(10),
  poll_concurrency: z.number().int().min(1).max(32).default(4),
  // The queue's visibility timeout is twice this, and SQS caps it at 12 hours.
  max_batch_seconds: z.number().int().min(5).max(21_600).default(30),
  ...processorScalingFields(),
});

const localBackend = z.strictObject({ type: z.literal("local") });
const s3Backend = z.strictObject({
  type: z.literal("s3"),
  bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
  key_prefix: z.string().regex(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, "expected an S3 key prefix").default("apigw-vpclink"),
  region: awsRegion.optional(),
  use_lockfile: z.boolean().default(true),
});

const fieldsSchema = z.strictObject({
    project: name,
    environment: name,
    region: awsRegion,
    vpc_id: z.string().regex(/^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/, "expected a VPC id such as vpc-0123456789abcdef0"),
    // Pinning keeps the load balancers where they are when more subnets are tagged later (moving an NLB replaces it).
    load_balancer_subnet_ids: z
      .array(subnetId)
      .min(2, "expected at least 2 subnets, one per availability zone")
      .refine((ids) => new Set(ids).size === ids.length, "expected distinct subnet ids")
      .nullable()
      .default(null),
    alb_certificate_domain: domainName,
    ingest_api_domain: domainName.nullable().default(null),
    query_api_domain: domainName.nullable().default(null),
    api_key_required: z.boolean().default(true),
    manage_apigateway_account: z.boolean().default(true),
    throttle_rate_limit: z.number().positive().max(10_000).default(100),
    throttle_burst_limit: z.number().int().positive().max(5_000).default(200),
    quota_per_day: z.number().int().positive().nullable().default(null),
    services: z.strictObject({ api: service.extend(apiScalingFields()), processor: processorService }),
    log_retention_days: logRetentionDays.default(365),
    log_kms_key_arn: kmsKeyArn.nullable().default(null),
    max_receive_count: z.number().int().min(1).max(1000).default(5),
    // At most 10 days: a dead letter keeps its original enqueue time, so in the 14-day DLQ even a message that
    // failed on its last day still has 4 days to be inspected and redriven.
    message_retention_seconds: z.number().int().min(60).max(864_000).default(345_600),
    table_ttl_attribute: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/).nullable().default(null),
    deletion_protection: z.boolean().default(true),
    waf_web_acl_arn: arn.nullable().default(null),
    alarm_topic_arn: arn.nullable().default(null),
    alarms: alarmsSchema(),
    alb_access_logs_bucket: z
      .string()
      .superRefine((bucket, ctx) => {
        const problem = bucketNameProblem(bucket);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .nullable()
      .default(null),
    ecr_keep_images: z.number().int().min(1).max(1000).default(30),
    ecr_keep_deployed_images: z.number().int().min(1).max(1000).default(20),
    state_backend: z.discriminatedUnion("type", [localBackend, s3Backend]).default({ type: "local" }),
    tags: z
      // Key lengths are checked here, not by the record's key schema: zod reports a bad key as "Invalid key in
      // record" and shows its value, which does not say what is wrong with the key.
      .record(z.string(), z.string().max(256))
      .superRefine((tags, ctx) => {
        for (const key of Object.keys(tags)) {
          if (key.length < 1 || key.length > 128) {
            ctx.addIssue({ code: "custom", path: [key], message: `tag keys are 1-128 characters, this one has ${key.length}` });
          } else if (key.toLowerCase().startsWith("aws:")) {
            ctx.addIssue({ code: "custom", path: [key], message: "tag keys starting with 'aws:' are reserved for AWS" });
          }
        }
      })
      .default({}),
  });

/**
 * Field rules, then the cross-field rules over the fields that passed their own (zod runs this refinement after
 * "continuable" failures such as a regex mismatch, but not after a type error: parseConfig covers that case).
 */
export const configSchema = fieldsSchema.superRefine((config, ctx) => {
  for (const issue of crossFieldIssues(validFields(config))) ctx.addIssue({ code: "custom", ...issue });
});

export type Config = z.output<typeof configSchema>;
export type ServiceConfig = Config["services"]["api"];
export type ProcessorConfig = Config["services"]["processor"];

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
  for (const [key, schema] of Object.entries(fieldsSchema.shape)) valid[key] = (schema as z.ZodType).safeParse(record[key]).data;
  const services = (record.services ?? {}) as Record<string, unknown>;
  valid.services = Object.fromEntries(
    Object.entries(fieldsSchema.shape.services.shape).flatMap(([name, schema]) => {
      const result = schema.safeParse(services[name]);
      return result.success ? [[name, result.data]] : [];
    }),
  );
  return valid as ValidFields;
}

/** Rules that involve more than one key; each names the key at fault, and skips when a key it needs is invalid. */
export function crossFieldIssues(config: ValidFields): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  if (config.project !== undefined && config.environment !== undefined && config.region !== undefined) {
    for (const problem of namingProblems({ project: config.project, environment: config.environment, region: config.region })) {
      issues.push({ path: [problem.field], message: `"${namePrefix({ project: config.project, environment: config.environment })}" (project-environment) ${problem.message}` });
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
  if (config.throttle_burst_limit !== undefined && config.throttle_rate_limit !== undefined && config.throttle_burst_limit < config.throttle_rate_limit) {
    issues.push({
      path: ["throttle_burst_limit"],
      message: `must be at least throttle_rate_limit (${config.throttle_rate_limit})`,
    });
  }
  return issues;
}

function processorCountIssues(processor: ProcessorConfig | undefined): CrossFieldIssue[] {
  if (!processor) return [];
  if (processor.min_count > processor.max_count) {
    return [{ path: ["services", "processor", "min_count"], message: `must not exceed services.processor.max_count (${processor.max_count})` }];
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
    acceptable_backlog_seconds: z.number().int().min(5).max(3_600).default(30),
    // Conservative against docs/BENCHMARKS.md (processor section): see README "Scaling and alarms".
    messages_per_second_per_task: z.number().positive().max(10_000).default(100),
  };
}

/** The api scales between min_count and max_count on requests per task and on CPU, whichever asks for more. */
function apiScalingFields() {
  return {
    // At least 1: the query path has no other server, and an empty target group fails every request.
    min_count: z.number().int().min(1).max(100).default(2),
    max_count: z.number().int().min(1).max(100).default(10),
    // ALBRequestCountPerTarget is requests per task per minute.
    target_requests_per_minute_per_task: z.number().int().min(10).max(1_000_000).default(6_000),
    target_cpu_percent: z.number().int().min(10).max(90).default(60),
  };
}

/** Alarm thresholds: defaults for a production service; evaluation windows are fixed in stacks/alarms.ts. */
function alarmsSchema() {
  // Declared here: this runs while the fields schema above is built, before later module constants exist.
  const email = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, "expected an email address");
  return z
    .strictObject({
      email_subscriptions: z.array(email).max(20).default([]),
      queue_oldest_message_seconds: z.number().int().min(60).max(1_209_600).default(900),
      processor_stalled_minutes: z.number().int().min(2).max(60).default(10),
      api_5xx_percent: z.number().positive().max(100).default(1),
      ingest_p99_latency_ms: z.number().int().min(50).max(29_000).default(1_000),
      query_p99_latency_ms: z.number().int().min(50).max(29_000).default(2_500),
      alb_target_5xx_percent: z.number().positive().max(100).default(1),
      alb_unhealthy_hosts: z.number().int().min(0).max(100).default(0),
      tasks_below_desired_minutes: z.number().int().min(2).max(60).default(5),
      dynamodb_throttled_requests: z.number().int().min(0).default(0),
      dynamodb_system_errors: z.number().int().min(0).default(0),
    })
    // prefault, not default: zod 4 returns a default as is, and the inner defaults must still apply.
    .prefault({});
}

function operationsIssues(config: ValidFields): CrossFieldIssue[] {
  const issues: CrossFieldIssue[] = [];
  const api = config.services?.api;
  if (api && api.min_count > api.max_count) {
    issues.push({ path: ["services", "api", "min_count"], message: `must not exceed services.api.max_count (${api.max_count})` });
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
