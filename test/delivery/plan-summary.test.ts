import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  COMMENT_LIMIT,
  COMMENT_MARKER,
  loadStackResult,
  renderComment,
  type StackResult,
} from "../../scripts/plan-summary.js";
import { describeCounts, hasChanges, PlanFormatError, summarizePlan } from "../../scripts/delivery/plan-counts.js";
import { REPO_ROOT } from "../../kit/repo-root.js";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "fixtures", name), "utf8");
const plan = (name: string): unknown => JSON.parse(fixture(name));

describe("summarizePlan", () => {
  it("counts like Terraform's plan line: replacements add and destroy, data reads and no-ops don't count", () => {
    const summary = summarizePlan(plan("plan-changes.json"));
    // create + 2 replacements | update | 2 replacements + delete; the fixture's text plan says the same.
    expect(summary.counts).toEqual({ add: 3, change: 1, destroy: 3, replace: 2, import: 1, forget: 0 });
    expect(fixture("plan-changes.txt")).toContain("Plan: 3 to add, 1 to change, 3 to destroy.");
    expect(summary.outputChanges).toBe(1);
    expect(summary.terraformVersion).toBe("1.11.4");
  });

  it("lists what is destroyed or replaced, in plan order, delete-then-create and create-then-delete alike", () => {
    expect(summarizePlan(plan("plan-changes.json")).destructive).toEqual([
      { address: "aws_dynamodb_table.table_43360BC0", action: "replace" },
      { address: "aws_ecs_task_definition.api_task_definition_0B7C6B21", action: "replace" },
      { address: "aws_cloudwatch_log_group.old_logs_1A2B3C4D", action: "delete" },
    ]);
  });

  it("describes the counts in Terraform's words plus what it folds in", () => {
    expect(describeCounts(summarizePlan(plan("plan-changes.json")))).toBe(
      "3 to add, 1 to change, 3 to destroy (2 replacements, 1 to import, 1 output change)",
    );
  });

  it("reports a plan of no-ops as no changes", () => {
    const summary = summarizePlan(plan("plan-no-changes.json"));
    expect(summary.counts).toEqual({ add: 0, change: 0, destroy: 0, replace: 0, import: 0, forget: 0 });
    expect(hasChanges(summary)).toBe(false);
    expect(describeCounts(summary)).toBe("no changes");
  });

  it("treats a missing resource_changes as an empty plan", () => {
    expect(hasChanges(summarizePlan({ format_version: "1.2" }))).toBe(false);
  });

  it("counts forget (removed blocks) separately and flags it", () => {
    const summary = summarizePlan(plan("plan-forget.json"));
    expect(summary.counts).toMatchObject({ add: 0, destroy: 0, forget: 1 });
    expect(summary.destructive).toEqual([{ address: "aws_sqs_queue.legacy", action: "forget" }]);
    expect(describeCounts(summary)).toBe("0 to add, 0 to change, 0 to destroy (1 to forget)");
  });

  it.each([
    ["not an object", [], /expected a JSON object/],
    ["a state file instead of a plan", { format_version: "0.2", values: {} }, /unsupported format_version "0.2"/],
    ["an errored plan", { format_version: "1.2", errored: true }, /the plan errored/],
    [
      "an unknown action",
      { format_version: "1.2", resource_changes: [{ address: "a.b", change: { actions: ["explode"] } }] },
      /resource_changes\[0\]: unknown action "explode"/,
    ],
    [
      "a change without actions",
      { format_version: "1.2", resource_changes: [{ address: "a.b", change: {} }] },
      /resource_changes\[0\]: expected change.actions/,
    ],
    [
      "a resource without address",
      { format_version: "1.2", resource_changes: [{ change: { actions: ["create"] } }] },
      /expected an object with an address/,
    ],
  ])("rejects %s", (_, input, message) => {
    expect(() => summarizePlan(input)).toThrow(PlanFormatError);
    expect(() => summarizePlan(input)).toThrow(message);
  });
});

