import type { TfJson } from "../../support/tfjson.js";
import type { ProviderSchema, SchemaBlock } from "./engine.js";

/** Keys Terraform itself gives meaning to in a resource or data block (not provider attributes). */
const META_ARGUMENTS = new Set([
  "//",
  "count",
  "for_each",
  "provider",
  "depends_on",
  "lifecycle",
  "connection",
  "provisioner",
]);

export interface ScratchCopy {
  readonly json: TfJson;
  /** `type.attribute.path` of every attribute removed because the mirror's provider does not know it. */
  readonly stripped: readonly string[];
}

/**
 * The synthesized stack as the engine tests run it: constrained to the mirror's provider version, without a
 * backend (state stays in memory), and without the attributes that provider build does not know. Nothing else
 * changes, so what runs is the synthesized configuration.
 */
export function scratchCopy(synthesized: TfJson, providerVersion: string, schema: ProviderSchema): ScratchCopy {
  const json = structuredClone(synthesized);
  json.terraform!.required_providers.aws.version = providerVersion;
  delete json.terraform!.backend;
  const stripped: string[] = [];
  for (const [block, schemas] of [
    ["resource", schema.resource_schemas],
    ["data", schema.data_source_schemas],
  ] as const) {
    for (const [type, instances] of Object.entries(json[block] ?? {})) {
      if (!type.startsWith("aws_")) continue; // terraform_data, terraform_remote_state: built into Terraform
      const typeSchema = schemas[type];
      if (!typeSchema) throw new Error(`the AWS provider ${providerVersion} has no ${block} type ${type}`);
      for (const body of Object.values(instances)) stripUnknown(body, typeSchema.block, type, stripped, true);
    }
  }
  return { json, stripped: [...new Set(stripped)].sort() };
}

function stripUnknown(
  body: Record<string, unknown>,
  schema: SchemaBlock,
  path: string,
  stripped: string[],
  topLevel: boolean,
): void {
  for (const [key, value] of Object.entries(body)) {
    if (topLevel && META_ARGUMENTS.has(key)) continue;
    if (schema.attributes?.[key]) continue;
    const nested = schema.block_types?.[key];
    if (!nested) {
      delete body[key];
      stripped.push(`${path}.${key}`);
      continue;
    }
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child && typeof child === "object")
        stripUnknown(child as Record<string, unknown>, nested.block, `${path}.${key}`, stripped, false);
    }
  }
}
