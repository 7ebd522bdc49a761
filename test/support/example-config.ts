import { readFileSync } from "node:fs";

/** The example var file (`terraform.tfvars.json`) as parsed JSON; no cdktf import, so config tests load fast. */
export function exampleConfigInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../terraform.tfvars.json", import.meta.url), "utf8"));
}

/** `examples/all-options.tfvars.json`: every optional feature on (custom domains, WAF, log key, email alarms...). */
export function allOptionsConfigInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../examples/all-options.tfvars.json", import.meta.url), "utf8"));
}
