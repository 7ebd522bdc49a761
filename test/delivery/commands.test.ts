/**
 * Every command in package.json's scripts honours the command-line convention (kit/cli.ts): `--help` prints its usage
 * and exits 0; an unknown argument is answered with the usage and exit code 2, never a stack trace. A script added
 * to package.json fails this test until it honours the convention or is listed below as a tool wrapper.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { runNpm, STACK_TRACE, type NpmResult } from "../support/run-npm.js";

/** Scripts whose arguments belong to another tool, with the reason. */
const SKIPPED: Readonly<Record<string, string>> = {
  test: "runs lint then vitest: vitest's own command line",
  lint: "eslint, prettier and dependency-cruiser: their own command lines",
  format: "prettier --write: prettier's command line",
  typecheck: "tsc --noEmit: tsc's command line",
  mutation: "StrykerJS driver: module names, documented in docs/TESTING.md",
  "deploy:ecr":
    "cdktf deploy ecr: the cdktf CLI's command line (its synth runs tools/synth.mjs, which reads TFVARS_FILE)",
  bench: "runs the four bench:* scripts in a row; npm appends arguments to the last only, so each bench:* is tested",
};

const scripts = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts,
);
const commands = scripts.filter((name) => !(name in SKIPPED));

function run(script: string, arg: string): Promise<NpmResult> {
  return runNpm([script, "--", arg], { cwd: REPO_ROOT, env: { ...process.env, TFVARS_FILE: "" } });
}

describe("commands: one command-line convention", () => {
  test("commands: every script is either checked here or skipped with a reason", () => {
    expect(Object.keys(SKIPPED).filter((name) => !scripts.includes(name))).toEqual([]);
    expect(commands.length).toBeGreaterThan(10);
  });

  test.concurrent.for(commands)(
    "commands: npm run %s -- --help prints the usage and exits 0",
    { timeout: 60_000 },
    async (script) => {
      const result = await run(script, "--help");
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/Usage|no arguments/);
      expect(result.stderr).not.toMatch(STACK_TRACE);
    },
  );

  test.concurrent.for(commands)(
    "commands: npm run %s -- --bogus is refused with the usage and exit 2",
    { timeout: 60_000 },
    async (script) => {
      const result = await run(script, "--bogus");
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(2);
      expect(result.stderr).toContain("--bogus");
      expect(result.stderr).toMatch(/Usage|no arguments/);
      expect(result.stderr).not.toMatch(STACK_TRACE);
    },
  );
});
