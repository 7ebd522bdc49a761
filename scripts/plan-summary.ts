/**
 * Pull-request plan comment: per-stack summaries of `terraform show -json <planfile>` (Terraform's JSON plan
 * format, https://developer.hashicorp.com/terraform/internals/json-format), the full plans collapsed, and the
 * policy table when there is one. .github/workflows/pr.yml runs the CLI and posts the result as one sticky comment
 * (found again through COMMENT_MARKER, the comment's first line).
 *
 *   tsx scripts/plan-summary.ts --dir <plans> --stacks ecr,main [--policy policy.md] [--sha <sha>]
 *       [--run-url <url>] [--note <text>]... [--out comment.md]
 *
 * <plans>/<stack>/ holds plan.json (terraform show -json), plan.txt (terraform show -no-color) and plan.log (init +
 * plan output). A stack without plan.json is reported as failed with the tail of plan.log; a stack without a
 * directory as not planned.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { describeCounts, hasChanges, summarizePlan, type PlanSummary } from "./delivery/plan-counts.js";

export const COMMENT_MARKER = "<!-- apigw-vpclink:plan-summary -->";
/** GitHub rejects comment bodies over 65,536 characters; leave room for what we add around the plans. */
export const COMMENT_LIMIT = 65_000;

export type StackResult =
  | { stack: string; status: "planned"; summary: PlanSummary; planText: string }
  | { stack: string; status: "failed"; log: string }
  | { stack: string; status: "skipped" };

/** A code fence longer than any backtick run in the text, so plan output can never close it early. */
function fenced(text: string, language = "text"): string {
  const longestRun = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = "`".repeat(longestRun + 1);
  return `${fence}${language}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

function details(summary: string, body: string): string {
  return `<details><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

// eslint-disable-next-line no-control-regex -- matching the ESC control character is the point: it strips ANSI colours
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;

/** Keeps the end of a log (where Terraform prints its error) or the start of a plan, within `limit` characters. */
function truncate(text: string, limit: number, keep: "start" | "end", where: string): string {
  const clean = text.replace(ANSI, "");
  if (clean.length <= limit) return clean;
  const note = `[... ${clean.length - limit} characters cut; the full output is in ${where} ...]`;
  return keep === "start" ? `${clean.slice(0, limit)}\n${note}` : `${note}\n${clean.slice(clean.length - limit)}`;
}

function headline(result: StackResult): string {
  switch (result.status) {
    case "planned": {
      const { destructive, warnings } = result.summary;
      const icon = destructive.length > 0 || warnings.length > 0 ? "⚠️" : hasChanges(result.summary) ? "📝" : "✅";
      const warned = warnings.length > 0 ? `; ${warnings.length} warning${warnings.length === 1 ? "" : "s"}` : "";
      return `${icon} \`${result.stack}\`: ${describeCounts(result.summary)}${warned}`;
    }
    case "failed":
      return `❌ \`${result.stack}\`: plan failed`;
    case "skipped":
      return `⏭️ \`${result.stack}\`: not planned`;
  }
}

/** The plan's warnings, and the public subnets a reviewer should know are there (nothing runs in them). */
function findingLines({ warnings, publicSubnets }: PlanSummary): string[] {
  const lines: string[] = [];
  if (warnings.length > 0) lines.push("", "**Warnings:**", ...warnings.map((warning) => `- ${warning}`));
  if (publicSubnets) {
    const list = publicSubnets.map((id) => `\`${id}\``).join(", ") || "none (a private-only VPC)";
    lines.push("", `Public subnets (\`tier=public\`, not used by this stack): ${list}`);
  }
  return lines;
}

export interface CommentInput {
  results: StackResult[];
  policy?: string | undefined;
  sha?: string | undefined;
  runUrl?: string | undefined;
  notes?: string[] | undefined;
  limit?: number | undefined;
}

/** The whole comment body; its first line is COMMENT_MARKER and it never exceeds `limit` characters. */
export function renderComment(input: CommentInput): string {
  const limit = input.limit ?? COMMENT_LIMIT;
  const where = input.runUrl ? `the [workflow run](${input.runUrl}) log` : "the workflow run log";
  const head = [
    COMMENT_MARKER,
    `## Terraform plan${input.sha ? ` for ${input.sha.slice(0, 12)}` : ""}`,
    "",
    ...input.results.map((result) => `- ${headline(result)}`),
    ...(input.notes ?? []).map((note) => `\n> [!NOTE]\n> ${note}`),
  ].join("\n");

  const policy = input.policy?.trim()
    ? `### Policy controls\n\n${details("Control table (<code>npm run policy</code>)", input.policy.trim())}`
    : "";
  const footer = input.runUrl ? `<sub>Updated by [this run](${input.runUrl}).</sub>` : "";

  // What remains after the fixed parts is shared by the stacks' collapsed plans/logs.
  const sections = input.results.map((result) => {
    const lines = [`### \`${result.stack}\``];
    if (result.status === "planned" && result.summary.destructive.length > 0) {
      lines.push("", "**Destroys or replaces:**");
      for (const change of result.summary.destructive) lines.push(`- \`${change.address}\` (${change.action})`);
    }
    if (result.status === "planned") lines.push(...findingLines(result.summary));
    if (result.status === "skipped") lines.push("", "Not planned: see the notes above or the workflow run log.");
    return lines.join("\n");
  });
  const fixed = [head, ...sections, policy, footer].join("\n\n").length;
  const bodies = input.results.filter((result) => result.status !== "skipped").length;
  const overhead = 200; // details/summary tags, fences and the truncation note of one section
  const budget = Math.max(0, Math.floor((limit - fixed - 2 * input.results.length) / Math.max(1, bodies)) - overhead);

  const parts = [head];
  input.results.forEach((result, index) => {
    let section = sections[index] ?? "";
    if (result.status === "planned") {
      section += `\n\n${details("Full plan", fenced(truncate(result.planText, budget, "start", where)))}`;
    } else if (result.status === "failed") {
      section += `\n\n${details("Error output", fenced(truncate(result.log, budget, "end", where)))}`;
    }
    parts.push(section);
  });
  if (policy) parts.push(policy);
  if (footer) parts.push(footer);
  const body = parts.join("\n\n");
  // The budget is computed conservatively; this only guards against a pathological fixed part.
  return body.length <= limit ? body : `${body.slice(0, limit - 80)}\n\n[... comment cut at ${limit} characters ...]`;
}

function readIfExists(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, "utf8") : undefined;
}

