import { describe, expect, test } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthApp } from "../support/synth.js";

/**
 * `terraform validate` on both synthesized stacks. It needs a `terraform` binary and the AWS provider (6.25.0),
 * which Terraform downloads from its registry: where either is missing (as on offline machines), the test skips
 * and says why, instead of passing without checking anything.
 */
function terraform(args: string[], cwd: string) {
  return spawnSync("terraform", args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, TF_IN_AUTOMATION: "1" },
    timeout: 120_000,
  });
}

describe("terraform validate", () => {
  const synth = synthApp();

  test.for(["ecr", "main"] as const)("terraform: the %s stack validates with the AWS provider", (stack, context) => {
    const dir = mkdtempSync(join(tmpdir(), `tf-validate-${stack}-`));
    try {
      writeFileSync(join(dir, "cdk.tf.json"), synth.files[stack]);
      const init = terraform(["init", "-backend=false", "-input=false", "-no-color"], dir);
      if (init.error || init.status !== 0) {
        const why = init.error
          ? "no terraform binary on PATH"
          : "terraform init could not get the AWS provider 6.25.0 (offline?)";
        console.warn(`SKIPPED terraform validate of ${stack}: ${why}`);
        context.skip();
      }
      const validate = terraform(["validate", "-no-color"], dir);
      expect(validate.stdout + validate.stderr).toContain("The configuration is valid");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
