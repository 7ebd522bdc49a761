import type { z } from "zod";

/**
 * Turns zod issues into one line per problem: the path at fault, the value found and what was expected.
 * Shared by the tfvars loader and both services' environment parsing so every config error reads the same.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // One line per unknown key, at its own path, so a typo is easy to spot.
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown key (check the spelling)`);
    }
    const value = valueAt(input, issue.path);
    if (value === undefined && issue.code === "invalid_type") {
      return [`${formatPath(issue.path)}: is required (expected ${issue.expected})`];
    }
    return [`${formatPath(issue.path)}: ${issue.message} (got ${preview(value)})`];
  });
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length ? path.map(String).join(".") : "(root)";
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
  // JSON.stringify gives undefined only for what JSON cannot hold (functions, symbols): name the kind instead.
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
