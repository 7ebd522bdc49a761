import type { z } from "zod";
import { describeIssues } from "./validation.js";

/** Thrown at start-up when an environment variable is missing or malformed; the message names each one. */
export class EnvConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid environment configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvConfigError";
  }
}

/** Validates `env` against a zod object schema once, at start-up, and returns a frozen typed config. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): Readonly<z.output<S>> {
  const result = schema.safeParse(env);
  if (!result.success) throw new EnvConfigError(describeIssues(result.error.issues, env));
  return Object.freeze(result.data);
}

/** Runs a service's start function; a config error prints its message (no stack) and exits with code 78 (EX_CONFIG). */
export async function runMain(start: () => Promise<unknown>): Promise<void> {
  try {
    await start();
  } catch (error) {
    if (error instanceof EnvConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78);
    }
    throw error;
  }
}

/**
 * A service takes no command-line arguments (ECS starts it with none): `--help` lists the environment variables
 * that configure it; anything else is refused with exit code 2, so a mistyped flag is never silently ignored.
 */
export function answerArguments(service: string, variables: readonly string[], argv = process.argv.slice(2)): void {
  if (argv.length === 0) return;
  const text = `${service}: configured by environment variables only, no arguments:\n  ${variables.join("\n  ")}\n`;
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    process.stdout.write(text);
    process.exit(0);
  }
  process.stderr.write(`${service}: unexpected argument ${argv[0]}\n\n${text}`);
  process.exit(2);
}
