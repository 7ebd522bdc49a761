import { allOptionsConfigInput, ECR_COLLECTOR_TRACING, exampleConfigInput } from "./example-config.js";
import { parseConfig } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { resources, type TfJson } from "./tfjson.js";
import type { buildStacks } from "../../stacks/app.js";
import { synthesizeToJson, type SynthesizedStacks } from "../../stacks/synthesize.js";

export type { TfJson };
export type Synthesized = SynthesizedStacks;

export { allOptionsConfigInput, ECR_COLLECTOR_TRACING, exampleConfigInput };

export function allOptionsConfig(): Config {
  return parseConfig(allOptionsConfigInput(), "examples/all-options.tfvars.json");
}

export function exampleConfig(changes: Record<string, unknown> = {}): Config {
  return parseConfig({ ...exampleConfigInput(), ...changes });
}

/** Synthesizes the whole app from the example var file with `changes` merged over its top-level keys. */
export function synthApp(
  changes: Record<string, unknown> = {},
  customize?: (stacks: ReturnType<typeof buildStacks>) => void,
): Synthesized {
  return synthesizeToJson(exampleConfig(changes), customize);
}

/** All resources (or data sources) of one Terraform type, as [logical name, body] pairs. */
export function resourcesOf(
  doc: TfJson,
  type: string,
  block: "resource" | "data" = "resource",
): [string, Record<string, any>][] {
  return resources(doc, type, block).map((r) => [r.name, r.body]);
}

/** The one resource of a type whose construct path ends with `/<path>` (e.g. "api/task"); throws otherwise. */
export function resourceAt(
  doc: TfJson,
  type: string,
  path: string,
  block: "resource" | "data" = "resource",
): Record<string, any> {
  return entryAt(doc, type, path, block).body;
}

/** `${<type>.<name>.<attribute>}` of the resource at `path`: the string another resource uses to reference it. */
export function refTo(
  doc: TfJson,
  type: string,
  path: string,
  attribute: string,
  block: "resource" | "data" = "resource",
): string {
  return `\${${addressOf(doc, type, path, block)}.${attribute}}`;
}

/** The Terraform address (`data.aws_x.name`) of the one block whose construct path ends with `path`. */
export function addressOf(doc: TfJson, type: string, path: string, block: "resource" | "data" = "resource"): string {
  return entryAt(doc, type, path, block).address;
}

function entryAt(doc: TfJson, type: string, path: string, block: "resource" | "data") {
  const matches = resources(doc, type, block).filter((r) => r.path.endsWith(`/${path}`));
  if (matches.length !== 1)
    throw new Error(`expected one ${type} at a path ending in "/${path}", found ${matches.length}`);
  return matches[0]!;
}
