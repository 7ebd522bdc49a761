import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Config } from "../../config/schema.js";
import type { TfJson } from "./tfjson.js";
import { parseConfig } from "../../config/load.js";
import { allOptionsConfigInput, exampleConfigInput } from "./example-config.js";

const exampleConfig = (changes: Record<string, unknown> = {}) => parseConfig({ ...exampleConfigInput(), ...changes });
const allOptionsConfig = () => parseConfig(allOptionsConfigInput(), "examples/all-options.tfvars.json");

/** Both stacks of one configuration, with the config: what the policy controls evaluate. */
export interface PolicyFixture {
  readonly ecr: TfJson;
  readonly main: TfJson;
  readonly config: Config;
}

export const EXTERNAL_TOPIC = "arn:aws:sns:eu-west-1:123456789012:alerts";
export const KEY_ONLY_REASON = "a partner that cannot sign requests yet";
export const USER_POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";

/** The configurations test/policy/controls.test.ts evaluates, as changes to the example var file. */
function fixtureChanges(): Record<string, Record<string, unknown>> {
  const processor = (exampleConfig().services as { processor: unknown }).processor;
  const authorization = exampleConfig().authorization;
  return {
    example: {},
    dev: { deletion_protection: false },
    external: { alarm_topic_arn: EXTERNAL_TOPIC },
    fixed: {
      services: {
        api: { image_tag: "0.1.0", desired_count: 3, min_count: 3, max_count: 3 },
        processor: { ...(processor as object) },
      },
    },
    shortLogs: { log_retention_days: 30 },
    // Both APIs take the key alone, without and with the reason the policy report asks for.
    keyOnly: { authorization: { ...authorization, ingest: "api_key", query: "api_key" } },
    keyOnlyRecorded: {
      authorization: { ...authorization, ingest: "api_key", query: "api_key", api_key_only_reason: KEY_ONLY_REASON },
    },
    cognito: {
      authorization: { ...authorization, ingest: "cognito", query: "cognito", cognito_user_pool_arns: [USER_POOL] },
    },
  };
}

/** Synthesizes every fixture (the example's variations and examples/all-options.tfvars.json as `full`). */
export async function synthesizePolicyFixtures(): Promise<Record<string, PolicyFixture>> {
  const { synthesizeToJson } = await import("../../stacks/synthesize.js");
  const fixtures: Record<string, PolicyFixture> = {};
  for (const [name, changes] of Object.entries(fixtureChanges())) {
    const config = exampleConfig(changes);
    fixtures[name] = { ...synthesizeToJson(config), config };
  }
  fixtures.full = { ...synthesizeToJson(allOptionsConfig()), config: allOptionsConfig() };
  return fixtures;
}

/**
 * The fixtures, synthesized once per run: `npm run mutation` writes them to POLICY_FIXTURES_FILE before its first
 * test run (test/mutation/policy-fixtures-setup.ts), so each mutant costs a check, not six synths. The controls
 * only read the JSON, and the synth code is not mutated there, so the cached JSON is what a fresh synth would give.
 */
export async function policyFixtures(): Promise<Record<string, PolicyFixture>> {
  const file = process.env.POLICY_FIXTURES_FILE;
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, "utf8"));
  return synthesizePolicyFixtures();
}

export async function writePolicyFixtures(file: string): Promise<void> {
  writeFileSync(file, JSON.stringify(await synthesizePolicyFixtures()));
}
