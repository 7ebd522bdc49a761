import { readFileSync } from "node:fs";

/** The example var file (`terraform.tfvars.json`) as parsed JSON; no cdktf import, so config tests load fast. */
export function exampleConfigInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../terraform.tfvars.json", import.meta.url), "utf8"));
}

/**
 * Tracing through an ADOT collector in an ECR pull-through cache in the example's region: with `vpc_endpoints` (no
 * NAT) the tasks can pull nothing else, so a config with endpoints and tracing on needs it (config/tracing-fields.ts).
 */
export const ECR_COLLECTOR_TRACING = {
  sample_rate: 0.05,
  collector_image:
    "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:v0.45.0",
};

/** `examples/all-options.tfvars.json`: every optional feature on (custom domains, WAF, log key, email alarms...). */
export function allOptionsConfigInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../examples/all-options.tfvars.json", import.meta.url), "utf8"));
}