/** Reads <dir>/<stack>/{plan.json,plan.txt,plan.log} as written by pr.yml's plan step. */
export function loadStackResult(dir: string, stack: string): StackResult {
  const stackDir = join(dir, stack);
  if (!existsSync(stackDir)) return { stack, status: "skipped" };
  const planJson = readIfExists(join(stackDir, "plan.json"));
  const log = readIfExists(join(stackDir, "plan.log")) ?? "";
  if (!planJson?.trim()) return { stack, status: "failed", log: log || "(no output was captured)" };
  try {
    const summary = summarizePlan(JSON.parse(planJson));
    return { stack, status: "planned", summary, planText: readIfExists(join(stackDir, "plan.txt")) ?? "" };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { stack, status: "failed", log: `plan.json could not be summarised: ${reason}\n\n${log}` };
  }
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      dir: { type: "string" },
      stacks: { type: "string", default: "ecr,main" },
      policy: { type: "string" },
      sha: { type: "string" },
      "run-url": { type: "string" },
      note: { type: "string", multiple: true },
      out: { type: "string" },
    },
    strict: true,
  });
  if (!values.dir) {
    process.stderr.write(
      "usage: tsx scripts/plan-summary.ts --dir <plans> [--stacks ecr,main] [--policy file] [--sha sha] [--run-url url] [--note text]... [--out file]\n",
    );
    process.exit(2);
  }
  const dir = values.dir;
  const results = values.stacks
    .split(",")
    .filter(Boolean)
    .map((stack) => loadStackResult(dir, stack));
  const body = renderComment({
    results,
    policy: values.policy ? readIfExists(values.policy) : undefined,
    sha: values.sha,
    runUrl: values["run-url"],
    notes: values.note,
  });
  if (values.out) writeFileSync(values.out, `${body}\n`);
  else process.stdout.write(`${body}\n`);
  for (const result of results) process.stderr.write(`${headline(result)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
