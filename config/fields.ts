import { z } from "zod";
import { bucketNameProblem } from "./naming.js";
import {
  arn,
  awsRegion,
  dailyQuota,
  domainName,
  kmsKeyArn,
  logRetentionDays,
  name,
  requestBurst,
  requestRate,
  subnetId,
} from "./field-types.js";
import { alarms, stateBackend, tags, vpcEndpoints, wafWebAcl } from "./nested-fields.js";
import { clients, throttleAboveCapacityReason } from "./access-fields.js";
import { authorization } from "./authorization-fields.js";
import { apiService, processorService } from "./service-fields.js";
import { computeFields, logFields, resultFields, spotFields } from "./cost-fields.js";
import { tracingFields } from "./tracing-fields.js";

/**
 * The keys of `terraform.tfvars.json`, each checked on its own (config/schema.ts adds the rules across keys):
 * snake_case like any Terraform var file. Every key has a `.describe()` text, from which docs/CONFIGURATION.md's
 * table is generated (npm run docs); unknown keys are errors (a typo must not silently fall back to a default).
 */
export const fieldsSchema = z.strictObject({
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
  // Pinning keeps the load balancers where they are when more subnets are tagged later (moving an NLB replaces it,
  // and so does changing a VPC Link v2's subnets).
  load_balancer_subnet_ids: z
    .array(subnetId)
    .min(2, "expected at least 2 subnets, one per availability zone")
    .refine((ids) => new Set(ids).size === ids.length, "expected distinct subnet ids")
    .nullable()
    .default(null)
    .describe(
      "The load balancers' subnets, one per AZ, each tagged `tier=private` (checked at plan). `null` = per AZ, the tagged private subnet with the lowest id. Pin them before tagging more subnets: a change replaces the NLB (`nlb` mode), which breaks the VPC link until it is recreated, and in `alb` mode the VPC Link v2, which uses these subnets and cannot change them in place (the new link is up before the integrations move to it).",
    ),
  alb_certificate_domain: domainName.describe(
    "Domain of the ISSUED ACM certificate the ALB presents (looked up by this exact name, no wildcard); API Gateway calls `https://<this domain>` over the VPC Link, so TLS verifies (the name need not resolve in DNS).",
  ),
  alb_certificate_issuer: z
    .enum(["public", "private_ca"])
    .default("public")
    .describe(
      '`"public"`: the ALB certificate is Amazon-issued (the lookup takes `AMAZON_ISSUED` only), so API Gateway verifies its chain. `"private_ca"`: it comes from ACM Private CA (the lookup takes `PRIVATE` only) and the query integrations set `tls_config.insecure_skip_verification`: API Gateway checks the host name and expiry but not the chain. Imported certificates are never looked up: ACM cannot tell a public one from a private one.',
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
  vpc_endpoints: vpcEndpoints,
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
  authorization,
  api_key_required: z
    .boolean()
    .default(true)
    .describe("Require `x-api-key` on every method; creates an API key and a usage plan per client (`clients`)."),
  manage_apigateway_account: z
    .boolean()
    .default(false)
    .describe(
      "Whether this deployment sets the account-and-region-wide API Gateway CloudWatch role, which every REST API there logs through. `false`: the account already has one (set once per account and region: docs/DEPLOYING.md#the-api-gateway-logging-role), and turning this off later leaves it in place. `true` in exactly one deployment per account and region: destroying that deployment resets the role for every API there.",
    ),
  throttle_rate_limit: requestRate
    .default(100)
    .describe(
      "Steady requests/s each method of each API accepts, from all clients together (the stage's method throttle); without `clients`, also the one key's rate. At most what the method's backend sustains at `max_count` (checked).",
    ),
  throttle_burst_limit: requestBurst
    .default(200)
    .describe(
      "Burst: the size of API Gateway's token bucket, the requests it accepts at once above the steady rate. It may be below the rate (the account default is a rate of 10,000 with a burst of 5,000).",
    ),
  quota_per_day: dailyQuota.describe("Without `clients`: requests per day for the one API key; `null` = no quota."),
  clients,
  throttle_above_capacity_reason: throttleAboveCapacityReason,
  services: z.strictObject({ api: apiService, processor: processorService }),
  log_retention_days: logRetentionDays
    .default(365)
    .describe("Retention of every log group (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, 60, 90, ..., 3653)."),
  ...computeFields,
  ...spotFields,
  ...logFields,
  ...tracingFields,
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
  ...resultFields,
  deletion_protection: z
    .boolean()
    .default(true)
    .describe("On the DynamoDB table and the load balancers; set `false` (and deploy) before a destroy."),
  waf_web_acl_arn: arn
    .nullable()
    .default(null)
    .describe(
      "An existing WAFv2 web ACL to associate with both API stages; `null` = none, or `waf_web_acl` creates one.",
    ),
  waf_web_acl: wafWebAcl,
  alarm_topic_arn: arn
    .nullable()
    .default(null)
    .describe(
      "Existing SNS topic every alarm notifies; `null` = the stack creates `<prefix>-alarms`, encrypted with its own KMS key.",
    ),
  alarms,
  alb_access_logs_bucket: z
    .string()
    .superRefine((bucket, ctx) => {
      const problem = bucketNameProblem(bucket);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .nullable()
    .default(null)
    .describe(
      "S3 bucket for the ALB's access logs; `null` = none (an NLB logs only TLS listeners, and this one is TCP). Only the name is checked here: the bucket's region, encryption and policy are listed in [docs/DEPLOYING.md](docs/DEPLOYING.md#before-your-first-production-deploy).",
    ),
  alb_access_logs_prefix: z
    .string()
    .min(1)
    .max(200)
    .regex(
      /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/,
      "expected S3 key segments joined by `/`, with no leading or trailing `/`",
    )
    .refine(
      (prefix) => !/awslogs/i.test(prefix),
      "must not contain `AWSLogs`: ELB adds that segment itself and refuses a prefix holding it",
    )
    .nullable()
    .default(null)
    .describe(
      "Key prefix of the ALB's access logs in `alb_access_logs_bucket`; `null` = `<project>-<environment>-alb`. Must not contain `AWSLogs` (ELB refuses it when it sets the attribute, after the ALB exists).",
    ),
  ecr_keep_images: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(30)
    .describe(
      "Newest images kept per repository, counting deployed ones: a never-deployed image expires once this many newer images exist, deployed or not (deployed images themselves follow `ecr_keep_deployed_images`).",
    ),
  ecr_keep_deployed_images: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(20)
    .describe(
      "Deployed images (tagged `deployed-<tag>` by every deploy) kept per repository: the running one and the rollback targets.",
    ),
  state_backend: stateBackend,
  tags,
});

type Fields = z.output<typeof fieldsSchema>;
type Services = Fields["services"];
/** The fields that passed their own rules: a file with a type error still gets every cross-field problem reported. */
export type ValidFields = Partial<Omit<Fields, "services">> & { services?: Partial<Services> };

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
    Object.entries(fieldsSchema.shape.services.shape).flatMap(([serviceName, schema]) => {
      const result = schema.safeParse(services[serviceName]);
      return result.success ? [[serviceName, result.data]] : [];
    }),
  );
  return valid;
}
