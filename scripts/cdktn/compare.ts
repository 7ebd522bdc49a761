/**
 * The comparison half of `npm run check:cdktn` (scripts/check-cdktn.ts): two synthesized apps -> normalized ->
 * one difference per resource address and attribute path. Pure functions, so the unit tests can feed them JSON.
 *
 * Only what must differ between two framework or provider releases is normalized away, and every normalization is
 * returned so that the check prints it: a normalization that hid a real change would otherwise go unseen.
 */

/** A parsed `cdk.tf.json`. */
export type StackJson = Record<string, unknown>;

/** What one synth produced: `manifest.json` and each stack's `cdk.tf.json`, by stack id. */
export interface Synth {
  readonly manifest: Record<string, unknown>;
  readonly stacks: Readonly<Record<string, StackJson>>;
}

/** Where a value lives: the stack (or `manifest.json`), a Terraform address and an attribute path inside it. */
export interface Location {
  readonly stack: string;
  readonly address: string;
  /** `required_providers.aws.source`, `default_tags[0].tags.project`; `*` for the whole address. */
  readonly attribute: string;
}

/** A value removed before comparing, with what each side had. */
export interface Normalized extends Location {
  readonly before: unknown;
  readonly after: unknown;
}

/** One attribute that differs; `undefined` on a side means the attribute (or the whole address) is absent there. */
export interface Difference extends Location {
  readonly before: unknown;
  readonly after: unknown;
}

export const WHOLE = "*";
export const MANIFEST = "manifest.json";

