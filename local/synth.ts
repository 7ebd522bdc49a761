import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadDeployConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { buildStacks, createApp, STACK_IDS } from "../stacks/app.js";
import type { TfJson } from "../tfjson/index.js";

/**
 * Synthesizes the app in-process exactly as main.ts does (var file -> validated config -> buildStacks), so the local
 * run always interprets the current stack code, never a stale cdktf.out. Returns the parsed `main` stack.
 * The output goes to `outdir` (kept, for inspection) and never to ./cdktf.out, which belongs to `npm run synth`.
 */
export function synthesizeMainStack(options: {
  readonly tfvarsFile?: string;
  readonly config?: Config;
  readonly outdir: string;
}): TfJson {
  const config = options.config ?? loadDeployConfig(options.tfvarsFile ?? "terraform.tfvars.json");
  const outdir = resolve(options.outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  // createApp: cdktf's validations would shell out to `terraform version`; `npm run local` needs Node and Java only.
  const app = createApp(outdir);
  buildStacks(app, config);
  app.synth();
  return JSON.parse(readFileSync(join(outdir, "stacks", STACK_IDS.main, "cdk.tf.json"), "utf8")) as TfJson;
}
