import { readFileSync } from "node:fs";
import { parseConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { ECR_COLLECTOR_TRACING, exampleConfig, exampleConfigInput } from "../support/synth.js";

/** `examples/all-options.tfvars.json`: every optional feature on. Features that add options extend it. */
export function allOptionsInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../examples/all-options.tfvars.json", import.meta.url), "utf8"));
}

const example = () => exampleConfigInput() as Record<string, any>;

/** The configurations every stack is run through the engine with. */
export const CONFIGS: Readonly<Record<string, () => Config>> = {
  example: () => exampleConfig(),
  "custom domains": () =>
    exampleConfig({ ingest_api_domain: "ingest.example.com", query_api_domain: "query.example.com" }),
  "existing WAF web ACL": () =>
    exampleConfig({
      waf_web_acl: null,
      waf_web_acl_arn:
        "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/orders/0b9c1b0e-2222-4a4a-9c9c-0123456789ab",
    }),
  "alarm topic": () => exampleConfig({ alarm_topic_arn: "arn:aws:sns:eu-west-1:123456789012:orders-alarms" }),
  minimums: () =>
    parseConfig({
      ...example(),
      project: "ab",
      environment: "cd",
      api_key_required: false,
      clients: null,
      manage_apigateway_account: false,
      throttle_rate_limit: 1,
      throttle_burst_limit: 1,
      throttle_above_capacity_reason: "the smallest values each key accepts",
      services: {
        api: {
          image_tag: "0",
          cpu: 256,
          memory: 512,
          desired_count: 1,
          min_count: 1,
          max_count: 1,
          target_requests_per_minute_per_task: 10,
          target_cpu_percent: 10,
        },
        processor: {
          image_tag: "0",
          cpu: 256,
          memory: 512,
          desired_count: 1,
          min_count: 1,
          max_count: 1,
          poll_concurrency: 1,
          max_batch_seconds: 5,
          acceptable_backlog_seconds: 5,
          messages_per_second_per_task: 0.1,
        },
      },
      alarms: {
        queue_oldest_message_seconds: 60,
        processor_stalled_minutes: 2,
        api_5xx_percent: 0.1,
        ingest_p99_latency_ms: 50,
        query_p99_latency_ms: 50,
        alb_target_5xx_percent: 0.1,
        alb_unhealthy_hosts: 0,
        tasks_below_desired_minutes: 2,
        dynamodb_throttled_requests: 0,
        dynamodb_system_errors: 0,
      },
      log_retention_days: 1,
      max_receive_count: 1,
      message_retention_seconds: 60,
      deletion_protection: false,
      ecr_keep_images: 1,
    }),
  maximums: () =>
    parseConfig({
      ...example(),
      project: "abcdefghijklmnopqrst",
      environment: "abcdefg",
      throttle_rate_limit: 10_000,
      throttle_burst_limit: 5_000,
      throttle_above_capacity_reason: "the largest values each key accepts",
      quota_per_day: 1_000_000_000,
      clients: null,
      services: {
        api: {
          image_tag: "a".repeat(128),
          cpu: 4096,
          memory: 30720,
          desired_count: 100,
          min_count: 100,
          max_count: 100,
          target_requests_per_minute_per_task: 1_000_000,
          target_cpu_percent: 90,
        },
        processor: {
          image_tag: "b".repeat(128),
          cpu: 4096,
          memory: 30720,
          desired_count: 100,
          min_count: 100,
          max_count: 100,
          poll_concurrency: 32,
          // Not the key's own maximum (21,600): with 1,000 receives, the oldest-message alarm's ceiling (14 days)
          // must stay above the time a poison message spends in the queue.
          max_batch_seconds: 600,
          acceptable_backlog_seconds: 3_600,
          messages_per_second_per_task: 10_000,
        },
      },
      alarms: {
        email_subscriptions: Array.from({ length: 20 }, (_, i) => `oncall-${i}@example.com`),
        queue_oldest_message_seconds: 1_209_600,
        processor_stalled_minutes: 60,
        api_5xx_percent: 100,
        ingest_p99_latency_ms: 29_000,
        query_p99_latency_ms: 29_000,
        alb_target_5xx_percent: 100,
        alb_unhealthy_hosts: 100,
        tasks_below_desired_minutes: 60,
        dynamodb_throttled_requests: 1_000_000,
        dynamodb_system_errors: 1_000_000,
      },
      log_retention_days: 3653,
      max_receive_count: 1000,
      message_retention_seconds: 864_000,
      ecr_keep_images: 1000,
    }),
  // Issue 13. The mirror's provider predates integration_target: the scratch copy strips it (and prints that).
  alb: () => exampleConfig({ private_integration: "alb" }),
  "alb migration step": () => exampleConfig({ private_integration: "alb", keep_nlb_during_migration: true }),
  "existing VPC endpoints": () =>
    exampleConfig({
      vpc_endpoints: { mode: "existing", security_group_ids: ["sg-0123456789abcdef0", "sg-0123456789abcdef1"] },
      tracing: ECR_COLLECTOR_TRACING,
    }),
  "alb with VPC endpoints": () =>
    exampleConfig({ private_integration: "alb", vpc_endpoints: { mode: "create" }, tracing: ECR_COLLECTOR_TRACING }),
  "all options": () => parseConfig(allOptionsInput(), "examples/all-options.tfvars.json"),
  // Authorization modes: the example is "iam" for both APIs with the account as principal, "all options" "iam" with
  // named principals; "cognito" is applied, as no other configuration has its authorizer.
  cognito: () =>
    exampleConfig({
      authorization: {
        ...example().authorization,
        ingest: "cognito",
        query: "cognito",
        cognito_user_pool_arns: [
          "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123",
          "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_GhIjKl456",
        ],
      },
    }),
  "api key only": () =>
    exampleConfig({
      authorization: {
        ...example().authorization,
        ingest: "api_key",
        query: "api_key",
        api_key_only_reason: "engine test of the key-only mode",
      },
    }),
  // Deployment strategies: the example is the api's default canary, "all options" an api linear and a processor
  // blue/green. The mirror's provider predates ECS-native strategies: the scratch copy strips
  // deployment_configuration and load_balancer.advanced_configuration.
  "api rolling": () => withDeployments({ strategy: "rolling", reason: "engine test" }),
  "api blue/green": () => withDeployments({ strategy: "blue_green", bake_minutes: 5 }),
};

/** The example with other `deployment` blocks for the api (and the processor). */
function withDeployments(api: Record<string, unknown>, processor?: Record<string, unknown>): Config {
  const services = example().services;
  return exampleConfig({
    services: {
      api: { ...services.api, deployment: api },
      processor: { ...services.processor, ...(processor ? { deployment: processor } : {}) },
    },
  });
}

/**
 * Configurations planned but not applied, each with the configurations whose applies cover its managed resource
 * types (a test checks the cover). An apply with its clean-up costs about three plans. What an apply adds over a plan
 * is Terraform evaluating references to computed values (ARNs, ids) once they are known, which depends on the managed
 * resource types and their wiring; these configurations differ from their covers in literals only (domains, ARNs,
 * ids, name lengths, counts), which a plan validates, and in data sources, which a plan reads.
 */
export const PLAN_ONLY: Readonly<Record<string, readonly string[]>> = {
  "custom domains": ["all options"],
  "existing WAF web ACL": ["all options"],
  "alarm topic": ["example"],
  minimums: ["example"],
  maximums: ["example", "all options"],
  alb: ["alb with VPC endpoints"],
  "alb migration step": ["example", "alb with VPC endpoints"],
  "existing VPC endpoints": ["all options"],
  "api key only": ["example"],
};
