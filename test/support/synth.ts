import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { parseConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { buildStacks } from "../../stacks/app.js";

/** A synthesized Terraform JSON document (`cdk.tf.json`). */
export type TfJson = {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  variable?: Record<string, Record<string, unknown>>;
  terraform?: Record<string, unknown>;
} & Record<string, unknown>;

export interface Synthesized {
  readonly ecr: TfJson;
  readonly main: TfJson;
  readonly manifest: { stacks: Record<string, { dependencies: string[] }> };
  /** The raw file contents, for byte-level comparisons. */
  readonly files: { ecr: string; main: string };
  readonly outdir: string;
}

export function exampleConfigInput(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL("../../terraform.tfvars.json", import.meta.url), "utf8"));
}

/**
 * Synthesizes the whole app (both stacks, cross-stack references included) exactly as `npm run synth` does,
 * from the example var file with `changes` merged over it, into a temporary directory.
 */
export function synthApp(
  changes: Record<string, unknown> = {},
  customize?: (stacks: ReturnType<typeof buildStacks>) => void,
): Synthesized {
  const config: Config = parseConfig({ ...exampleConfigInput(), ...changes });
  const outdir = mkdtempSync(join(tmpdir(), "cdktf-test-"));
  try {
    const app = new App({ outdir });
    const stacks = buildStacks(app, config);
    customize?.(stacks);
    app.synth();
    const read = (stack: string) => readFileSync(join(outdir, "stacks", stack, "cdk.tf.json"), "utf8");
    const files = { ecr: read("ecr"), main: read("main") };
    return {
      ecr: JSON.parse(files.ecr),
      main: JSON.parse(files.main),
      manifest: JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")),
      files,
      outdir,
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** All resources (or data sources) of one Terraform type, as [logical name, body] pairs. */
export function resourcesOf(doc: TfJson, type: string, block: "resource" | "data" = "resource"): [string, Record<string, any>][] {
  return Object.entries(doc[block]?.[type] ?? {});
}

/** The one resource of a type whose construct path ends with `/<path>` (e.g. "api/task"); throws otherwise. */
export function resourceAt(doc: TfJson, type: string, path: string, block: "resource" | "data" = "resource"): Record<string, any> {
  return entryAt(doc, type, path, block)[1];
}

/** `${<type>.<name>.<attribute>}` of the resource at `path`: the string another resource uses to reference it. */
export function refTo(doc: TfJson, type: string, path: string, attribute: string, block: "resource" | "data" = "resource"): string {
  const [name] = entryAt(doc, type, path, block);
  return `\${${block === "data" ? "data." : ""}${type}.${name}.${attribute}}`;
}

function entryAt(doc: TfJson, type: string, path: string, block: "resource" | "data"): [string, Record<string, any>] {
  const matches = resourcesOf(doc, type, block).filter(([, body]) => String(body["//"]?.metadata?.path ?? "").endsWith(`/${path}`));
  if (matches.length !== 1) throw new Error(`expected one ${type} at a path ending in "/${path}", found ${matches.length}`);
  return matches[0]!;
}
