import type { z } from "zod";
import { closestMatch } from "../apps/shared/src/closest.js";

/** The zod wrappers the var file's objects sit in (defaults, `null` allowed); each keeps its schema in `innerType`. */
const WRAPPERS = new Set(["default", "prefault", "nullable"]);

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.ZodType): Def => {
  let def = schema._zod.def as unknown as Def;
  while (WRAPPERS.has(def.type)) def = def.innerType!._zod.def;
  return def;
};

/** An object's keys; for a discriminated union (`mode`, `type`), the chosen option's, and every option's. */
interface ObjectKeys {
  readonly shape: Record<string, z.ZodType>;
  readonly union?: {
    readonly key: string;
    readonly given: unknown;
    readonly options: readonly { readonly literal: unknown; readonly shape: Record<string, z.ZodType> }[];
  };
}

/**
 * The keys `value` is checked against. Only objects and discriminated unions of objects are asked about: zod
 * reports unknown keys only in an object that matched, so every step of the path leads to one.
 */
function objectKeys(schema: z.ZodType, value: Record<string, unknown>): ObjectKeys {
  const def = defOf(schema);
  if (!def.discriminator) return { shape: def.shape! };
  const key = def.discriminator;
  const options = def.options!.map((option) => {
    const shape = defOf(option).shape!;
    return { literal: defOf(shape[key]!).values![0], shape };
  });
  const given = value[key];
  return { shape: options.find((option) => option.literal === given)!.shape, union: { key, given, options } };
}

/**
 * The problem with an unknown key `key` of the object at `path`: that it belongs to another mode of a discriminated
 * object (`security_group_ids` is only valid with mode "existing"), or the known key it most likely misspells.
 * Undefined when there is nothing better to say than "unknown key".
 */
export function unknownKeyHint(
  root: z.ZodType,
  input: unknown,
  path: readonly PropertyKey[],
  key: string,
): string | undefined {
  let schema = root;
  let value = input as Record<string, unknown>;
  for (const step of path) {
    schema = objectKeys(schema, value).shape[String(step)]!;
    value = value[String(step)] as Record<string, unknown>;
  }
  const { shape, union } = objectKeys(schema, value);
  const owner = union?.options.find((option) => key in option.shape);
  if (union && owner)
    return `only valid with ${union.key} ${JSON.stringify(owner.literal)} (${union.key} is ${JSON.stringify(union.given)})`;
  const suggestion = closestMatch(key, Object.keys(shape));
  return suggestion ? `unknown key (did you mean ${suggestion}?)` : undefined;
}
