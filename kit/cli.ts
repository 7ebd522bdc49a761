import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { closestMatch } from "../apps/shared/src/closest.js";

/**
 * The one command-line convention of every `npm run` command (synth, policy, cost, local, docs): `--help`, the var
 * file as Terraform spells it (`--var-file <path>`, env TFVARS_FILE as the fallback), and any other argument refused
 * with the usage and exit code 2, never a stack trace.
 */
export interface CommandSpec {
  /** How users run it, e.g. `npm run synth`. */
  readonly command: string;
  /** One line: what the command does. */
  readonly summary: string;
  /** The command's own options (besides --help and, with `varFile`, --var-file). */
  readonly options?: ParseArgsOptionsConfig;
  /** One usage row per option of `options`: its spelling and what it does. */
  readonly optionLines?: readonly (readonly [string, string])[];
  /** Whether the command reads a var file (adds --var-file). */
  readonly varFile?: boolean;
}

export const DEFAULT_VAR_FILE = "terraform.tfvars.json";

/** The var file and where its name came from, so a command can say which file it read. */
export interface VarFileChoice {
  readonly path: string;
  readonly source: "--var-file" | "TFVARS_FILE" | "default";
}

export type CommandLine =
  | { readonly kind: "help"; readonly text: string }
  | { readonly kind: "usage-error"; readonly text: string }
  | {
      readonly kind: "run";
      readonly values: Readonly<Record<string, string | boolean | undefined>>;
      readonly varFile: VarFileChoice;
    };

export function usage(spec: CommandSpec): string {
  const rows: (readonly [string, string])[] = [
    ...(spec.varFile
      ? [["--var-file <path>", `the var file to read (default: $TFVARS_FILE, else ${DEFAULT_VAR_FILE})`] as const]
      : []),
    ...(spec.optionLines ?? []),
    ["--help", "print this help"],
  ];
  const width = Math.max(...rows.map(([flag]) => flag.length)) + 3;
  const lines = rows.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`);
  return `${spec.summary}\n\nUsage: ${spec.command} -- [options]\n${lines.join("\n")}\n`;
}

/** Parses `argv` without side effects: help, a usage error naming the argument at fault, or the values. */
export function parseCommandLine(
  spec: CommandSpec,
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): CommandLine {
  const options: ParseArgsOptionsConfig = {
    ...spec.options,
    ...(spec.varFile ? { "var-file": { type: "string" } } : {}),
    help: { type: "boolean" },
  };
  // Terraform users type -var-file: node would read it as the short options -v -a -r ..., so it is answered first.
  const singleDash = argv.filter((arg) => /^-[a-z][a-z-]+(=|$)/.test(arg));
  if (singleDash.length > 0) {
    const problems = singleDash.map((arg) => {
      const suggestion = closestMatch(arg.slice(1).split("=")[0]!, Object.keys(options));
      return `unknown option ${arg.split("=")[0]}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`;
    });
    return { kind: "usage-error", text: `${spec.command}: ${problems.join("; ")}\n\n${usage(spec)}` };
  }
  // Not strict: the tokens are checked below, so the messages name the argument and suggest the right spelling.
  const { values, tokens } = parseArgs({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const problems = tokens.flatMap((token): string[] => {
    if (token.kind === "positional") return [positionalProblem(spec, token.value)];
    if (token.kind !== "option") return [];
    const option = options[token.name];
    if (!option) {
      const suggestion = closestMatch(token.name, Object.keys(options));
      return [`unknown option ${token.rawName}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`];
    }
    if (option.type === "string" && (token.value === undefined || token.value === ""))
      return [`${token.rawName} needs a value`];
    if (option.type === "boolean" && token.value !== undefined) return [`${token.rawName} takes no value`];
    return [];
  });
  if (problems.length > 0)
    return { kind: "usage-error", text: `${spec.command}: ${problems.join("; ")}\n\n${usage(spec)}` };
  if (values.help === true) return { kind: "help", text: usage(spec) };
  return { kind: "run", values, varFile: chooseVarFile(values["var-file"], env) };
}

function positionalProblem(spec: CommandSpec, value: string): string {
  // `npm run synth -- staging.tfvars.json` must not silently synthesize the default file.
  if (spec.varFile && value.endsWith(".json"))
    return `unexpected argument ${value} (to read that var file: --var-file ${value})`;
  return `unexpected argument ${value}`;
}

function chooseVarFile(flag: unknown, env: Readonly<Record<string, string | undefined>>): VarFileChoice {
  if (typeof flag === "string") return { path: flag, source: "--var-file" };
  if (env.TFVARS_FILE) return { path: env.TFVARS_FILE, source: "TFVARS_FILE" };
  return { path: DEFAULT_VAR_FILE, source: "default" };
}

export function describeVarFile(choice: VarFileChoice): string {
  return `var file: ${choice.path} (${choice.source === "default" ? "the default" : `from ${choice.source}`})`;
}

/**
 * For entry points: prints the help (exit 0) or the usage error (exit 2), or returns the values. With a var file,
 * says on stderr which file it reads (stdout stays the command's output, e.g. policy's Markdown).
 */
export function commandLineOrExit(
  spec: CommandSpec,
  argv: readonly string[] = process.argv.slice(2),
): Extract<CommandLine, { kind: "run" }> {
  const line = parseCommandLine(spec, argv, process.env);
  if (line.kind === "help") {
    process.stdout.write(line.text);
    process.exit(0);
  }
  if (line.kind === "usage-error") {
    process.stderr.write(line.text);
    process.exit(2);
  }
  if (spec.varFile) process.stderr.write(`${spec.command}: ${describeVarFile(line.varFile)}\n`);
  return line;
}