describe("plan findings", () => {
  const withFindings = {
    format_version: "1.2",
    planned_values: { outputs: { public_subnet_ids: { sensitive: false, value: ["subnet-0b1", "subnet-0b2"] } } },
    checks: [
      {
        address: {
          kind: "check",
          name: "private_subnets_are_private",
          to_display: "check.private_subnets_are_private",
        },
        status: "fail",
        instances: [
          {
            address: { to_display: "check.private_subnets_are_private" },
            status: "fail",
            problems: [{ message: "Subnets tagged tier=private give instances public IPs: subnet-0a1." }],
          },
        ],
      },
      { address: { kind: "check", name: "quiet", to_display: "check.quiet" }, status: "pass", instances: [] },
      { address: { kind: "resource", to_display: "aws_lb.alb" }, status: "fail", instances: [] },
    ],
  };

  it("lists each failed check block's message as a warning, and the public subnets the main stack outputs", () => {
    const summary = summarizePlan(withFindings);
    expect(summary.warnings).toEqual([
      "check.private_subnets_are_private: Subnets tagged tier=private give instances public IPs: subnet-0a1.",
    ]);
    expect(summary.publicSubnets).toEqual(["subnet-0b1", "subnet-0b2"]);
    const body = renderComment({ results: [{ stack: "main", status: "planned", summary, planText: "" }] });
    expect(body).toContain("⚠️ `main`: no changes; 1 warning");
    expect(body).toContain(
      "- check.private_subnets_are_private: Subnets tagged tier=private give instances public IPs",
    );
    expect(body).toContain("Public subnets (`tier=public`, not used by this stack): `subnet-0b1`, `subnet-0b2`");
  });

  it("says a private-only VPC has no public subnets, and a plan without the output or checks has neither line", () => {
    const privateOnly = summarizePlan({
      ...withFindings,
      checks: [],
      planned_values: { outputs: { public_subnet_ids: { value: [] } } },
    });
    const body = renderComment({ results: [{ stack: "main", status: "planned", summary: privateOnly, planText: "" }] });
    expect(body).toContain("not used by this stack): none (a private-only VPC)");
    expect(body).toContain("✅ `main`: no changes\n");
    const ecr = summarizePlan(plan("plan-no-changes.json"));
    expect(ecr.warnings).toEqual([]);
    expect(ecr.publicSubnets).toBeUndefined();
  });
});

describe("renderComment", () => {
  const planned = (stack: string, name: string, planText = fixture("plan-changes.txt")): StackResult => ({
    stack,
    status: "planned",
    summary: summarizePlan(plan(name)),
    planText,
  });

  it("starts with the hidden marker the workflow finds the sticky comment by", () => {
    const body = renderComment({ results: [planned("ecr", "plan-no-changes.json")] });
    expect(body.split("\n", 1)[0]).toBe(COMMENT_MARKER);
    expect(COMMENT_MARKER).toMatch(/^<!--.*-->$/);
  });

  it("has a summary line per stack, the destructive changes, and each full plan collapsed", () => {
    const body = renderComment({
      results: [planned("ecr", "plan-no-changes.json"), planned("main", "plan-changes.json")],
      sha: "0123456789abcdef0123456789abcdef01234567",
      runUrl: "https://github.com/o/r/actions/runs/1",
    });
    expect(body).toContain("## Terraform plan for 0123456789ab");
    expect(body).toContain("- ✅ `ecr`: no changes");
    expect(body).toContain(
      "- ⚠️ `main`: 3 to add, 1 to change, 3 to destroy (2 replacements, 1 to import, 1 output change)",
    );
    expect(body).toContain("- `aws_dynamodb_table.table_43360BC0` (replace)");
    expect(body.match(/<details><summary>Full plan<\/summary>/g)).toHaveLength(2);
    expect(body).toContain("Plan: 3 to add, 1 to change, 3 to destroy.");
    expect(body).not.toContain("Policy controls");
  });

  it("includes the policy table when there is one", () => {
    const policy = "| control | status |\n|---|---|\n| deletion protection | ✅ |\n";
    const body = renderComment({ results: [planned("main", "plan-no-changes.json")], policy });
    expect(body).toContain("### Policy controls");
    expect(body).toContain("| deletion protection | ✅ |");
    expect(renderComment({ results: [planned("main", "plan-no-changes.json")], policy: "  \n" })).not.toContain(
      "Policy",
    );
  });

  it("shows a failed stack with the end of its log (where Terraform prints the error)", () => {
    const log = `${"Initializing...\n".repeat(5000)}Error: No valid credential sources found`;
    const body = renderComment({ results: [{ stack: "main", status: "failed", log }], limit: 5000 });
    expect(body).toContain("- ❌ `main`: plan failed");
    expect(body).toContain("Error: No valid credential sources found");
    expect(body).toMatch(/characters cut; the full output is in the workflow run log/);
    expect(body.length).toBeLessThanOrEqual(5000);
  });

  it("stays under GitHub's comment limit with huge plans, cutting each plan and saying so", () => {
    const huge = '  + resource "aws_x" "y" {}\n'.repeat(20_000);
    const body = renderComment({
      results: [planned("ecr", "plan-changes.json", huge), planned("main", "plan-changes.json", huge)],
      policy: "| a | b |\n|---|---|\n",
      runUrl: "https://github.com/o/r/actions/runs/1",
    });
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.match(/characters cut; the full output is in the \[workflow run\]/g)).toHaveLength(2);
    expect(body).toContain("### Policy controls"); // what comes after the plans survives the cut
  });

  it("fences plan text with more backticks than it contains, so it cannot break out of the code block", () => {
    const body = renderComment({ results: [planned("main", "plan-changes.json", 'description = "```"\n')] });
    expect(body).toContain('````text\ndescription = "```"\n````');
  });

  it("adds notes (e.g. why nothing was planned) and marks unplanned stacks", () => {
    const body = renderComment({ results: [{ stack: "ecr", status: "skipped" }], notes: ["No plan: local backend."] });
    expect(body).toContain("- ⏭️ `ecr`: not planned");
    expect(body).toContain("> [!NOTE]\n> No plan: local backend.");
    expect(body).not.toContain("<details>");
  });
});

