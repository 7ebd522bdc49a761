/**
 * scripts/deploy-main.sh (`npm run deploy:main`) with stand-ins for terraform, aws and npx (no AWS here) and the real
 * synth: a deploy without image tags keeps the tags that run, so a deploy from a laptop cannot roll production back.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { STUBS } from "./stubs.js";
import { exampleConfigInput } from "../support/example-config.js";

const SCRIPT = join(REPO_ROOT, "scripts", "deploy-main.sh");
let work = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "deploy-main-"));
  mkdirSync(join(work, "bin"));
  for (const name of ["terraform", "aws", "npx"]) {
    writeFileSync(join(work, "bin", name), STUBS[name]!);
    chmodSync(join(work, "bin", name), 0o755);
  }
  mkdirSync(join(work, "cdktf.out", "stacks", "main", ".terraform"), { recursive: true }); // initialised already
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function deploy(env: Record<string, string>, args: readonly string[] = ["--auto-approve"]) {
  const log = join(work, `calls-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  const result = spawnSync("bash", [SCRIPT, ...args], {
    cwd: work,
    encoding: "utf8",
    env: {
      PATH: `${join(work, "bin")}:${process.env.PATH}`,
      HOME: work,
      STUB_LOG: log,
      CDKTF_OUTDIR: join(work, "cdktf.out"),
      MAIN_STACK_DIR: join(work, "cdktf.out", "stacks", "main"),
      API_REPOSITORY_URL: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-prod/api",
      PROCESSOR_REPOSITORY_URL: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-prod/processor",
      STUB_EXISTING: "orders-prod/api orders-prod/processor",
      ...env,
    },
  });
  const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { ...result, calls, deployCall: calls.find((call) => call.startsWith("npx cdktf deploy")) };
}

describe("deploy-main.sh: which image tags a deploy uses", () => {
  it("keeps the running tags when none are given", () => {
    const result = deploy({ STUB_RUNNING_API_TAG: "run-api", STUB_RUNNING_PROCESSOR_TAG: "run-proc" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.deployCall).toBe(
      "npx cdktf deploy main --skip-synth --ignore-missing-stack-dependencies --auto-approve TF_VAR_api_image_tag=run-api TF_VAR_processor_image_tag=run-proc",
    );
    expect(result.stderr).toContain("api: keeps the running image tag run-api");
  });

  it("deploys the given tags, and marks them deployed before deploying", () => {
    const result = deploy({
      STUB_RUNNING_API_TAG: "run-api",
      TF_VAR_api_image_tag: "new-api",
      TF_VAR_processor_image_tag: "new-proc",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.deployCall).toContain("TF_VAR_api_image_tag=new-api TF_VAR_processor_image_tag=new-proc");
    const marks = result.calls
      .filter((call) => call.startsWith("aws ecr put-image"))
      .map((call) => /--image-tag (\S+)/.exec(call)?.[1]);
    expect(marks).toEqual(["deployed-new-api", "deployed-new-proc"]);
    expect(result.calls.indexOf(result.deployCall!)).toBeGreaterThan(
      result.calls.findLastIndex((call) => call.startsWith("aws ecr put-image")),
    );
  });

  it("on a first deploy (no state), uses the var file's tags and says so", () => {
    const result = deploy({});
    expect(result.status, result.stderr).toBe(0);
    expect(result.deployCall).toContain("TF_VAR_api_image_tag=0.1.0 TF_VAR_processor_image_tag=0.1.0");
    expect(result.stderr).toContain("api: no running image tag in the state (a first deploy)");
  });

  it("deploys nothing when a tag to deploy has no image", () => {
    const result = deploy({ TF_VAR_api_image_tag: "missing", STUB_EXISTING: "orders-prod/processor" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("api has no image tagged missing");
    expect(result.deployCall).toBeUndefined();
  });

  it("synthesizes the var file given with --var-file (and says so); cdktf deploy arguments go after --", () => {
    const file = join(work, "staging.tfvars.json");
    writeFileSync(file, JSON.stringify({ ...exampleConfigInput(), environment: "staging" }));
    const result = deploy({}, ["--var-file", file, "--", "--auto-approve", "--parallelism", "2"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`npm run synth: var file: ${file} (from --var-file)`);
    expect(result.deployCall).toContain("--ignore-missing-stack-dependencies --auto-approve --parallelism 2 ");
  });

  it("refuses an unknown argument with its usage and exit 2, before synthesizing anything", () => {
    const result = deploy({}, ["--auto-aprove"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("npm run deploy:main: unknown argument --auto-aprove");
    expect(result.stderr).toContain("Usage: npm run deploy:main -- [options]");
    expect(result.calls).toEqual([]);
  });
});
