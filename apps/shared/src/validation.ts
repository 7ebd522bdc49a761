import type { z } from "zod";

/**
 * Turns zod issues into one line per problem: the path at fault, the value found and what was expected.
 * Shared by the tfvars loader and both services' environment parsing so every config error reads the same.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
  unknownKeyHint: UnknownKeyHint = () => undefined,
): string[] {
  return issues.flatMap((issue) => {
    if (issue.code === "unrecognized_keys") {
      // One line per unknown key, at its own path, so a typo is easy to spot.
      return issue.keys.map(
        (key) =>
          `${formatPath([...issue.path, key])}: ${unknownKeyHint(issue.path, key) ?? "unknown key (check the spelling)"}`,
      );
    }
    const value = valueAt(input, issue.path);
    if (issue.code === "invalid_type") {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      // "": the services' environment treats a blank variable as unset (blankAsUnset).
      if (value === undefined || value === "") return [`${formatPath(issue.path)}: is required (expected ${expected})`];
      return [`${formatPath(issue.path)}: expected ${expected}, got ${kindOf(value)} ${preview(value)}`];
    }
    return [`${formatPath(issue.path)}: ${issue.message} (got ${preview(value)})`];
  });
}

/** The problem with an unknown key of the object at `path` (a likely misspelling, the mode it belongs to), if known. */
export type UnknownKeyHint = (path: readonly PropertyKey[], key: string) => string | undefined;

/** zod's type names as a JSON file's author knows them. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list [...]",
  object: "an object {...}",
  record: "an object {...}",
  null: "null",
};

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
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
