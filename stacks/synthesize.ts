import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Config } from "../config/schema.js";
import type { TfJson } from "../tfjson/index.js";
import { buildStacks, createApp } from "./app.js";

export interface SynthesizedStacks {
  readonly ecr: TfJson;
  readonly main: TfJson;
  readonly manifest: { stacks: Record<string, { dependencies: string[] }> };
  /** The raw file contents, for byte-level comparisons. */
  readonly files: { readonly ecr: string; readonly main: string };
  /** Where it was synthesized (already deleted). */
  readonly outdir: string;
}

/**
 * Synthesizes both stacks exactly as `npm run synth` does (full `app.synth()`, cross-stack references included),
 * into a temporary directory, and returns the parsed JSON. For the policy report, the tests and the local run.
 * `customize` may change constructs before synthesis (e.g. an escape-hatch override in a test).
 */
export function synthesizeToJson(
  config: Config,
  customize?: (stacks: ReturnType<typeof buildStacks>) => void,
): SynthesizedStacks {
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-synth-"));
  try {
    const app = createApp(outdir);
    const stacks = buildStacks(app, config);
    customize?.(stacks);
    app.synth();
    const read = (stack: string) => readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
    const files = { ecr: read("ecr"), main: read("main") };
    return {
      ecr: JSON.parse(files.ecr) as TfJson,
      main: JSON.parse(files.main) as TfJson,
      manifest: JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as SynthesizedStacks["manifest"],
      files,
      outdir,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
