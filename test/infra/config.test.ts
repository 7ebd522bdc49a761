import { describe, expect, test } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";
import { crossFieldIssues } from "../../config/cross-field.js";
import { validFields, type ValidFields } from "../../config/fields.js";
import { configSchema } from "../../config/schema.js";
import { ECR_COLLECTOR_TRACING, exampleConfigInput } from "../support/example-config.js";

/** Parses the example var file with changes applied at dotted paths (`undefined` deletes the key). */
function parseWith(changes: Record<string, unknown>) {
  const input = structuredClone(exampleConfigInput());
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split(".");
    const last = keys.pop()!;
    let target: any = input;
    for (const key of keys) target = target[key];
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return parseConfig(input);
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError, but the config was accepted");
}

describe("config: terraform.tfvars.json", () => {
  test("config: the example file is valid and frozen", () => {
    const config = parseConfig(exampleConfigInput());
    expect(config.project).toBe("orders");
    expect(Object.isFrozen(config.services.api)).toBe(true);
  });

  test("config: optional keys take their documented defaults", () => {
    const minimal = {
      project: "demo",
      environment: "dev",
      region: "us-east-1",
      vpc_id: "vpc-0123abcd",
      alb_certificate_domain: "internal.example.com",
      services: { api: { image_tag: "v1" }, processor: { image_tag: "v1" } },
    };
    const config = parseConfig(minimal);
    expect(config).toMatchObject({
      api_key_required: true,
      manage_apigateway_account: false,
      log_retention_days: 365,
      max_receive_count: 5,
      deletion_protection: true,
      state_backend: { type: "local" },
      services: {
        api: {
          cpu: 256,
          memory: 512,
          desired_count: 2,
          min_count: 2,
          max_count: 10,
          target_requests_per_minute_per_task: 6_000,
          target_cpu_percent: 60,
        },
        processor: {
          min_count: 1,
          max_count: 10,
          max_batch_seconds: 30,
          acceptable_backlog_seconds: 30,
          messages_per_second_per_task: 100,
        },
      },
      alarm_topic_arn: null,
      alarms: {
        email_subscriptions: [],
        queue_oldest_message_seconds: 900,
        processor_stalled_minutes: 10,
        api_5xx_percent: 1,
        ingest_p99_latency_ms: 1_000,
        query_p99_latency_ms: 2_500,
        alb_target_5xx_percent: 1,
        alb_unhealthy_hosts: 0,
        tasks_below_desired_minutes: 5,
        dynamodb_throttled_requests: 0,
        dynamodb_system_errors: 0,
      },
    });
  });

  const rules: [name: string, changes: Record<string, unknown>, expected: RegExp][] = [
    ["a required key is missing", { vpc_id: undefined }, /^vpc_id: is required/],
    ["a key is unknown (typo)", { log_retention: 30 }, /^log_retention: unknown key/],
    ["a nested key is unknown", { "services.api.cpus": 256 }, /^services\.api\.cpus: unknown key/],
    [
      "a value has the wrong type",
      { max_receive_count: "5" },
      /^max_receive_count: expected a number, got a string "5"$/,
    ],
    [
      "a key is misspelled",
      { deletion_protecton: true },
      /^deletion_protecton: unknown key \(did you mean deletion_protection\?\)$/,
    ],
    [
      "a nested key is misspelled",
      { "services.api.desird_count": 2 },
      /^services\.api\.desird_count: unknown key \(did you mean desired_count\?\)$/,
    ],
    ["the VPC id is malformed", { vpc_id: "vpc-12" }, /^vpc_id: expected a VPC id/],
    ["the project name has capitals", { project: "Orders" }, /^project: expected 2-20 lowercase/],
    ["the region is malformed", { region: "europe" }, /^region: expected an AWS region/],
    [
      "a certificate domain is malformed",
      { alb_certificate_domain: "not a domain" },
      /^alb_certificate_domain: expected a lowercase DNS name/,
    ],
    [
      "the ALB certificate domain is a wildcard (it is also the host API Gateway calls)",
      { alb_certificate_domain: "*.example.com" },
      /^alb_certificate_domain: expected a lowercase DNS name/,
    ],
    [
      "project-environment is too long for load balancer names",
      { project: "orders-processing-x", environment: "production-eu" },
      /^environment: "orders-processing-x-production-eu" \(project-environment\) makes the load balancer name "orders-processing-x-production-eu-alb" \(37 characters\), but Elastic Load Balancing names are at most 32 characters/,
    ],
    [
      "a custom API domain is malformed",
      { query_api_domain: "https://x.example.com" },
      /^query_api_domain: expected a lowercase DNS name/,
    ],
    [
      "an image tag is malformed",
      { "services.api.image_tag": "-bad tag" },
      /^services\.api\.image_tag: expected a Docker image tag/,
    ],
    ["CPU is not a Fargate size", { "services.api.cpu": 300 }, /^services\.api\.cpu: expected a Fargate CPU value/],
    [
      "memory does not fit the CPU",
      { "services.processor.memory": 8192 },
      /^services\.processor\.memory: expected 512-2048 MiB/,
    ],
    [
      "autoscaling min > max",
      { "services.processor.min_count": 3, "services.processor.max_count": 2, "services.processor.desired_count": 2 },
      /^services\.processor\.min_count: must not exceed services\.processor\.max_count/,
    ],
    [
      "desired count is outside the autoscaling bounds",
      { "services.processor.desired_count": 11 },
      /^services\.processor\.desired_count: must be between/,
    ],
    [
      "log retention is not a CloudWatch value",
      { log_retention_days: 10 },
      /^log_retention_days: expected a CloudWatch Logs retention value/,
    ],
    ["maxReceiveCount is zero", { max_receive_count: 0 }, /^max_receive_count: .*>=1/],
    [
      "the processor may scale to zero (a backlog under the scale-out depth would never be received)",
      { "services.processor.min_count": 0, "services.processor.desired_count": 1 },
      /^services\.processor\.min_count: .*>=1/,
    ],
    [
      "queue retention leaves dead letters too little time in the 14-day DLQ",
      { message_retention_seconds: 1_209_600 },
      /^message_retention_seconds: .*<=864000/,
    ],
    [
      "the batch time makes the visibility timeout exceed 12 h",
      { "services.processor.max_batch_seconds": 30_000 },
      /^services\.processor\.max_batch_seconds: .*<=21600/,
    ],
    ["the state backend type is unknown", { state_backend: { type: "gcs" } }, /^state_backend\.type: /],
    ["the S3 backend has no bucket", { state_backend: { type: "s3" } }, /^state_backend\.bucket: is required/],
    ["a KMS key is not an ARN", { log_kms_key_arn: "alias/logs" }, /^log_kms_key_arn: expected a KMS key ARN/],
    [
      "the log key is a KMS alias ARN (CloudWatch Logs takes key ARNs only)",
      { log_kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:alias/logs" },
      /^log_kms_key_arn: expected a KMS key ARN/,
    ],
    [
      "the log key is another service's ARN",
      { log_kms_key_arn: "arn:aws:sns:eu-west-1:123456789012:topic" },
      /^log_kms_key_arn: expected a KMS key ARN/,
    ],
    [
      "the log key is in another region than the log groups",
      { log_kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      /^log_kms_key_arn: must be a key in eu-west-1/,
    ],
    ["a tag value is not a string", { tags: { team: 1 } }, /^tags\.team: expected a string, got a number 1$/],
    [
      "a tag key uses the aws: prefix AWS reserves",
      { tags: { "aws:owner": "x" } },
      /^tags\.aws:owner: .*reserved for AWS/,
    ],
    [
      "the project makes load balancer names begin with 'internal-'",
      { project: "internal" },
      /^project: "internal-prod" \(project-environment\) makes the load balancer name "internal-prod-alb" \(17 characters\), but Elastic Load Balancing names must not begin with 'internal-'/,
    ],
    [
      "the project makes security group names begin with 'sg-'",
      { project: "sg" },
      /^project: "sg-prod" \(project-environment\) makes the security group name "sg-prod-alb" .*must not begin with 'sg-'/,
    ],
    [
      "the project has '--', which ECR repository names refuse",
      { project: "my--orders" },
      /^project: "my--orders-prod" \(project-environment\) makes the ECR repository name "my--orders-prod\/api"/,
    ],
    [
      "the environment has '--', which ECR repository names refuse",
      { environment: "pr--7" },
      /^environment: "orders-pr--7" \(project-environment\) makes the ECR repository name/,
    ],
    [
      "the ALB access log bucket is not an S3 bucket name",
      { alb_access_logs_bucket: "Logs_Bucket" },
      /^alb_access_logs_bucket: expected an S3 bucket name/,
    ],
    [
      "the ALB access log bucket has '..'",
      { alb_access_logs_bucket: "logs..bucket" },
      /^alb_access_logs_bucket: expected an S3 bucket name \(no '\.\.'/,
    ],
    [
      "the ALB access log prefix holds AWSLogs, which ELB refuses only after the ALB exists",
      { alb_access_logs_bucket: "alb-logs", alb_access_logs_prefix: "team/awslogs/orders" },
      /^alb_access_logs_prefix: must not contain `AWSLogs`/,
    ],
    [
      "the ALB access log prefix starts with a slash",
      { alb_access_logs_bucket: "alb-logs", alb_access_logs_prefix: "/orders" },
      /^alb_access_logs_prefix: expected S3 key segments joined by `\/`/,
    ],
    [
      "the default ALB access log prefix (from the project) holds AWSLogs",
      { project: "awslogs", alb_access_logs_bucket: "alb-logs" },
      /^project: the ALB access-log prefix \(project-environment-alb\) must not contain `AWSLogs`: set alb_access_logs_prefix/,
    ],
    [
      "a web ACL is both created and named",
      { waf_web_acl: {}, waf_web_acl_arn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b" },
      /^waf_web_acl: a stage takes one web ACL: set waf_web_acl or waf_web_acl_arn, not both/,
    ],
    [
      "the WAF rate limit would block the fastest client within its rate",
      { waf_web_acl: { rate_limit_per_ip: 17_999, rate_window_seconds: 300 } },
      /^waf_web_acl\.rate_limit_per_ip: must be at least the fastest client's rate x rate_window_seconds \(60 x 300 = 18000\)/,
    ],
    [
      "a method limit above what the processor sustains at max_count",
      { throttle_rate_limit: 1_001, "services.api.max_count": 11 },
      /^throttle_rate_limit: 1001 requests\/s per method is more than the ingest API's backend sustains \(services\.processor\.max_count x messages_per_second_per_task = 10 x 100 = 1000\/s\): lower it, raise services\.processor\.max_count or messages_per_second_per_task, or record why in throttle_above_capacity_reason/,
    ],
    [
      "a method limit above what the api sustains at max_count",
      { throttle_rate_limit: 601, "services.processor.max_count": 20, "services.api.max_count": 6 },
      /^throttle_rate_limit: 601 requests\/s per method is more than the query API's backend sustains \(services\.api\.max_count x target_requests_per_minute_per_task \/ 60 = 6 x 6000 \/ 60 = 600\/s\): lower it, raise services\.api\.max_count or target_requests_per_minute_per_task, or record why/,
    ],
    [
      "clients without API keys",
      { api_key_required: false },
      /^clients: only with api_key_required: usage plans meter API keys/,
    ],
    [
      "a key-wide quota beside clients",
      { quota_per_day: 1000 },
      /^quota_per_day: only without clients: set each client's quota_per_day instead/,
    ],
    [
      "two clients with one name",
      {
        clients: [
          { name: "web", rate_limit: 1, burst_limit: 1 },
          { name: "web", rate_limit: 1, burst_limit: 1 },
        ],
      },
      /^clients: expected distinct client names/,
    ],
    [
      "a client name with a character after valid ones",
      { clients: [{ name: "web_1", rate_limit: 1, burst_limit: 1 }] },
      /^clients\.0\.name: expected 1-32 lowercase letters, digits and '-'/,
    ],
    [
      "a client that names one API twice",
      { clients: [{ name: "web", rate_limit: 1, burst_limit: 1, apis: ["ingest", "ingest"] }] },
      /^clients\.0\.apis: expected distinct API names/,
    ],
    [
      "a client name with an upper-case letter",
      { clients: [{ name: "Web", rate_limit: 1, burst_limit: 1 }] },
      /^clients\.0\.name: expected 1-32 lowercase letters, digits and '-'/,
    ],
    [
      "the WAF rate window is not one WAF offers",
      { waf_web_acl: { rate_window_seconds: 30 } },
      /^waf_web_acl\.rate_window_seconds: /,
    ],
    [
      "pinned load balancer subnets repeat",
      { load_balancer_subnet_ids: ["subnet-0123abcd", "subnet-0123abcd"] },
      /^load_balancer_subnet_ids: expected distinct subnet ids/,
    ],
    [
      "one load balancer subnet is pinned",
      { load_balancer_subnet_ids: ["subnet-0123abcd"] },
      /^load_balancer_subnet_ids: expected at least 2 subnets/,
    ],
    [
      "a pinned load balancer subnet is not a subnet id",
      { load_balancer_subnet_ids: ["subnet-0123abcd", "sn-1"] },
      /^load_balancer_subnet_ids\.1: expected a subnet id/,
    ],
    [
      "api autoscaling min > max",
      { "services.api.min_count": 4, "services.api.max_count": 3, "services.api.desired_count": 3 },
      /^services\.api\.min_count: must not exceed services\.api\.max_count/,
    ],
    [
      "the api desired count is outside its autoscaling bounds",
      { "services.api.desired_count": 1 },
      /^services\.api\.desired_count: must be between services\.api\.min_count and max_count \(2-10\)/,
    ],
    [
      "the api may scale to zero (the query path would have no server)",
      { "services.api.min_count": 0 },
      /^services\.api\.min_count: .*>=1/,
    ],
    [
      "the per-task throughput is not positive",
      { "services.processor.messages_per_second_per_task": 0 },
      /^services\.processor\.messages_per_second_per_task: .*>0/,
    ],
    [
      "the old step-scaling key is still set",
      { "services.processor.scale_out_queue_depth": 100 },
      /^services\.processor\.scale_out_queue_depth: unknown key/,
    ],
    [
      "an alarm email is not an address",
      { "alarms.email_subscriptions": ["oncall"] },
      /^alarms\.email_subscriptions\.0: expected an email address/,
    ],
    [
      "email subscriptions are set with an existing alarm topic",
      {
        alarm_topic_arn: "arn:aws:sns:eu-west-1:123456789012:alerts",
        "alarms.email_subscriptions": ["oncall@example.com"],
      },
      /^alarms\.email_subscriptions: only for the topic this stack creates/,
    ],
    [
      "the oldest-message alarm would fire for every poison message",
      { "alarms.queue_oldest_message_seconds": 300 },
      /^alarms\.queue_oldest_message_seconds: must exceed max_receive_count x the visibility timeout \(300 s\)/,
    ],
    [
      "an alarm threshold has the wrong type",
      { "alarms.api_5xx_percent": "1%" },
      /^alarms\.api_5xx_percent: expected a number, got /,
    ],
  ];
  test.each(rules)("config: fails when %s", (_name, changes, expected) => {
    const problems = problemsOf(() => parseWith(changes));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  test("config: reports every problem at once, each with its key path", () => {
    const input = { ...exampleConfigInput(), project: "X", region: 3, vpc_id: "vpc-1", extra: true };
    const problems = problemsOf(() => parseConfig(input));
    expect(problems.map((p) => p.split(":")[0])).toEqual(["project", "region", "vpc_id", "extra"]);
  });

  test("config: a type error does not hide the cross-field problems of the same file", () => {
    const input = structuredClone(exampleConfigInput()) as Record<string, any>;
    input.deletion_protection = "yes"; // a type error: zod skips its cross-field refinement after one
    input.keep_nlb_during_migration = true; // only valid with private_integration "alb"
    input.services.api.memory = 8192; // does not fit cpu 256
    const problems = problemsOf(() => parseConfig(input));
    expect(problems).toEqual([
      expect.stringMatching(/^deletion_protection: expected true or false, got /),
      expect.stringMatching(/^services\.api\.memory: expected 512-2048 MiB in steps of 512 for cpu 256/),
      expect.stringMatching(/^keep_nlb_during_migration: only for the migration step/),
    ]);
  });
});

/** A string of `n` lowercase letters. */
const letters = (n: number) => "abcdefghijklmnopqrstuvwxyz".repeat(10).slice(0, n);
const HEX32 = "0123456789abcdef0123456789abcdef";

describe("config: every value exactly at a documented limit, and every accepted alternative, is valid", () => {
  const accepted: [name: string, changes: Record<string, unknown>][] = [
    ["a 2-character project and environment", { project: "ab", environment: "cd" }],
    ["a 20-character project", { project: letters(20), environment: "cd" }],
    ["a name with '-' inside and a digit at the end", { project: "a-1", environment: "b2" }],
    ["a 4-character domain (the shortest)", { alb_certificate_domain: "a.bc" }],
    [
      "a 63-character DNS label and a 63-letter top-level domain",
      { alb_certificate_domain: `${letters(63)}.${letters(63)}` },
    ],
    [
      "a 253-character domain (the longest)",
      { alb_certificate_domain: `${letters(63)}.${letters(63)}.${letters(63)}.${letters(61)}` },
    ],
    ["labels with inner '-' and digits, several levels deep", { alb_certificate_domain: "a-1.b2.c-d.example.com" }],
    ["custom API domains", { ingest_api_domain: "ingest.example.com", query_api_domain: "query.example.com" }],
    ["a VPC id of 8 hex digits (the older form)", { vpc_id: "vpc-0123abcd" }],
    [
      "exactly 2 pinned subnets, 8 and 17 hex digits",
      { load_balancer_subnet_ids: ["subnet-0123abcd", "subnet-0123456789abcdef0"] },
    ],
    ["a 128-character image tag starting with '_'", { "services.api.image_tag": `_${letters(127)}` }],
    ["an image tag with '.', '-' and capitals", { "services.api.image_tag": "Release-1.2_3" }],
    ["a region with more than two parts", { region: "us-gov-west-1" }],
    [
      "a single-Region KMS key in the config's region",
      { log_kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
    ],
    ["a multi-Region KMS key", { log_kms_key_arn: `arn:aws:kms:eu-west-1:123456789012:key/mrk-${HEX32}` }],
    [
      "ARNs in another partition, with and without an account",
      {
        waf_web_acl: null,
        waf_web_acl_arn: "arn:aws-us-gov:wafv2:eu-west-1:123456789012:regional/webacl/a/b",
        alarm_topic_arn: "arn:aws:sns:eu-west-1::alerts",
      },
    ],
    ["the shortest log retention", { log_retention_days: 1 }],
    ["the longest log retention", { log_retention_days: 3653 }],
    ["a burst limit equal to the rate limit", { throttle_rate_limit: 100, throttle_burst_limit: 100 }],
    [
      "the largest burst limit, above capacity with a reason",
      {
        throttle_rate_limit: 5_000,
        throttle_burst_limit: 5_000,
        throttle_above_capacity_reason: "load test of the stage",
      },
    ],
    ["a burst limit below the rate limit", { throttle_rate_limit: 100, throttle_burst_limit: 50 }],
    [
      "the account's default limits: the largest rate, above capacity with a reason",
      {
        throttle_rate_limit: 10_000,
        throttle_burst_limit: 5_000,
        throttle_above_capacity_reason: "a queue that absorbs spikes",
      },
    ],
    ["a method limit exactly at the backend's capacity", { throttle_rate_limit: 1_000 }],
    ["a fractional rate limit", { throttle_rate_limit: 0.5, throttle_burst_limit: 1 }],
    ["a daily quota for the one default key", { quota_per_day: 1, clients: null }],
    ["no clients without API keys", { api_key_required: false, clients: null }],
    [
      "cpu 512 with its smallest and largest memory",
      {
        "services.api.cpu": 512,
        "services.api.memory": 1024,
        "services.processor.cpu": 512,
        "services.processor.memory": 4096,
      },
    ],
    [
      "cpu 1024 and 2048 with their largest memory",
      {
        "services.api.cpu": 1024,
        "services.api.memory": 8192,
        "services.processor.cpu": 2048,
        "services.processor.memory": 16384,
      },
    ],
    [
      "cpu 4096 with its smallest and largest memory",
      {
        "services.api.cpu": 4096,
        "services.api.memory": 8192,
        "services.processor.cpu": 4096,
        "services.processor.memory": 30720,
      },
    ],
    ["cpu 256 with 2048 MiB", { "services.api.memory": 2048 }],
    [
      "processor min == max == desired",
      { "services.processor.min_count": 3, "services.processor.max_count": 3, "services.processor.desired_count": 3 },
    ],
    ["processor desired == max", { "services.processor.desired_count": 10 }],
    [
      "api min == max == desired",
      { "services.api.min_count": 4, "services.api.max_count": 4, "services.api.desired_count": 4 },
    ],
    ["api desired == max", { "services.api.desired_count": 10 }],
    ["api min_count 1 with desired_count 1", { "services.api.min_count": 1, "services.api.desired_count": 1 }],
    [
      "poll concurrency 1 and the shortest batch",
      { "services.processor.poll_concurrency": 1, "services.processor.max_batch_seconds": 5 },
    ],
    ["poll concurrency 32", { "services.processor.poll_concurrency": 32 }],
    [
      "the longest batch with an oldest-message alarm just above the poison time",
      { "services.processor.max_batch_seconds": 21_600, "alarms.queue_oldest_message_seconds": 216_001 },
    ],
    [
      "an oldest-message alarm one second above max_receive_count x the visibility timeout",
      { "alarms.queue_oldest_message_seconds": 301 },
    ],
    ["max_receive_count 1", { max_receive_count: 1 }],
    ["queue retention of 60 s and of 10 days", { message_retention_seconds: 60 }],
    ["queue retention of 10 days", { message_retention_seconds: 864_000 }],
    ["a TTL attribute", { table_ttl_attribute: "_expires_at1" }],
    ["results kept 1 day", { result_retention_days: 1 }],
    ["Standard log groups, every api request logged", { log_group_class: "STANDARD", api_request_log_sample_rate: 1 }],
    ["no api request logged below 500", { api_request_log_sample_rate: 0 }],
    ["strongly consistent reads", { query_read_consistency: "strong" }],
    [
      "arm64 tasks, the processor on Spot at the limits",
      { cpu_architecture: "arm64", processor_spot_weight: 1000, processor_on_demand_base: 100 },
    ],
    ["results kept 3650 days", { result_retention_days: 3650 }],
    ["results kept forever without TTL", { result_retention_days: null, table_ttl_attribute: null }],
    [
      "20 email subscriptions",
      { "alarms.email_subscriptions": Array.from({ length: 20 }, (_, i) => `oncall${i}@example.com`) },
    ],
    [
      "a 128-character tag key and a 256-character value, and a key containing aws:",
      { tags: { [letters(128)]: letters(256), "team:aws:x": "y" } },
    ],
    ["a 1-character tag key and an empty value", { tags: { k: "" } }],
    [
      "an S3 state backend with a 200-character key prefix",
      {
        state_backend: {
          type: "s3",
          bucket: "state-bucket",
          key_prefix: letters(200),
          region: "eu-west-1",
          use_lockfile: false,
        },
      },
    ],
    ["an ALB access log bucket", { alb_access_logs_bucket: "alb-logs.example" }],
    ["ECR retention at its limits", { ecr_keep_images: 1, ecr_keep_deployed_images: 1_000 }],
    [
      "alarm thresholds at their limits",
      {
        alarms: {
          queue_oldest_message_seconds: 1_209_600,
          processor_stalled_minutes: 2,
          api_5xx_percent: 100,
          ingest_p99_latency_ms: 50,
          query_p99_latency_ms: 29_000,
          alb_target_5xx_percent: 0.1,
          alb_unhealthy_hosts: 100,
          tasks_below_desired_minutes: 60,
        },
      },
    ],
  ];
  test.each(accepted)("config: accepts %s", (_name, changes) => {
    expect(() => parseWith(changes)).not.toThrow();
  });

  test("config: an S3 state backend takes its documented defaults", () => {
    expect(parseWith({ state_backend: { type: "s3", bucket: "state-bucket" } }).state_backend).toEqual({
      type: "s3",
      bucket: "state-bucket",
      key_prefix: "apigw-vpclink",
      use_lockfile: true,
    });
  });
});

describe("config: one past each limit fails, with the message the user sees", () => {
  const failing: [name: string, changes: Record<string, unknown>, message: string][] = [
    [
      "the project has 1 character",
      { project: "a" },
      `project: expected 2-20 lowercase letters, digits or '-', starting with a letter (got "a")`,
    ],
    [
      "the project has 21 characters",
      { project: letters(21) },
      `project: expected 2-20 lowercase letters, digits or '-', starting with a letter (got "${letters(21)}")`,
    ],
    [
      "the environment starts with a digit",
      { environment: "1prod" },
      `environment: expected 2-20 lowercase letters, digits or '-', starting with a letter (got "1prod")`,
    ],
    [
      "the environment ends with '-'",
      { environment: "prod-" },
      `environment: expected 2-20 lowercase letters, digits or '-', starting with a letter (got "prod-")`,
    ],
    [
      "a DNS label has 64 characters",
      { alb_certificate_domain: `${letters(64)}.com` },
      `alb_certificate_domain: expected a lowercase DNS name such as api.example.com (no wildcard: it is also the host API Gateway calls) (got "${letters(56)}...)`,
    ],
    [
      "the domain has 254 characters",
      { ingest_api_domain: `${letters(63)}.${letters(63)}.${letters(63)}.${letters(62)}` },
      `ingest_api_domain: expected a lowercase DNS name such as api.example.com (no wildcard: it is also the host API Gateway calls) (got "${letters(56)}...)`,
    ],
    [
      "the top-level domain has 1 letter",
      { alb_certificate_domain: "example.c" },
      `alb_certificate_domain: expected a lowercase DNS name such as api.example.com (no wildcard: it is also the host API Gateway calls) (got "example.c")`,
    ],
    [
      "a DNS label ends with '-'",
      { alb_certificate_domain: "a-.example.com" },
      `alb_certificate_domain: expected a lowercase DNS name such as api.example.com (no wildcard: it is also the host API Gateway calls) (got "a-.example.com")`,
    ],
    [
      "the VPC id has 9 hex digits",
      { vpc_id: "vpc-0123abcde" },
      `vpc_id: expected a VPC id such as vpc-0123456789abcdef0 (got "vpc-0123abcde")`,
    ],
    [
      "a subnet id has capitals",
      { load_balancer_subnet_ids: ["subnet-0123abcd", "subnet-0123ABCD"] },
      `load_balancer_subnet_ids.1: expected a subnet id such as subnet-0123456789abcdef0 (got "subnet-0123ABCD")`,
    ],
    [
      "the image tag has 129 characters",
      { "services.processor.image_tag": `_${letters(128)}` },
      `services.processor.image_tag: expected a Docker image tag (letters, digits, '_', '.', '-'; max 128) (got "_${letters(55)}...)`,
    ],
    [
      "the image tag starts with '.'",
      { "services.processor.image_tag": ".1" },
      `services.processor.image_tag: expected a Docker image tag (letters, digits, '_', '.', '-'; max 128) (got ".1")`,
    ],
    [
      "the region number has two digits",
      { region: "eu-west-12" },
      `region: expected an AWS region such as eu-west-1 (got "eu-west-12")`,
    ],
    [
      "an ARN's account has 11 digits",
      { waf_web_acl_arn: "arn:aws:wafv2:eu-west-1:12345678901:regional/webacl/a/b" },
      `waf_web_acl_arn: expected an ARN (got "arn:aws:wafv2:eu-west-1:12345678901:regional/webacl/a/b")`,
    ],
    [
      "an ARN has no resource",
      { alarm_topic_arn: "arn:aws:sns:eu-west-1:123456789012:" },
      `alarm_topic_arn: expected an ARN (got "arn:aws:sns:eu-west-1:123456789012:")`,
    ],
    [
      "a multi-Region key id has 31 hex digits",
      { log_kms_key_arn: `arn:aws:kms:eu-west-1:123456789012:key/mrk-${HEX32.slice(1)}` },
      `log_kms_key_arn: expected a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>; not an alias) (got "arn:aws:kms:eu-west-1:123456789012:key/mrk-123456789abcd...)`,
    ],
    [
      "log retention is 0",
      { log_retention_days: 0 },
      "log_retention_days: expected a CloudWatch Logs retention value (1, 3, 5, 7, 14, 30, 60, 90, ..., 365, ..., 3653) (got 0)",
    ],
    [
      "the rate limit is above 10,000",
      { throttle_rate_limit: 10_001, throttle_burst_limit: 5_000 },
      "throttle_rate_limit: Too big: expected number to be <=10000 (got 10001)",
    ],
    [
      "the burst limit is above 5,000",
      { throttle_burst_limit: 5_001 },
      "throttle_burst_limit: Too big: expected number to be <=5000 (got 5001)",
    ],
    ["the daily quota is 0", { quota_per_day: 0 }, "quota_per_day: Too small: expected number to be >0 (got 0)"],
    [
      "memory is one step above cpu 512's range",
      { "services.api.cpu": 512, "services.api.memory": 5120 },
      "services.api.memory: expected 1024-4096 MiB in steps of 1024 for cpu 512 (got 5120)",
    ],
    [
      "memory is below cpu 1024's range",
      { "services.api.cpu": 1024, "services.api.memory": 1024 },
      "services.api.memory: expected 2048-8192 MiB in steps of 1024 for cpu 1024 (got 1024)",
    ],
    [
      "memory is off cpu 4096's step",
      { "services.processor.cpu": 4096, "services.processor.memory": 8704 },
      "services.processor.memory: expected 8192-30720 MiB in steps of 1024 for cpu 4096 (got 8704)",
    ],
    [
      "memory is one step above cpu 256's range",
      { "services.processor.memory": 2560 },
      "services.processor.memory: expected 512-2048 MiB in steps of 512 for cpu 256 (got 2560)",
    ],
    [
      "cpu is 128",
      { "services.processor.cpu": 128 },
      "services.processor.cpu: expected a Fargate CPU value: 256, 512, 1024, 2048, 4096 (got 128)",
    ],
    [
      "processor desired count is one below min",
      { "services.processor.min_count": 2, "services.processor.desired_count": 1 },
      "services.processor.desired_count: must be between services.processor.min_count and max_count (2-10) (got 1)",
    ],
    [
      "processor min is one above max",
      { "services.processor.min_count": 4, "services.processor.max_count": 3, "services.processor.desired_count": 3 },
      "services.processor.min_count: must not exceed services.processor.max_count (3) (got 4)",
    ],
    [
      "api desired count is one above max",
      { "services.api.desired_count": 11 },
      "services.api.desired_count: must be between services.api.min_count and max_count (2-10) (got 11)",
    ],
    [
      "poll concurrency is 33",
      { "services.processor.poll_concurrency": 33 },
      "services.processor.poll_concurrency: Too big: expected number to be <=32 (got 33)",
    ],
    [
      "the batch is 4 s",
      { "services.processor.max_batch_seconds": 4 },
      "services.processor.max_batch_seconds: Too small: expected number to be >=5 (got 4)",
    ],
    [
      "max_receive_count is 1001",
      { max_receive_count: 1001 },
      "max_receive_count: Too big: expected number to be <=1000 (got 1001)",
    ],
    [
      "the queue keeps messages 59 s",
      { message_retention_seconds: 59 },
      "message_retention_seconds: Too small: expected number to be >=60 (got 59)",
    ],
    [
      "21 email subscriptions",
      { "alarms.email_subscriptions": Array.from({ length: 21 }, (_, i) => `a${i}@b.co`) },
      `alarms.email_subscriptions: Too big: expected array to have <=20 items (got ["a0@b.co","a1@b.co","a2@b.co","a3@b.co","a4@b.co","a5@b....)`,
    ],
    [
      "an email address has a space",
      { "alarms.email_subscriptions": ["on call@example.com"] },
      `alarms.email_subscriptions.0: expected an email address (got "on call@example.com")`,
    ],
    [
      "an email address has no dot after the @",
      { "alarms.email_subscriptions": ["oncall@example"] },
      `alarms.email_subscriptions.0: expected an email address (got "oncall@example")`,
    ],
    [
      "a tag key has 129 characters",
      { tags: { [letters(129)]: "x" } },
      `tags.${letters(129)}: tag keys are 1-128 characters, this one has 129 (got "x")`,
    ],
    ["a tag key is empty", { tags: { "": "x" } }, `tags.: tag keys are 1-128 characters, this one has 0 (got "x")`],
    [
      "a tag key starts with AWS: in capitals",
      { tags: { "AWS:owner": "x" } },
      `tags.AWS:owner: tag keys starting with 'aws:' are reserved for AWS (got "x")`,
    ],
    [
      "a tag value has 257 characters",
      { tags: { team: letters(257) } },
      `tags.team: Too big: expected string to have <=256 characters (got "${letters(56)}...)`,
    ],
    [
      "the S3 key prefix has 201 characters",
      { state_backend: { type: "s3", bucket: "state-bucket", key_prefix: letters(201) } },
      `state_backend.key_prefix: expected an S3 key prefix (got "${letters(56)}...)`,
    ],
    [
      "the S3 state bucket has capitals",
      { state_backend: { type: "s3", bucket: "State" } },
      `state_backend.bucket: expected an S3 bucket name (got "State")`,
    ],
    [
      "the TTL attribute starts with a digit",
      { table_ttl_attribute: "1ttl" },
      `table_ttl_attribute: Invalid string: must match pattern /^[A-Za-z_][A-Za-z0-9_]{0,254}$/ (got "1ttl")`,
    ],
    [
      "the TTL attribute is one of the item's own attributes",
      { table_ttl_attribute: "payload" },
      `table_ttl_attribute: must not be one of the item's own attributes (requestId, status, payload, result, receivedAt, processedAt) (got "payload")`,
    ],
    [
      "the processor has no on-demand task",
      { processor_on_demand_base: 0 },
      "processor_on_demand_base: Too small: expected number to be >=1 (got 0)",
    ],
    [
      "the api's sample rate is above 1",
      { api_request_log_sample_rate: 1.5 },
      "api_request_log_sample_rate: Too big: expected number to be <=1 (got 1.5)",
    ],
    [
      "results are kept for 0 days",
      { result_retention_days: 0 },
      "result_retention_days: Too small: expected number to be >=1 (got 0)",
    ],
    [
      "results expire but no TTL attribute is named",
      { table_ttl_attribute: null },
      `table_ttl_attribute: is null, but result_retention_days is 7: name the attribute DynamoDB TTL deletes by (e.g. "expiresAt"), or set result_retention_days to null to keep results forever (got null)`,
    ],
    [
      "the ALB access log bucket uses a reserved prefix",
      { alb_access_logs_bucket: "xn--logs" },
      `alb_access_logs_bucket: uses a prefix or suffix S3 reserves (got "xn--logs")`,
    ],
    ["ECR keeps 0 images", { ecr_keep_images: 0 }, "ecr_keep_images: Too small: expected number to be >=1 (got 0)"],
  ];
  test.each(failing)("config: fails when %s", (_name, changes, message) => {
    expect(problemsOf(() => parseWith(changes))).toEqual([message]);
  });

  test("config: a file that is not an object says so at the root", () => {
    expect(problemsOf(() => parseConfig(null))).toEqual(["(root): expected an object {...}, got null null"]);
    expect(problemsOf(() => parseConfig([]))).toEqual(["(root): expected an object {...}, got a list []"]);
  });

  test("config: a type error in one service still reports the other service's cross-field problems", () => {
    const input = structuredClone(exampleConfigInput()) as Record<string, any>;
    input.services.processor.image_tag = 5;
    input.services.api.memory = 8192;
    expect(problemsOf(() => parseConfig(input))).toEqual([
      "services.processor.image_tag: expected a string, got a number 5",
      "services.api.memory: expected 512-2048 MiB in steps of 512 for cpu 256 (got 8192)",
    ]);
  });

  test("config: the log key's region is checked against the config's region, naming both", () => {
    expect(
      problemsOf(() =>
        parseWith({
          region: "us-east-1",
          log_kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        }),
      ),
    ).toEqual([
      `log_kms_key_arn: must be a key in us-east-1 (the region of the log groups), not eu-west-1 (got "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34c...)`,
    ]);
  });

  test("config: the oldest-message alarm's message shows max_receive_count x 2 x max_batch_seconds", () => {
    expect(
      problemsOf(() =>
        parseWith({
          max_receive_count: 3,
          "services.processor.max_batch_seconds": 100,
          "alarms.queue_oldest_message_seconds": 600,
        }),
      ),
    ).toEqual([
      "alarms.queue_oldest_message_seconds: must exceed max_receive_count x the visibility timeout (600 s), or every poison message raises it (got 600)",
    ]);
  });
});

describe("config: private networking keys", () => {
  const GROUPS = ["sg-0123abcd", "sg-0123456789abcdef0", "sg-01234563", "sg-01234564", "sg-01234565"];
  // With endpoints and tracing on, the collector must come from ECR in the region (tested under "config: tracing").
  const existing = (ids: string[]) => ({
    vpc_endpoints: { mode: "existing", security_group_ids: ids },
    tracing: ECR_COLLECTOR_TRACING,
  });
  const badGroup = (id: string) =>
    `vpc_endpoints.security_group_ids.0: expected a security group id such as sg-0123456789abcdef0 (got "${id}")`;

  test("config: defaults are the original architecture (nlb, no migration step, no endpoints)", () => {
    const config = parseConfig(exampleConfigInput());
    expect([config.private_integration, config.keep_nlb_during_migration, config.vpc_endpoints]).toEqual([
      "nlb",
      false,
      null,
    ]);
  });

  test.each([
    ["the migration step to alb", { private_integration: "alb", keep_nlb_during_migration: true }],
    ["endpoints the stack creates", { vpc_endpoints: { mode: "create" }, tracing: ECR_COLLECTOR_TRACING }],
    ["existing endpoints in 1 group of 8 hex digits", existing(["sg-0123abcd"])],
    ["existing endpoints in 5 groups (the most), of 8 and 17 hex digits", existing(GROUPS)],
  ])("config: accepts %s", (_name, changes) => {
    expect(() => parseWith(changes)).not.toThrow();
  });

  test.each([
    [
      "private_integration is neither nlb nor alb",
      { private_integration: "nlb2" },
      'private_integration: Invalid option: expected one of "nlb"|"alb" (got "nlb2")',
    ],
    [
      "keep_nlb_during_migration is set in nlb mode",
      { keep_nlb_during_migration: true },
      'keep_nlb_during_migration: only for the migration step to private_integration "alb" (docs/PRIVATE-NETWORKING.md); with "nlb" the NLB is the path anyway (got true)',
    ],
    [
      // the mode's own problem only: the migration rule cannot tell which mode was meant
      "keep_nlb_during_migration is set and private_integration is invalid",
      { private_integration: "nlb2", keep_nlb_during_migration: true },
      'private_integration: Invalid option: expected one of "nlb"|"alb" (got "nlb2")',
    ],
    [
      "vpc_endpoints has an unknown mode",
      { vpc_endpoints: { mode: "share" } },
      `vpc_endpoints.mode: Invalid discriminator value. Expected 'create' | 'existing' (got "share")`,
    ],
    [
      "existing endpoints come without security groups",
      existing([]),
      "vpc_endpoints.security_group_ids: expected the security group(s) of the VPC's existing interface endpoints (got [])",
    ],
    [
      "existing endpoints come in 6 security groups",
      existing([...GROUPS, "sg-01234566"]),
      'vpc_endpoints.security_group_ids: Too big: expected array to have <=5 items (got ["sg-0123abcd","sg-0123456789abcdef0","sg-01234563","sg-0...)',
    ],
    [
      "an existing endpoint security group is listed twice",
      existing(["sg-0123abcd", "sg-0123abcd"]),
      'vpc_endpoints.security_group_ids: expected distinct security group ids (got ["sg-0123abcd","sg-0123abcd"])',
    ],
    ["an existing endpoint security group is not an id", existing(["endpoints"]), badGroup("endpoints")],
    ["a security group id has a prefix", existing(["xsg-0123abcd"]), badGroup("xsg-0123abcd")],
    ["a security group id has a suffix", existing(["sg-0123abcdx"]), badGroup("sg-0123abcdx")],
    ["a security group id has 1 hex digit", existing(["sg-0"]), badGroup("sg-0")],
    [
      "vpc_endpoints create has extra keys",
      { vpc_endpoints: { mode: "create", security_group_ids: ["sg-0123abcd"] }, tracing: ECR_COLLECTOR_TRACING },
      'vpc_endpoints.security_group_ids: only valid with mode "existing" (mode is "create")',
    ],
    [
      "an existing-endpoints key is misspelled",
      {
        vpc_endpoints: { mode: "existing", security_group_ids: ["sg-0123abcd"], security_group_id: ["sg-0123abcd"] },
        tracing: ECR_COLLECTOR_TRACING,
      },
      "vpc_endpoints.security_group_id: unknown key (did you mean security_group_ids?)",
    ],
    [
      "an S3 backend key is misspelled",
      { state_backend: { type: "s3", bucket: "my-state", use_lockfil: true } },
      "state_backend.use_lockfil: unknown key (did you mean use_lockfile?)",
    ],
    [
      "an alarm key is misspelled",
      { alarms: { api_5xx_percnt: 2 } },
      "alarms.api_5xx_percnt: unknown key (did you mean api_5xx_percent?)",
    ],
    [
      "an unknown key resembles no known one",
      { alarms: { colour: "red" } },
      "alarms.colour: unknown key (check the spelling)",
    ],
    [
      "a local state backend has an S3 key",
      { state_backend: { type: "local", bucket: "my-state" } },
      'state_backend.bucket: only valid with type "s3" (type is "local")',
    ],
  ])("config: fails when %s", (_name, changes, message) => {
    expect(problemsOf(() => parseWith(changes))).toEqual([message]);
  });
});

describe("config: cross-field rules skip what they cannot check (a key that is missing or invalid)", () => {
  const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
  test.each([
    ["no fields at all", {}],
    ["naming without region", { project: "internal", environment: letters(30) }],
    ["naming without environment", { project: "internal", region: "eu-west-1" }],
    ["naming without project", { environment: letters(30), region: "eu-west-1" }],
    ["the log key without region", { log_kms_key_arn: KEY }],
    ["an existing alarm topic without alarms", { alarm_topic_arn: "arn:aws:sns:eu-west-1:123456789012:alerts" }],
  ])("config: %s -> no cross-field problem", (_name, fields) => {
    expect(crossFieldIssues(fields as ValidFields)).toEqual([]);
  });

  test("config: the oldest-message alarm rule needs max_receive_count, the processor and the alarms", () => {
    // GIVEN the example's valid fields with a threshold every poison message would raise
    const base = validFields(exampleConfigInput());
    const low = { ...base, alarms: { ...base.alarms!, queue_oldest_message_seconds: 60 } };
    expect(crossFieldIssues(low)).toHaveLength(1);
    // WHEN one of the keys it needs is invalid THEN it is skipped
    expect(crossFieldIssues({ ...low, max_receive_count: undefined })).toEqual([]);
    expect(crossFieldIssues({ ...low, services: { api: base.services!.api } })).toEqual([]);
    expect(crossFieldIssues({ ...base, alarms: undefined })).toEqual([]);
  });

  test("config: validFields keeps each valid field and each valid service, whatever else is wrong", () => {
    expect(validFields(null)).toEqual(expect.objectContaining({ project: undefined, services: {} }));
    expect(validFields("text")).toEqual(expect.objectContaining({ project: undefined, services: {} }));
    const input = structuredClone(exampleConfigInput()) as Record<string, any>;
    input.region = 3;
    input.services.processor.image_tag = 5;
    const valid = validFields(input);
    expect(valid.project).toBe("orders");
    expect(valid.region).toBeUndefined();
    expect(Object.keys(valid.services!)).toEqual(["api"]);
  });

  test("config: a file without services says so once", () => {
    expect(problemsOf(() => parseWith({ services: undefined }))).toEqual([
      "services: is required (expected an object {...})",
    ]);
  });

  test("config: rule problems are zod 'custom' issues, like the field rules' own", () => {
    const result = configSchema.safeParse({
      ...exampleConfigInput(),
      alb_access_logs_bucket: "xn--logs",
      tags: { "aws:x": "y", "": "z" },
      keep_nlb_during_migration: true,
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => [i.path.join("."), i.code])).toEqual([
      ["alb_access_logs_bucket", "custom"],
      ["tags.aws:x", "custom"],
      ["tags.", "custom"],
      ["keep_nlb_during_migration", "custom"],
    ]);
  });

  test.each([
    [
      "a domain with a trailing character",
      { alb_certificate_domain: "api.example.com!" },
      /^alb_certificate_domain: expected a lowercase DNS name/,
    ],
    [
      "a subnet id with a prefix",
      { load_balancer_subnet_ids: ["subnet-0123abcd", "xsubnet-0123abcd"] },
      /^load_balancer_subnet_ids\.1: expected a subnet id/,
    ],
    [
      "a subnet id with a suffix",
      { load_balancer_subnet_ids: ["subnet-0123abcd", "subnet-0123abcdx"] },
      /^load_balancer_subnet_ids\.1: expected a subnet id/,
    ],
    ["a VPC id with a prefix", { vpc_id: "xvpc-0123abcd" }, /^vpc_id: expected a VPC id/],
    ["a region with a prefix", { region: "Xeu-west-1" }, /^region: expected an AWS region/],
    [
      "an ARN with a prefix",
      { waf_web_acl_arn: "xarn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b" },
      /^waf_web_acl_arn: expected an ARN/,
    ],
    [
      "an ARN with a trailing newline",
      { waf_web_acl_arn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/a/b\n" },
      /^waf_web_acl_arn: expected an ARN/,
    ],
    [
      "a KMS key ARN with a prefix",
      { log_kms_key_arn: "xarn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      /^log_kms_key_arn: expected a KMS key ARN/,
    ],
    [
      "a KMS key ARN with a suffix",
      { log_kms_key_arn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890abx" },
      /^log_kms_key_arn: expected a KMS key ARN/,
    ],
    [
      "a KMS key in a two-digit region (a valid key, but not in the config's region)",
      { log_kms_key_arn: "arn:aws:kms:eu-west-10:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" },
      /^log_kms_key_arn: must be a key in eu-west-1 \(the region of the log groups\), not eu-west-10/,
    ],
    [
      "a KMS key in another partition and a three-part region (valid, but not the config's region)",
      { log_kms_key_arn: `arn:aws-cn:kms:cn-north-west-1:123456789012:key/mrk-${HEX32}` },
      /^log_kms_key_arn: must be a key in eu-west-1 .*not cn-north-west-1/,
    ],
    [
      "the S3 state bucket has an '_'",
      { state_backend: { type: "s3", bucket: "state_bucket" } },
      /^state_backend\.bucket: expected an S3 bucket name/,
    ],
    [
      "an email address with a trailing word",
      { "alarms.email_subscriptions": ["oncall@example.com extra"] },
      /^alarms\.email_subscriptions\.0: expected an email address/,
    ],
    [
      "ECR keeps 1001 deployed images",
      { ecr_keep_deployed_images: 1001 },
      /^ecr_keep_deployed_images: Too big: expected number to be <=1000/,
    ],
    [
      "a DynamoDB alarm threshold is negative",
      { "alarms.dynamodb_system_errors": -1 },
      /^alarms\.dynamodb_system_errors: Too small: expected number to be >=0/,
    ],
  ])("config: fails when %s", (_name, changes, expected) => {
    const problems = problemsOf(() => parseWith(changes));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
  });

  test("config: accepts positive DynamoDB alarm thresholds and 1 deployed image kept", () => {
    expect(() =>
      parseWith({
        ecr_keep_deployed_images: 1,
        "alarms.dynamodb_throttled_requests": 5,
        "alarms.dynamodb_system_errors": 5,
      }),
    ).not.toThrow();
  });
});

describe("config: cost keys", () => {
  test("config: left out, the cost keys default to x86_64, STANDARD logs, eventual_first reads and an expiresAt TTL", () => {
    const config = parseWith({
      cpu_architecture: undefined,
      log_group_class: undefined,
      query_read_consistency: undefined,
      table_ttl_attribute: undefined,
      processor_spot_weight: undefined,
    });
    expect(config).toMatchObject({
      cpu_architecture: "x86_64",
      log_group_class: "STANDARD",
      query_read_consistency: "eventual_first",
      table_ttl_attribute: "expiresAt",
      processor_spot_weight: 0,
    });
  });

  test("config: the cost keys accept their alternatives and limits", () => {
    expect(
      parseWith({
        cpu_architecture: "arm64",
        log_group_class: "INFREQUENT_ACCESS",
        query_read_consistency: "strong",
        processor_spot_weight: 1000,
      }),
    ).toMatchObject({
      cpu_architecture: "arm64",
      log_group_class: "INFREQUENT_ACCESS",
      query_read_consistency: "strong",
    });
    expect(problemsOf(() => parseWith({ processor_spot_weight: 1001 }))[0]).toMatch(/^processor_spot_weight: /);
  });
});

describe("config: tracing", () => {
  const IMAGE =
    "expected an image reference such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:v0.45.0";
  const digest = "a".repeat(64);

  test("tracing: absent = 5% of undecided traces through the pinned ADOT collector from ECR Public", () => {
    expect(parseWith({ tracing: undefined }).tracing).toEqual({
      sample_rate: 0.05,
      collector_image: "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0",
    });
    expect(parseWith({ tracing: {} }).tracing.collector_image).toBe(
      "public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0",
    );
  });

  test("tracing: every sample rate from 0 to 1 and every image reference form is valid", () => {
    for (const rate of [0, 0.5, 1])
      expect(parseWith({ tracing: { sample_rate: rate } }).tracing.sample_rate).toBe(rate);
    for (const image of [
      "a/b",
      "registry.example.com:5000/team/aws-otel-collector",
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:${"t".repeat(128)}`,
      `public.ecr.aws/aws-observability/aws-otel-collector@sha256:${digest}`,
      `public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0@sha256:${digest}`,
    ])
      expect(parseWith({ tracing: { collector_image: image } }).tracing.collector_image, image).toBe(image);
  });

  test.each([
    [{ sample_rate: -0.01 }, "tracing.sample_rate: Too small: expected number to be >=0 (got -0.01)"],
    [{ sample_rate: 1.01 }, "tracing.sample_rate: Too big: expected number to be <=1 (got 1.01)"],
    [{ collector_image: "aws-otel-collector" }, `tracing.collector_image: ${IMAGE} (got "aws-otel-collector")`],
    [{ collector_image: " a/b" }, `tracing.collector_image: ${IMAGE} (got " a/b")`],
    [{ collector_image: "a/b " }, `tracing.collector_image: ${IMAGE} (got "a/b ")`],
    [{ collector_image: "a:port/b" }, `tracing.collector_image: ${IMAGE} (got "a:port/b")`],
    [{ collector_image: "A/b" }, `tracing.collector_image: ${IMAGE} (got "A/b")`],
    [{ collector_image: "a/B" }, `tracing.collector_image: ${IMAGE} (got "a/B")`],
    [{ collector_image: "a/b:" }, `tracing.collector_image: ${IMAGE} (got "a/b:")`],
    [{ collector_image: "a/b:t!" }, `tracing.collector_image: ${IMAGE} (got "a/b:t!")`],
    [{ collector_image: `a/b:${"t".repeat(129)}` }, `tracing.collector_image: ${IMAGE} (got "a/b:ttt`],
    [{ collector_image: "a/b@sha256:abc" }, `tracing.collector_image: ${IMAGE} (got "a/b@sha256:abc")`],
    [{ collector_image: `a/b@sha256:${digest}x` }, `tracing.collector_image: ${IMAGE} (got "a/b@sha256:aaa`],
    [{ sample_rate: 0.1, collector: "x" }, "tracing.collector: unknown key"],
  ])("tracing: %j fails, naming the key", (tracing, message) => {
    expect(problemsOf(() => parseWith({ tracing }))).toEqual([expect.stringContaining(message)]);
  });

  test("tracing: with vpc_endpoints, a collector image outside ECR in the region is an error naming the key and the fixes", () => {
    const withEndpoints = (tracing: Record<string, unknown>) => ({ vpc_endpoints: { mode: "create" }, tracing });
    expect(problemsOf(() => parseWith(withEndpoints({})))).toEqual([
      "tracing.collector_image: public.ecr.aws/aws-observability/aws-otel-collector:v0.45.0 is not in ECR in eu-west-1, and with vpc_endpoints the tasks have no internet to pull it: a failed image pull stops the whole task, so no task would start. Point it at an ECR pull-through cache of ECR Public or a copy in ECR in eu-west-1 (docs/OPERATIONS.md#traces), or set tracing.sample_rate to 0 (got nothing)",
    ]);
    const cached =
      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:v0.45.0";
    expect(parseWith(withEndpoints({ collector_image: cached })).tracing.collector_image).toBe(cached);
    expect(
      parseWith(withEndpoints({ collector_image: cached.replace(".com/", ".com.cn/") })).vpc_endpoints,
    ).toBeTruthy();
    const elsewhere = cached.replace("eu-west-1", "us-east-1");
    expect(problemsOf(() => parseWith(withEndpoints({ collector_image: elsewhere })))).toEqual([
      expect.stringMatching(
        /^tracing\.collector_image: 123456789012\.dkr\.ecr\.us-east-1\..* is not in ECR in eu-west-1/,
      ),
    ]);
    expect(problemsOf(() => parseWith(withEndpoints({ collector_image: `x${cached}` })))).toHaveLength(1);
    expect(problemsOf(() => parseWith(withEndpoints({ collector_image: `a/${cached}` })))).toHaveLength(1);
    expect(parseWith(withEndpoints({ sample_rate: 0 })).tracing.sample_rate).toBe(0);
    // Through NAT the default image is pulled from ECR Public.
    expect(parseWith({}).tracing.collector_image).toMatch(/^public\.ecr\.aws\//);
  });

  test("tracing: the collector image rule reports on the keys it can check when another key is invalid", () => {
    const issues = crossFieldIssues(
      validFields({ ...exampleConfigInput(), vpc_endpoints: { mode: "create" }, tracing: { sample_rate: 2 } }),
    );
    expect(issues.filter((issue) => issue.path[0] === "tracing")).toEqual([]);
    const badRegion = crossFieldIssues(
      validFields({ ...exampleConfigInput(), vpc_endpoints: { mode: "create" }, region: "nowhere" }),
    );
    expect(badRegion.filter((issue) => issue.path[0] === "tracing")).toEqual([]);
  });
});
