/**
 * The shape of a synthesized Terraform JSON document (`cdk.tf.json`), typed as far as Terraform fixes it: blocks of
 * named objects whose attributes are `unknown` until narrowed with the helpers below. Shared by the policy controls,
 * the local run, the cost model and the tests; it imports nothing from them.
 */

/** One resource, data source or nested block: attribute name -> JSON value. */
export type TfObject = Record<string, unknown>;

/** `resource` or `data`: type -> logical name -> body. */
export type TfBlock = Record<string, Record<string, TfObject>>;

export interface TfJson {
  resource?: TfBlock;
  data?: TfBlock;
  output?: Record<string, { value: unknown; sensitive?: boolean; description?: string }>;
  variable?: Record<string, TfObject>;
  provider?: Record<string, unknown>;
  terraform?: TfObject;
  [key: string]: unknown;
}

/** A JSON object (not null, not an array). */
export function isObject(value: unknown): value is TfObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value?.[k1]?.[k2]...`: follows the keys while there is something to index, as optional chaining does. */
export function field(value: unknown, ...keys: readonly (string | number)[]): unknown {
  let current = value;
  for (const key of keys) {
    if (current === null || current === undefined) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}

/** The value if it is an array, else an empty list (a missing block reads as no entries). */
export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** The value if it is an object, else an empty one (a missing map reads as no entries). */
export function object(value: unknown): TfObject {
  return isObject(value) ? value : {};
}

/** What a template literal prints for a JSON value (`${value}`): the text of a scalar, `a,b` for a list. */
export function show(value: unknown): string {
  return String(value);
}
