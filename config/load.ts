import { readFileSync } from "node:fs";
import { describeIssues } from "../apps/shared/src/validation.js";
import { crossFieldIssues } from "./cross-field.js";
import { validFields } from "./fields.js";
import { unknownKeyHint } from "./key-hints.js";
import { configWarnings } from "./warnings.js";
import { configSchema, type Config } from "./schema.js";

/** Every problem found in the var file, each with its key path, value and expectation. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
  ) {
    super(
      `${file} is invalid (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
    );
    this.name = "ConfigError";
  }
}

/** Validates an already-parsed var file; returns a deeply frozen config or throws one ConfigError listing every problem. */
export function parseConfig(input: unknown, file = "terraform.tfvars.json"): Config {
  const result = configSchema.safeParse(input);
  if (!result.success) {
    // zod skips the cross-field rules when any field is invalid: run them on the fields that are valid, so that
    // one type error does not hide the file's other problems (when every field is valid, they already ran).
    const crossField = crossFieldIssues(validFields(input)).map((issue) => ({
      code: "custom" as const,
      input: undefined,
      ...issue,
    }));
    const problems = [...result.error.issues, ...crossField];
    const hint = (path: readonly PropertyKey[], key: string) => unknownKeyHint(configSchema, input, path, key);
    throw new ConfigError(file, [...new Set(describeIssues(problems, input, hint))]);
  }
  return deepFreeze(result.data);
}

export function loadDeployConfig(file = "terraform.tfvars.json"): Config {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(file, [`cannot be read: ${(error as Error).message}`]);
  }
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(file, [jsonSyntaxProblem(text, error as Error)]);
  }
  return parseConfig(input, file);
}

/** A JSON syntax error at its line and column (an editor's coordinates), not a character offset. */
export function jsonSyntaxProblem(text: string, error: Error): string {
  const reason = error.message.split(" in JSON at position ")[0]!;
  const position = Number(/at position (\d+)/.exec(error.message)?.[1] ?? Number.NaN);
  if (!Number.isInteger(position)) return `is not valid JSON: ${reason}`;
  const before = text.slice(0, position).split("\n");
  return `is not valid JSON at line ${before.length}, column ${before.at(-1)!.length + 1}: ${reason}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * For command-line entry points: loads the var file they were given (kit/cli.ts chooses it) and prints its warnings,
 * or prints every problem (no stack trace: it is a user error) and exits 1 before anything is synthesized.
 */
export function loadDeployConfigOrExit(file: string): Config {
  try {
    const config = loadDeployConfig(file);
    for (const warning of configWarnings(config)) process.stderr.write(`warning: ${file}: ${warning}\n`);
    return config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
