import { App } from "cdktf";
import type { Config } from "../config/schema.js";
import { EcrStack } from "../ecr/ecr-stack.js";
import { MainStack } from "./main-stack.js";

/** Stack ids are a public contract: they name the state files and the `cdktf deploy <stack>` arguments. */
export const STACK_IDS = { ecr: "ecr", main: "main" } as const;

/**
 * The cdktf App for both entry points (npm run synth, in-process synths). `skipValidation`: cdktf's built-in
 * validations shell out to the local `terraform version` for `terraform_data`, so synth would fail on a machine
 * without Terraform and its result would depend on the machine. The synthesized JSON declares
 * `required_version`, which Terraform itself enforces at init; everything else is pinned by our tests.
 */
export function createApp(outdir?: string): App {
  return new App({ skipValidation: true, ...(outdir ? { outdir } : {}) });
}

/** Builds both stacks into `app`; `main` reads the repositories of `ecr`, which makes it depend on `ecr`. */
export function buildStacks(app: App, config: Config) {
  const ecr = new EcrStack(app, STACK_IDS.ecr, config);
  const main = new MainStack(app, STACK_IDS.main, { config, repositories: ecr.repositories });
  return { ecr, main };
}
