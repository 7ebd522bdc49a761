/**
 * The var files `npm run check:cdktn` synthesizes (scripts/check-cdktn.ts), in their own module so that a unit test
 * can validate them against the config schema: a variant the schema rejects would only fail the weekly check.
 */

/** The var file as it ships; differences found with it are reported under the bare stack ids (`ecr`, `main`). */
export const DEFAULT_VARIANT = "example";

/**
 * The var files synthesized: the example as it ships, and the example with every optional feature on (S3 backend with
 * its lock file, both custom API domains, WAF, a log KMS key, an alarm topic, ALB access logs, TTL, a daily quota),
 * so that the code behind each option is compared too. Placeholder values: a synth calls no AWS API. Differences
 * found with a variant are reported under `<variant>/<stack>`.
 */
export function varFiles(example: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const region = String(example.region);
  const account = "123456789012";
  return {
    [DEFAULT_VARIANT]: example,
    "all-options": {
      ...example,
      state_backend: { type: "s3", bucket: "example-tfstate", key_prefix: "apigw-vpclink", region, use_lockfile: true },
      ingest_api_domain: "ingest.example.com",
      query_api_domain: "query.example.com",
      quota_per_day: 100_000,
      clients: null,
      log_kms_key_arn: `arn:aws:kms:${region}:${account}:key/00000000-0000-0000-0000-000000000000`,
      table_ttl_attribute: "expires_at",
      waf_web_acl: null,
      waf_web_acl_arn: `arn:aws:wafv2:${region}:${account}:regional/webacl/example/00000000-0000-0000-0000-000000000000`,
      alarm_topic_arn: `arn:aws:sns:${region}:${account}:alarms`,
      alb_access_logs_bucket: "example-alb-logs",
    },
  };
}
