/**
 * What changed in the provider's schema between the two bindings, for the resource types the app uses: the JSON
 * diff only shows what the app sets, while a new argument with a provider-side default can still show up in a plan.
 * The generated bindings list every argument name in their `toTerraform` functions (one line per argument, nested
 * blocks included), so comparing those names per type gives the arguments added and removed between the releases.
 * Informational: an argument the app sets that the fork removed already fails the type-check of the migrated copy.
 */
import { readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join } from "node:path";

/** Argument names (any nesting level) in one generated binding module. */
export function bindingArguments(moduleText: string): Set<string> {
  const names = new Set<string>();
  for (const match of moduleText.matchAll(/^\s+([a-z0-9_]+): (?:cdkt[fn]\.)?\w*ToTerraform\(/gm)) names.add(match[1]!);
  return names;
}

/**
 * The schema flags the generator writes above each attribute's getter (`// name - computed: true, optional: true,
 * required: false`), as `required`, `optional` or `optional+computed`. An added optional+computed argument takes the
 * value AWS reports (no plan change); an added plain optional one stays null unless the provider has a default.
 * A name used at several nesting levels keeps its first flags.
 */
export function argumentFlags(moduleText: string): Map<string, string> {
  const flags = new Map<string, string>();
  for (const match of moduleText.matchAll(
    /\/\/ ([a-z0-9_]+) - computed: (true|false), optional: (true|false), required: (true|false)/g,
  )) {
    const [, name, computed, optional, required] = match;
    if (flags.has(name!)) continue;
    flags.set(
      name!,
      required === "true"
        ? "required"
        : optional === "true"
          ? computed === "true"
            ? "optional+computed"
            : "optional"
          : "computed",
    );
  }
  return flags;
}

/** `aws_sqs_queue` -> `sqs-queue`, `data.aws_vpc` -> `data-aws-vpc`, `provider` -> `provider`: the module under lib/. */
export function bindingModule(type: string): string {
  if (type === "provider") return "provider";
  if (type.startsWith("data.")) return `data-${type.slice("data.".length).replaceAll("_", "-")}`;
  return type.replace(/^aws_/, "").replaceAll("_", "-");
}

/** Resource types (`aws_x`) and data source types (`data.aws_x`) of the AWS provider in a synthesized stack. */
export function awsTypes(stack: Record<string, unknown>): string[] {
  const types = new Set<string>();
  for (const block of ["resource", "data"] as const) {
    for (const type of Object.keys((stack[block] as Record<string, unknown> | undefined) ?? {})) {
      if (type.startsWith("aws_")) types.add(block === "data" ? `data.${type}` : type);
    }
  }
  return [...types].sort();
}

export interface SchemaChange {
  readonly type: string;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** Per type, the argument names one binding package (its `lib/` directory) has and the other has not. */
export async function schemaChanges(
  types: readonly string[],
  libBefore: string,
  libAfter: string,
): Promise<SchemaChange[]> {
  const changes: SchemaChange[] = [];
  for (const type of ["provider", ...types]) {
    const read = async (lib: string) => {
      const file = join(lib, bindingModule(type), "index.js");
      return existsSync(file) ? await readFile(file, "utf8") : undefined;
    };
    const [textBefore, textAfter] = await Promise.all([read(libBefore), read(libAfter)]);
    const before = textBefore === undefined ? undefined : bindingArguments(textBefore);
    const after = textAfter === undefined ? undefined : bindingArguments(textAfter);
    if (!before || !after) {
      changes.push({
        type,
        added: after ? ["(the whole type: no binding before)"] : [],
        removed: before ? ["(the whole type: no binding after)"] : [],
      });
      continue;
    }
    const flags = argumentFlags(textAfter!);
    const added = [...after]
      .filter((name) => !before.has(name))
      .sort()
      .map((name) => (flags.has(name) ? `${name} (${flags.get(name)})` : name));
    const removed = [...before].filter((name) => !after.has(name)).sort();
    if (added.length > 0 || removed.length > 0) changes.push({ type, added, removed });
  }
  return changes;
}
