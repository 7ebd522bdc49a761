import { isObject } from "./document.js";

/** One statement of a policy document (IAM, queue, key policy), with Action and Resource always lists. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: unknown;
  Action: string[];
  Resource: string[];
  Condition?: Record<string, unknown>;
}

const asArray = (value: unknown): string[] =>
  value === undefined ? [] : Array.isArray(value) ? (value as string[]) : [value as string];

/** Parses a policy document string (a resource's `policy` attribute) into its statements, always as a list. */
export function statements(policy: unknown): PolicyStatement[] {
  const document = JSON.parse(policy as string) as unknown;
  const statement = isObject(document) ? document.Statement : undefined;
  const list = (Array.isArray(statement) ? statement : [statement]) as Record<string, unknown>[];
  return list.map((s) => ({ ...s, Action: asArray(s.Action), Resource: asArray(s.Resource) }) as PolicyStatement);
}
