/** shellcheck on scripts/*.sh and on workflow `run:` blocks, with the checks actionlint disables for the latter. */
import { spawnSync } from "node:child_process";
import { REPO_ROOT } from "../../kit/repo-root.js";
import type { Finding, RunBlock } from "./workflow-lint.js";

/** Checks actionlint disables for `run:` blocks: env vars come from `env:`, expressions are opaque. */
const RUN_BLOCK_EXCLUDES = ["SC1091", "SC2050", "SC2154", "SC2157", "SC2194"];

export function shellcheckAvailable(): boolean {
  return spawnSync("shellcheck", ["--version"], { encoding: "utf8" }).status === 0;
}

interface ShellcheckComment {
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

function runShellcheck(args: string[], input?: string): ShellcheckComment[] {
  const result = spawnSync("shellcheck", ["--format=json", ...args], { encoding: "utf8", input, cwd: REPO_ROOT });
  if (result.error) throw result.error;
  // 0: clean, 1: findings; anything else is a usage or parse failure of shellcheck itself.
  if (result.status !== 0 && result.status !== 1) throw new Error(`shellcheck failed: ${result.stderr}`);
  return JSON.parse(result.stdout || "[]") as ShellcheckComment[];
}

/** shellcheck findings for shell files (paths relative to the repository root or absolute). */
export function shellcheckFiles(paths: string[]): Finding[] {
  if (paths.length === 0) return [];
  return runShellcheck(["--external-sources", ...paths]).map((comment) => ({
    file: (comment as ShellcheckComment & { file: string }).file,
    line: comment.line,
    column: comment.column,
    message: `${comment.level}: ${comment.message}`,
    rule: `SC${comment.code}`,
  }));
}

/** shellcheck findings for one `run:` block, located in the workflow file. */
export function shellcheckRunBlock(block: RunBlock, file: string): Finding[] {
  const shell = block.shell.split(/\s+/)[0] ?? "bash";
  if (!["bash", "sh"].includes(shell)) return []; // pwsh, python, node ... are not shell scripts
  // `${{ expr }}` -> a placeholder word, as actionlint does; GitHub substitutes it before the shell runs.
  const script = block.script.replace(/\$\{\{[\s\S]*?\}\}/g, "_GITHUB_EXPRESSION_");
  const comments = runShellcheck([`--shell=${shell}`, `--exclude=${RUN_BLOCK_EXCLUDES.join(",")}`, "-"], script);
  return comments.map((comment) => ({
    file,
    // A block scalar (`run: |`) starts on the line after the key.
    line: block.line + comment.line - (block.script.includes("\n") ? 0 : 1),
    column: comment.column,
    message: `${comment.level}: ${comment.message} (in ${block.where})`,
    rule: `SC${comment.code}`,
  }));
}
