/**
 * scripts/deploy-main.sh's last step: after `cdktf deploy`, it waits for the ECS deployments the apply started
 * (scripts/wait-rollout.ts, stubbed here through npx) and fails the deploy when the wait does.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { STUBS } from "./stubs.js";

const SCRIPT = join(REPO_ROOT, "scripts", "deploy-main.sh");
/** npx as in STUBS, except that the rollout wait exits with $STUB_ROLLOUT_EXIT (a rollback is 1). */
const NPX = `#!/usr/bin/env bash
echo "npx $*" >>"$STUB_LOG"
case "$*" in *wait-rollout*) exit "\${STUB_ROLLOUT_EXIT:-0}" ;; esac
`;
let work = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "deploy-main-rollout-"));
  mkdirSync(join(work, "bin"));
  for (const [name, text] of Object.entries({ terraform: STUBS.terraform!, aws: STUBS.aws!, npx: NPX })) {
    writeFileSync(join(work, "bin", name), text);
    chmodSync(join(work, "bin", name), 0o755);
  }
  mkdirSync(join(work, "cdktf.out", "stacks", "main", ".terraform"), { recursive: true });
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function deploy(env: Record<string, string>) {
  const log = join(work, `calls-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  const stackDir = join(work, "cdktf.out", "stacks", "main");
  const result = spawnSync("bash", [SCRIPT, "--auto-approve"], {
    cwd: work,
    encoding: "utf8",
    env: {
      PATH: `${join(work, "bin")}:${process.env.PATH}`,
      HOME: work,
      STUB_LOG: log,
      CDKTF_OUTDIR: join(work, "cdktf.out"),
      MAIN_STACK_DIR: stackDir,
      SKIP_MARK_DEPLOYED: "1",
      STUB_RUNNING_API_TAG: "run-api",
      STUB_RUNNING_PROCESSOR_TAG: "run-proc",
      ...env,
    },
  });
  const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
  return { ...result, calls, stackDir };
}

describe("deploy-main.sh: the ECS deployments' outcome", () => {
  it("waits for the deployments after the apply, from the apply's start, within the bound", () => {
    const result = deploy({ ROLLOUT_TIMEOUT_MINUTES: "45" });
    expect(result.status, result.stderr).toBe(0);
    const apply = result.calls.findIndex((call) => call.startsWith("npx cdktf deploy main"));
    const wait = result.calls.findIndex((call) => call.startsWith("npx tsx scripts/wait-rollout.ts"));
    expect(apply).toBeGreaterThanOrEqual(0);
    expect(wait).toBe(apply + 1);
    expect(result.calls[wait]).toMatch(
      new RegExp(
        `--stack-dir ${result.stackDir} --since \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ --timeout-minutes 45$`,
      ),
    );
  });

  it("fails the deploy when a deployment rolled back", () => {
    const result = deploy({ STUB_ROLLOUT_EXIT: "1" });
    expect(result.status).toBe(1);
  });
});
