import type { Config } from "../../config/schema.js";
import { resources, type TfJson, type TfResource } from "../../tfjson/index.js";

/**
 * What every control is: ids, resource type, why, and the check. A check returns the problems it found (empty =
 * pass); `exception` marks a control that does not apply to this config, with the reason (shown in `npm run policy`
 * and docs/POLICY.md). Plus the two helpers most checks share.
 */

export interface PolicyInput {
  readonly ecr: TfJson;
  readonly main: TfJson;
  readonly config: Config;
}

export interface Control {
  readonly ids: readonly string[];
  readonly resourceType: string;
  readonly title: string;
  readonly why: string;
  /** Why the control does not apply to this config, or undefined when it does. */
  readonly exception?: (input: PolicyInput) => string | undefined;
  /** Problems found, one line each naming the resource; empty when the control passes. */
  readonly check: (input: PolicyInput) => string[];
  /** Resources the control deliberately exempts, with the reason (listed in the report). */
  readonly exemptions?: readonly { readonly what: string; readonly why: string }[];
  /** Facts worth a reviewer's eye that do not fail the control (e.g. a service fixed at one size). */
  readonly notes?: (input: PolicyInput) => string[];
}

export type Status = "pass" | "fail" | "exception";

export interface ControlResult {
  readonly control: Control;
  readonly status: Status;
  readonly problems: readonly string[];
  readonly exceptionReason?: string;
  readonly notes?: readonly string[];
}

/** Resources of one type in both stacks (ecr first). */
export const all = (input: PolicyInput, type: string) => [
  ...resources(input.ecr, type),
  ...resources(input.main, type),
];

/** One problem line per resource for which `bad` returns a description (false, "" or undefined: no problem). */
export function each(list: TfResource[], bad: (r: TfResource) => string | false | undefined): string[] {
  return list.flatMap((r) => {
    const verdict = bad(r);
    return verdict ? [`${r.path}: ${verdict}`] : [];
  });
}

/** `options.includes(value)` for a value read from JSON, whatever its type. */
export const isOneOf = (value: unknown, options: readonly unknown[]): boolean => options.includes(value);
