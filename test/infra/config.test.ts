import { describe, expect, test } from "vitest";
import { ConfigError, parseConfig } from "../../config/load.js";
import { exampleConfigInput } from "../support/example-config.js";

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
      manage_apigateway_account: true,
      log_retention_days: 365,
      max_receive_count: 5,
      deletion_protection: true,
      state_backend: { type: "local" },
      services: {
        api: { cpu: 256, memory: 512, desired_count: 2, min_count: 2, max_count: 10, target_requests_per_minute_per_task: 6_000, target_cpu_percent: 60 },
        processor: { min_count: 1, max_count: 10, max_batch_seconds: 30, acceptable_backlog_seconds: 30, messages_per_second_per_task: 100 },
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
    ["a required key is missing", { "vpc_id": undefined }, /^vpc_id: is required/],
    ["a key is unknown (typo)", { "log_retention": 30 }, /^log_retention: unknown key/],
    ["a nested key is unknown", { "services.api.cpus": 256 }, /^services\.api\.cpus: unknown key/],
    ["a value has the wrong type", { "max_receive_count": "5" }, /^max_receive_count: .*expected number.*\(got "5"\)/],
    ["the VPC id is malformed", { "vpc_id": "vpc-12" }, /^vpc_id: expected a VPC id/],
    ["the project name has capitals", { "project": "Orders" }, /^project: expected 2-20 lowercase/],
    ["the region is malformed", { "region": "europe" }, /^region: expected an AWS region/],
    ["a certificate domain is malformed", { "alb_certificate_domain": "not a domain" }, /^alb_certificate_domain: expected a lowercase DNS name/],
    ["the ALB certificate domain is a wildcard (it is also the host API Gateway calls)", { alb_certificate_domain: "*.example.com" }, /^alb_certificate_domain: expected a lowercase DNS name/],
    ["project-environment is too long for load balancer names", { project: "orders-processing-x", environment: "production-eu" }, /^environment: "orders-processing-x-production-eu" \(project-environment\) makes the load balancer name "orders-processing-x-production-eu-alb" \(37 characters\), but Elastic Load Balancing names are at most 32 characters/],
    ["a custom API domain is malformed", { "query_api_domain": "https://x.example.com" }, /^query_api_domain: expected a lowercase DNS name/],
    ["an image tag is malformed", { "services.api.image_tag": "-bad tag" }, /^services\.api\.image_tag: expected a Docker image tag/],
    ["CPU is not a Fargate size", { "services.api.cpu": 300 }, /^services\.api\.cpu: expected a Fargate CPU value/],
    ["memory does not fit the CPU", { "services.processor.memory": 8192 }, /^services\.processor\.memory: expected 512-2048 MiB/],
    ["autoscaling min > max", { "services.processor.min_count": 3, "services.processor.max_count": 2, "services.processor.desired_count": 2 }, /^services\.processor\.min_count: must not exceed services\.processor\.max_count/],
    ["desired count is outside the autoscaling bounds", { "services.processor.desired_count": 11 }, /^services\.processor\.desired_count: must be between/],
    ["burst limit is below the rate limit", { "throttle_burst_limit": 50 }, /^throttle_burst_limit: must be at least throttle_rate_limit/],
    ["log retention is not a CloudWatch value", { "log_retention_days": 10 }, /^log_retention_days: expected a CloudWatch Logs retention value/],
    ["maxReceiveCount is zero", { "max_receive_count": 0 }, /^max_receive_count: .*>=1/],
    ["the processor may scale to zero (a backlog under the scale-out depth would never be received)", { "services.processor.min_count": 0, "services.processor.desired_count": 1 }, /^services\.processor\.min_count: .*>=1/],
    ["queue retention leaves dead letters too little time in the 14-day DLQ", { "message_retention_seconds": 1_209_600 }, /^message_retention_seconds: .*<=864000/],
    ["the batch time makes the visibility timeout exceed 12 h", { "services.processor.max_batch_seconds": 30_000 }, /^services\.processor\.max_batch_seconds: .*<=21600/],
    ["the state backend type is unknown", { "state_backend": { type: "gcs" } }, /^state_backend\.type: /],
    ["the S3 backend has no bucket", { "state_backend": { type: "s3" } }, /^state_backend\.bucket: is required/],
    ["a KMS key is not an ARN", { "log_kms_key_arn": "alias/logs" }, /^log_kms_key_arn: expected a KMS key ARN/],
    ["the log key is a KMS alias ARN (CloudWatch Logs takes key ARNs only)", { "log_kms_key_arn": "arn:aws:kms:eu-west-1:123456789012:alias/logs" }, /^log_kms_key_arn: expected a KMS key ARN/],
    ["the log key is another service's ARN", { "log_kms_key_arn": "arn:aws:sns:eu-west-1:123456789012:topic" }, /^log_kms_key_arn: expected a KMS key ARN/],
    ["the log key is in another region than the log groups", { "log_kms_key_arn": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }, /^log_kms_key_arn: must be a key in eu-west-1/],
    ["a tag value is not a string", { "tags": { team: 1 } }, /^tags\.team: .*expected string/],
    ["a tag key uses the aws: prefix AWS reserves", { "tags": { "aws:owner": "x" } }, /^tags\.aws:owner: .*reserved for AWS/],
    ["the project makes load balancer names begin with 'internal-'", { project: "internal" }, /^project: "internal-prod" \(project-environment\) makes the load balancer name "internal-prod-alb" \(17 characters\), but Elastic Load Balancing names must not begin with 'internal-'/],
    ["the project makes security group names begin with 'sg-'", { project: "sg" }, /^project: "sg-prod" \(project-environment\) makes the security group name "sg-prod-alb" .*must not begin with 'sg-'/],
    ["the project has '--', which ECR repository names refuse", { project: "my--orders" }, /^project: "my--orders-prod" \(project-environment\) makes the ECR repository name "my--orders-prod\/api"/],
    ["the environment has '--', which ECR repository names refuse", { environment: "pr--7" }, /^environment: "orders-pr--7" \(project-environment\) makes the ECR repository name/],
    ["the ALB access log bucket is not an S3 bucket name", { alb_access_logs_bucket: "Logs_Bucket" }, /^alb_access_logs_bucket: expected an S3 bucket name/],
    ["the ALB access log bucket has '..'", { alb_access_logs_bucket: "logs..bucket" }, /^alb_access_logs_bucket: expected an S3 bucket name \(no '\.\.'/],
    ["pinned load balancer subnets repeat", { load_balancer_subnet_ids: ["subnet-0123abcd", "subnet-0123abcd"] }, /^load_balancer_subnet_ids: expected distinct subnet ids/],
    ["one load balancer subnet is pinned", { load_balancer_subnet_ids: ["subnet-0123abcd"] }, /^load_balancer_subnet_ids: expected at least 2 subnets/],
    ["a pinned load balancer subnet is not a subnet id", { load_balancer_subnet_ids: ["subnet-0123abcd", "sn-1"] }, /^load_balancer_subnet_ids\.1: expected a subnet id/],
    ["api autoscaling min > max", { "services.api.min_count": 4, "services.api.max_count": 3, "services.api.desired_count": 3 }, /^services\.api\.min_count: must not exceed services\.api\.max_count/],
    ["the api desired count is outside its autoscaling bounds", { "services.api.desired_count": 1 }, /^services\.api\.desired_count: must be between services\.api\.min_count and max_count \(2-10\)/],
    ["the api may scale to zero (the query path would have no server)", { "services.api.min_count": 0 }, /^services\.api\.min_count: .*>=1/],
    ["the per-task throughput is not positive", { "services.processor.messages_per_second_per_task": 0 }, /^services\.processor\.messages_per_second_per_task: .*>0/],
    ["the old step-scaling key is still set", { "services.processor.scale_out_queue_depth": 100 }, /^services\.processor\.scale_out_queue_depth: unknown key/],
    ["an alarm email is not an address", { "alarms.email_subscriptions": ["oncall"] }, /^alarms\.email_subscriptions\.0: expected an email address/],
    ["email subscriptions are set with an existing alarm topic", { "alarm_topic_arn": "arn:aws:sns:eu-west-1:123456789012:alerts", "alarms.email_subscriptions": ["oncall@example.com"] }, /^alarms\.email_subscriptions: only for the topic this stack creates/],
    ["the oldest-message alarm would fire for every poison message", { "alarms.queue_oldest_message_seconds": 300 }, /^alarms\.queue_oldest_message_seconds: must exceed max_receive_count x the visibility timeout \(300 s\)/],
    ["an alarm threshold has the wrong type", { "alarms.api_5xx_percent": "1%" }, /^alarms\.api_5xx_percent: .*expected number/],
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
    input.throttle_burst_limit = 50; // below throttle_rate_limit (100)
    input.services.api.memory = 8192; // does not fit cpu 256
    const problems = problemsOf(() => parseConfig(input));
    expect(problems).toEqual([
      expect.stringMatching(/^deletion_protection: .*expected boolean/),
      expect.stringMatching(/^services\.api\.memory: expected 512-2048 MiB in steps of 512 for cpu 256/),
      expect.stringMatching(/^throttle_burst_limit: must be at least throttle_rate_limit \(100\)/),
    ]);
  });
});
