/** kit/cli.ts, the one command-line convention of every `npm run` command, and the did-you-mean it uses. */
import { describe, expect, test } from "vitest";
import { closestMatch } from "../../apps/shared/src/closest.js";
import { describeVarFile, parseCommandLine, usage, type CommandSpec } from "../../kit/cli.js";

const SPEC: CommandSpec = {
  command: "npm run example",
  summary: "An example command.",
  varFile: true,
  options: { rps: { type: "string" }, json: { type: "boolean" } },
  optionLines: [
    ["--rps <n>", "requests per second"],
    ["--json", "as JSON"],
  ],
};

const errorOf = (argv: string[]) => {
  const line = parseCommandLine(SPEC, argv);
  return line.kind === "usage-error" ? line.text.split("\n")[0] : `not an error: ${line.kind}`;
};

describe("command line (kit/cli.ts)", () => {
  test("cli: --help gives the usage: summary, every option aligned, --var-file and --help included", () => {
    const line = parseCommandLine(SPEC, ["--help"]);
    expect(line).toEqual({ kind: "help", text: usage(SPEC) });
    expect(usage(SPEC)).toBe(
      [
        "An example command.",
        "",
        "Usage: npm run example -- [options]",
        "  --var-file <path>   the var file to read (default: $TFVARS_FILE, else terraform.tfvars.json)",
        "  --rps <n>           requests per second",
        "  --json              as JSON",
        "  --help              print this help",
        "",
      ].join("\n"),
    );
  });

  test("cli: fails when an option is unknown, suggesting the closest known one", () => {
    expect(errorOf(["--var-fle", "x.json"])).toBe(
      "npm run example: unknown option --var-fle (did you mean --var-file?); unexpected argument x.json (to read that var file: --var-file x.json)",
    );
    expect(errorOf(["--bogus"])).toBe("npm run example: unknown option --bogus");
    expect(parseCommandLine(SPEC, ["--bogus"])).toEqual({
      kind: "usage-error",
      text: `npm run example: unknown option --bogus\n\n${usage(SPEC)}`,
    });
  });

  test("cli: fails when given Terraform's single-dash -var-file, naming the double-dash spelling", () => {
    expect(errorOf(["-var-file=staging.json"])).toBe(
      "npm run example: unknown option -var-file (did you mean --var-file?)",
    );
  });

  test("cli: fails when a positional argument is given (a .json one is named as a var file to pass with --var-file)", () => {
    expect(errorOf(["staging.tfvars.json"])).toBe(
      "npm run example: unexpected argument staging.tfvars.json (to read that var file: --var-file staging.tfvars.json)",
    );
    expect(errorOf(["now"])).toBe("npm run example: unexpected argument now");
  });

  test("cli: fails when a value is missing or a flag is given one", () => {
    expect(errorOf(["--rps"])).toBe("npm run example: --rps needs a value");
    expect(errorOf(["--var-file="])).toBe("npm run example: --var-file needs a value");
    expect(errorOf(["--json=yes"])).toBe("npm run example: --json takes no value");
  });

  test("cli: the var file is --var-file, else TFVARS_FILE, else terraform.tfvars.json, and says which", () => {
    const varFile = (argv: string[], env: Record<string, string | undefined>) => {
      const line = parseCommandLine(SPEC, argv, env);
      return line.kind === "run" ? describeVarFile(line.varFile) : line.text;
    };
    expect(varFile(["--var-file", "a.json"], { TFVARS_FILE: "b.json" })).toBe("var file: a.json (from --var-file)");
    expect(varFile(["--var-file=a.json"], {})).toBe("var file: a.json (from --var-file)");
    expect(varFile([], { TFVARS_FILE: "b.json" })).toBe("var file: b.json (from TFVARS_FILE)");
    expect(varFile([], { TFVARS_FILE: "" })).toBe("var file: terraform.tfvars.json (the default)");
    const line = parseCommandLine(SPEC, ["--rps", "5", "--json"]);
    expect(line.kind === "run" && line.values).toMatchObject({ rps: "5", json: true });
  });

  test("cli: a command without a var file refuses --var-file", () => {
    const line = parseCommandLine({ command: "npm run docs", summary: "Docs." }, ["--var-file", "a.json"]);
    expect(line.kind === "usage-error" && line.text.split("\n")[0]).toBe(
      "npm run docs: unknown option --var-file; unexpected argument a.json",
    );
  });
});

describe("did you mean (apps/shared/src/closest.ts)", () => {
  test("closest: the known name the fewest edits away, within a third of the name's length", () => {
    const keys = ["deletion_protection", "desired_count", "region"];
    expect(closestMatch("deletion_protecton", keys)).toBe("deletion_protection");
    expect(closestMatch("regoin", keys)).toBe("region");
    expect(closestMatch("REGION", keys)).toBe("region");
    expect(closestMatch("colour", keys)).toBeUndefined();
    expect(closestMatch("x", ["xyz", "xy"])).toBe("xy");
    expect(closestMatch("anything", [])).toBeUndefined();
  });
});
