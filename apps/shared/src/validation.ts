import type { z } from "zod";

/**
 * Turns zod issues into one line per problem: the path at fault, the value found and what was expected.
 * Shared by the tfvars loader and both services' environment parsing so every config error reads the same.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown, pathPrefix = ""): string[] {
  return issues.map((issue) => {
    const path = pathPrefix + (issue.path.length ? issue.path.map(String).join(".") : "(root)");
    const found = issue.code === "unrecognized_keys" ? "" : ` (got ${preview(valueAt(input, issue.path))})`;
    return `${path}: ${issue.message}${found}`;
  });
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function preview(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