function clone<T>(value: T): T {
  return structuredClone(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Removes the value at `path` and returns it (undefined when absent). */
function take(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  const last = path[path.length - 1]!;
  if (!isObject(node) || !(last in node)) return undefined;
  const value = node[last];
  delete node[last];
  return value;
}

/** Copies of both synths without the values that must differ, plus what was removed on each side. */
export function normalize(before: Synth, after: Synth): { before: Synth; after: Synth; normalized: Normalized[] } {
  const normalized: Normalized[] = [];
  const strip = (rootA: unknown, rootB: unknown, path: readonly string[], location: Location) => {
    const valueA = take(rootA, path);
    const valueB = take(rootB, path);
    if (valueA !== undefined || valueB !== undefined) normalized.push({ ...location, before: valueA, after: valueB });
  };
  const a = clone(before);
  const b = clone(after);
  // The framework's version stamps.
  strip(a.manifest, b.manifest, ["version"], { stack: MANIFEST, address: MANIFEST, attribute: "version" });
  for (const stack of union(Object.keys(a.stacks), Object.keys(b.stacks))) {
    const stackA = a.stacks[stack];
    const stackB = b.stacks[stack];
    strip(stackA, stackB, ["//", "metadata", "version"], { stack, address: "//", attribute: "metadata.version" });
    // Each provider's version constraint: bindings pin the provider release they were generated from.
    for (const provider of union(providerNames(stackA), providerNames(stackB))) {
      const attribute = formatPath(["required_providers", provider, "version"]);
      strip(stackA, stackB, ["terraform", "required_providers", provider, "version"], {
        stack,
        address: "terraform",
        attribute,
      });
    }
  }
  return { before: a, after: b, normalized };
}

function providerNames(stack: StackJson | undefined): string[] {
  const terraform = stack?.terraform;
  const required = isObject(terraform) ? terraform.required_providers : undefined;
  return isObject(required) ? Object.keys(required) : [];
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

/**
 * A stack's JSON as Terraform addresses -> bodies: `aws_sqs_queue.queue_1A2B`, `data.aws_vpc.vpc`, `output.x`,
 * `var.x`, `local.x`, `provider.aws` (`provider.aws.<alias>` for aliases), and the `terraform` and `//` blocks.
 */
export function addresses(stack: StackJson): Map<string, unknown> {
  const result = new Map<string, unknown>();
  for (const [block, content] of Object.entries(stack)) {
    const byName = isObject(content) ? content : undefined;
    switch (block) {
      case "resource":
      case "data":
        for (const [type, resources] of Object.entries(byName ?? {})) {
          for (const [name, body] of Object.entries(isObject(resources) ? resources : {})) {
            result.set(`${block === "data" ? "data." : ""}${type}.${name}`, body);
          }
        }
        break;
      case "output":
      case "variable":
      case "locals":
      case "module": {
        const prefix = { output: "output", variable: "var", locals: "local", module: "module" }[block];
        for (const [name, body] of Object.entries(byName ?? {})) result.set(`${prefix}.${name}`, body);
        break;
      }
      case "provider":
        for (const [name, configs] of Object.entries(byName ?? {})) {
          for (const config of Array.isArray(configs) ? configs : [configs]) {
            const alias = isObject(config) && typeof config.alias === "string" ? `.${config.alias}` : "";
            result.set(`provider.${name}${alias}`, config);
          }
        }
        break;
      default:
        // `terraform`, `//`, `moved`, `import`, `check` ...: the block itself is the address.
        result.set(block, content);
    }
  }
  return result;
}

/** `a.b[0].c`; keys that are not plain identifiers are quoted: `tags["managed-by"]`. */
export function formatPath(path: readonly (string | number)[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (/^([A-Za-z_]\w*|\/\/)$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text || WHOLE;
}

/** Leaf-level differences between two values: objects by key, arrays by index, the rest by strict equality. */
function diffValues(
  a: unknown,
  b: unknown,
  path: (string | number)[],
  out: { path: (string | number)[]; before: unknown; after: unknown }[],
): void {
  if (isObject(a) && isObject(b)) {
    for (const key of union(Object.keys(a), Object.keys(b))) diffValues(a[key], b[key], [...path, key], out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let index = 0; index < Math.max(a.length, b.length); index++)
      diffValues(a[index], b[index], [...path, index], out);
    return;
  }
  if (a === b) return;
  out.push({ path, before: a, after: b });
}

/** Every difference between two (normalized) synths: stacks, then addresses, then attributes, in sorted order. */
export function diffSynths(before: Synth, after: Synth): Difference[] {
  const differences: Difference[] = [];
  const found: { path: (string | number)[]; before: unknown; after: unknown }[] = [];
  diffValues(before.manifest, after.manifest, [], found);
  for (const entry of found)
    differences.push({
      stack: MANIFEST,
      address: MANIFEST,
      attribute: formatPath(entry.path),
      before: entry.before,
      after: entry.after,
    });
  for (const stack of union(Object.keys(before.stacks), Object.keys(after.stacks))) {
    const a = before.stacks[stack];
    const b = after.stacks[stack];
    if (!a || !b) {
      differences.push({
        stack,
        address: WHOLE,
        attribute: WHOLE,
        before: a ? "(stack)" : undefined,
        after: b ? "(stack)" : undefined,
      });
      continue;
    }
    const addressesA = addresses(a);
    const addressesB = addresses(b);
    for (const address of union([...addressesA.keys()], [...addressesB.keys()])) {
      const bodyA = addressesA.get(address);
      const bodyB = addressesB.get(address);
      if (bodyA === undefined || bodyB === undefined) {
        // A whole address on one side only: a renamed logical id or a block one release no longer writes.
        differences.push({ stack, address, attribute: WHOLE, before: bodyA, after: bodyB });
        continue;
      }
      const leaves: typeof found = [];
      diffValues(bodyA, bodyB, [], leaves);
      for (const leaf of leaves)
        differences.push({ stack, address, attribute: formatPath(leaf.path), before: leaf.before, after: leaf.after });
    }
  }
  return differences;
}

/** How much a synth holds: a comparison that walked nothing would pass too, so the check prints these. */
export function measure(synth: Synth): { stacks: number; addresses: number; values: number } {
  let values = 0;
  const count = (value: unknown): void => {
    if (isObject(value)) Object.values(value).forEach(count);
    else if (Array.isArray(value)) value.forEach(count);
    else values++;
  };
  let total = 0;
  for (const stack of Object.values(synth.stacks)) {
    total += addresses(stack).size;
    count(stack);
  }
  return { stacks: Object.keys(synth.stacks).length, addresses: total, values };
}

/** A value as the report and docs/CDKTN.md write it: JSON, or `(absent)`. */
export function formatValue(value: unknown): string {
  return value === undefined ? "(absent)" : JSON.stringify(value);
}