describe("plan-summary CLI", () => {
  let dir = "";
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reads <dir>/<stack>/plan.{json,txt,log} as pr.yml writes them and renders the comment", () => {
    dir = mkdtempSync(join(tmpdir(), "plan-summary-"));
    mkdirSync(join(dir, "ecr"));
    writeFileSync(join(dir, "ecr", "plan.json"), fixture("plan-no-changes.json"));
    writeFileSync(join(dir, "ecr", "plan.txt"), "No changes. Your infrastructure matches the configuration.\n");
    mkdirSync(join(dir, "main"));
    writeFileSync(
      join(dir, "main", "plan.log"),
      "Error: configuring Terraform AWS Provider: no valid credential sources\n",
    );
    writeFileSync(join(dir, "policy.md"), "| control | status |\n|---|---|\n");
    const out = join(dir, "comment.md");

    const result = spawnSync(
      join(REPO_ROOT, "node_modules", ".bin", "tsx"),
      [
        "scripts/plan-summary.ts",
        "--dir",
        dir,
        "--stacks",
        "ecr,main",
        "--policy",
        join(dir, "policy.md"),
        "--sha",
        "abc",
        "--out",
        out,
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    expect(result.status, result.stderr).toBe(0);
    const body = readFileSync(out, "utf8");
    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true);
    expect(body).toContain("- ✅ `ecr`: no changes");
    expect(body).toContain("- ❌ `main`: plan failed");
    expect(body).toContain("no valid credential sources");
    expect(body).toContain("### Policy controls");
    expect(result.stderr).toContain("❌ `main`: plan failed");
  });

  it("does not fail when the policy file is absent (npm run policy may not exist)", () => {
    dir = mkdtempSync(join(tmpdir(), "plan-summary-"));
    const result = spawnSync(
      join(REPO_ROOT, "node_modules", ".bin", "tsx"),
      ["scripts/plan-summary.ts", "--dir", dir, "--policy", join(dir, "absent.md")],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("- ⏭️ `ecr`: not planned");
    expect(result.stdout).not.toContain("Policy");
  });

  it("exits 2 with usage without --dir", () => {
    const result = spawnSync(join(REPO_ROOT, "node_modules", ".bin", "tsx"), ["scripts/plan-summary.ts"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^usage: tsx scripts\/plan-summary.ts --dir/);
  });

  it("reports an unreadable plan.json as a failed stack instead of crashing", () => {
    dir = mkdtempSync(join(tmpdir(), "plan-summary-"));
    mkdirSync(join(dir, "main"));
    writeFileSync(join(dir, "main", "plan.json"), JSON.stringify({ format_version: "1.2", errored: true }));
    const result = loadStackResult(dir, "main");
    expect(result).toMatchObject({ status: "failed" });
    expect(result.status === "failed" && result.log).toMatch(/plan.json could not be summarised: the plan errored/);
  });
});
