import type { z } from "zod";
import { closestMatch } from "../apps/shared/src/closest.js";

/** zod wrappers that keep the schema they wrap in `def.innerType`. */
const WRAPPERS = new Set(["default", "prefault", "nullable", "optional", "readonly", "catch"]);

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly shape?: Record<string, z.ZodType>;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly valueType?: z.ZodType;
  readonly values?: readonly unknown[];
}

const defOf = (schema: z.ZodType): Def => schema._zod.def;

function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  while (WRAPPERS.has(defOf(inner).type)) inner = defOf(inner).innerType!;
  return inner;
}

/** The objects `value` may be checked against: one for an object, the chosen option (and the others) for a union. */
interface ObjectChoice {
  readonly shape: Record<string, z.ZodType>;
  /** For a discriminated union: its discriminator, the value given, and every option's shape by its literal. */
  readonly union?: {
    readonly key: string;
    readonly given: unknown;
    readonly options: readonly { readonly literal: unknown; readonly shape: Record<string, z.ZodType> }[];
  };
}

function objectChoice(schema: z.ZodType, value: unknown): ObjectChoice | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === "object") return { shape: def.shape! };
  if (def.type !== "union" || !def.discriminator) return undefined;
  const key = def.discriminator;
  const options = def.options!.map((option) => {
    const shape = defOf(unwrap(option)).shape ?? {};
    return { literal: defOf(unwrap(shape[key]!)).values?.[0], shape };
  });
  const given = (value as Record<string, unknown> | null)?.[key];
  const chosen = options.find((option) => option.literal === given);
  return chosen ? { shape: chosen.shape, union: { key, given, options } } : undefined;
}

/** The schema that checks the value at `path` of `input`, following objects, records and discriminated unions. */
function schemaAt(root: z.ZodType, input: unknown, path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = root;
  let value = input;
  for (const key of path) {
    if (!schema) return undefined;
    const def = defOf(unwrap(schema));
    schema = def.type === "record" ? def.valueType : objectChoice(schema, value)?.shape[String(key)];
    value = (value as Record<PropertyKey, unknown> | null)?.[key];
  }
  return schema;
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
  const schema = schemaAt(root, input, path);
  if (!schema) return undefined;
  const choice = objectChoice(schema, schemaValue(input, path));
  if (!choice) return undefined;
  const owner = choice.union?.options.find((option) => key in option.shape);
  if (choice.union && owner)
    return `only valid with ${choice.union.key} ${JSON.stringify(owner.literal)} (${choice.union.key} is ${JSON.stringify(choice.union.given)})`;
  const suggestion = closestMatch(key, Object.keys(choice.shape));
  return suggestion ? `unknown key (did you mean ${suggestion}?)` : undefined;
}

function schemaValue(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | null)?.[key];
  return value;
}
