import { readFileSync } from "node:fs";
import { parseConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { exampleConfig, exampleConfigInput } from "../support/synth.js";

/** `examples/all-options.tfvars.json`: every optional feature on. Features that add options extend it. */
export function allOptionsInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../examples/all-options.tfvars.json", import.meta.url), "utf8"));
}

const example = () => exampleConfigInput() as Record<string, any>;

/** The configurations every stack is run through the engine with. */
export const CONFIGS: Readonly<Record<string, () => Config>> = {
  example: () => exampleConfig(),
  "custom domains": () => exampleConfig({ ingest_api_domain: "ingest.example.com", query_api_domain: "query.example.com" }),
  "WAF web ACL": () => exampleConfig({ waf_web_acl_arn: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/orders/0b9c1b0e-2222-4a4a-9c9c-0123456789ab" }),
  "alarm topic": () => exampleConfig({ alarm_topic_arn: "arn:aws:sns:eu-west-1:123456789012:orders-alarms" }),
  minimums: () =>
    parseConfig({
      ...example(),
      project: "ab",
      environment: "cd",
      api_key_required: false,
      manage_apigateway_account: false,
      throttle_rate_limit: 1,
      throttle_burst_limit: 1,
      services: {
        api: { image_tag: "0", cpu: 256, memory: 512, desired_count: 0 },
        processor: { image_tag: "0", cpu: 256, memory: 512, desired_count: 1, min_count: 1, max_count: 1, poll_concurrency: 1, max_batch_seconds: 5, scale_out_queue_depth: 1 },
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
      throttle_rate_limit: 5_000,
      throttle_burst_limit: 5_000,
      quota_per_day: 1_000_000_000,
      services: {
        api: { image_tag: "a".repeat(128), cpu: 4096, memory: 30720, desired_count: 100 },
        processor: {
          image_tag: "b".repeat(128),
          cpu: 4096,
          memory: 30720,
          desired_count: 100,
          min_count: 100,
          max_count: 100,
          poll_concurrency: 32,
          max_batch_seconds: 21_600,
          scale_out_queue_depth: 100_000,
        },
      },
      log_retention_days: 3653,
      max_receive_count: 1000,
      message_retention_seconds: 864_000,
      ecr_keep_images: 1000,
    }),
  "all options": () => parseConfig(allOptionsInput(), "examples/all-options.tfvars.json"),
};
