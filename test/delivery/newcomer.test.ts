/**
 * A newcomer's first hour, as a test: the README's commands (and the pages it links for cost and the local run) in a
 * fresh copy of the tree that shares node_modules, on a PATH without `terraform` (the README asks for Node and Java
 * only). Each step fails on a surprise a new user met: a var file silently ignored, a command that does not say which
 * var file it read, a stack trace, `npm run local` needing Terraform.
 */
import { execFile, spawn } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { pathWithNode, serviceNodePath } from "../../kit/image-node.js";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { scratchCheckout } from "../support/scratch-checkout.js";
import { waitFor } from "../support/wait-for.js";
import { runNpm, STACK_TRACE } from "../support/run-npm.js";

let dir = "";
let env: NodeJS.ProcessEnv = {};

/** PATH without the directories that hold a `terraform` binary (the README promises it is not needed). */
function pathWithoutTerraform(path: string): string {
  const has = (folder: string, name: string) => {
    try {
      accessSync(join(folder, name), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  const kept = path.split(delimiter).filter((folder) => folder && !has(folder, "terraform"));
  for (const needed of ["node", "npm", "java"])
    if (!kept.some((folder) => has(folder, needed)))
      throw new Error(`no ${needed} left on PATH once the terraform folders are removed: ${kept.join(delimiter)}`);
  return kept.join(delimiter);
}

beforeAll(() => {
  dir = scratchCheckout();
  rmSync(join(dir, "cdktf.out"), { recursive: true, force: true });
  const example = JSON.parse(readFileSync(join(dir, "terraform.tfvars.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "staging.tfvars.json"), JSON.stringify({ ...example, environment: "staging" }, null, 2));
  const { TFVARS_FILE: _ignored, ...inherited } = process.env;
  env = {
    ...inherited,
    CHECKPOINT_DISABLE: "1",
    PATH: pathWithoutTerraform(pathWithNode(serviceNodePath(inject("imageNode")))),
  };
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function npm(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runNpm(args, { cwd: dir, env: { ...env, ...extraEnv } });
}

/** One of the "Try it" lines `npm run local` prints, run by the shell as a user pastes it; status and body. */
async function pasted(line: string): Promise<{ status: number; body: string }> {
  const { stdout } = await promisify(execFile)("sh", ["-c", `${line} -w '\\n%{http_code}'`]);
  const at = stdout.lastIndexOf("\n");
  return { status: Number(stdout.slice(at + 1)), body: stdout.slice(0, at) };
}

/** SIGKILL to a process group that may already be gone (its exit event not yet seen here): ESRCH is fine. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

describe("newcomer: the README's path in a fresh checkout, without terraform", () => {
  test("newcomer: the commands below are the ones the README and its pages give", () => {
    const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");
    expect(read("README.md")).toContain("npm ci && npm run synth");
    expect(read("README.md")).toContain("npm run synth -- --var-file FILE");
    expect(read("README.md")).toContain("npm run policy");
    expect(read("docs/COST.md")).toContain("npm run cost -- --rps N --payload-bytes N --reads-per-request N");
    expect(read("docs/LOCAL.md")).toContain("npm run local\n");
    // The example's default mode is iam: the printed curl lines sign, as docs/LOCAL.md shows.
    expect(read("docs/LOCAL.md")).toContain(`--aws-sigv4 "aws:amz:eu-west-1:execute-api"`);
  });

  test("newcomer: npm run synth writes both stacks and names the var file it read", { timeout: 120_000 }, async () => {
    const run = await npm(["synth"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("var file: terraform.tfvars.json (the default)");
    expect(run.stdout).toMatch(
      /^ecr: \d+ resources, \d+ data sources, \d+ outputs -> cdktf.out\/stacks\/ecr\/cdk.tf.json$/m,
    );
    expect(run.stdout).toMatch(/^main: \d+ resources, \d+ data sources, \d+ outputs, after ecr -> /m);
    expect(existsSync(join(dir, "cdktf.out", "stacks", "main", "cdk.tf.json"))).toBe(true);
  });

  test(
    "newcomer: another var file is synthesized with --var-file, and a bare file name is refused, not ignored",
    { timeout: 120_000 },
    async () => {
      const run = await npm(["synth", "--", "--var-file", "staging.tfvars.json"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toContain("var file: staging.tfvars.json (from --var-file)");
      expect(readFileSync(join(dir, "cdktf.out", "stacks", "main", "cdk.tf.json"), "utf8")).toContain("-staging-");
      const bare = await npm(["synth", "--", "staging.tfvars.json"]);
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain("--var-file staging.tfvars.json");
      const help = await npm(["synth", "--", "--help"]);
      expect(help.code).toBe(0);
      expect(help.stderr).not.toMatch(STACK_TRACE);
    },
  );

  test(
    "newcomer: npm run policy passes and names the var file, from --var-file or TFVARS_FILE",
    { timeout: 120_000 },
    async () => {
      const run = await npm(["policy"]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^\| /m);
      expect(run.stderr).toContain("var file: terraform.tfvars.json (the default)");
      const staging = await npm(["policy"], { TFVARS_FILE: "staging.tfvars.json" });
      expect(staging.stderr).toContain("var file: staging.tfvars.json (from TFVARS_FILE)");
    },
  );

  test(
    "newcomer: npm run cost prints a bill and names the var file, TFVARS_FILE included",
    { timeout: 120_000 },
    async () => {
      const profile = ["--rps", "10", "--payload-bytes", "768", "--reads-per-request", "1"];
      const run = await npm(["cost", "--", ...profile], { TFVARS_FILE: "staging.tfvars.json" });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toMatch(/^Monthly bill, /);
      expect(run.stderr).toContain("var file: staging.tfvars.json (from TFVARS_FILE)");
    },
  );

  test(
    "newcomer: npm run local starts without terraform, its printed curl POST is readable with its curl GET, and Ctrl-C stops it",
    { timeout: 240_000 },
    async () => {
      const child = spawn("npm", ["run", "local", "--", "--ingest-port", "0", "--query-port", "0"], {
        cwd: dir,
        env,
        detached: true,
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
      try {
        // A run that dies at start-up (e.g. looking for terraform) fails at once with its output, not at the timeout.
        const died = exited.then((code) => Promise.reject(new Error(`npm run local exited with ${code}:\n${output}`)));
        died.catch(() => undefined);
        await Promise.race([
          died,
          waitFor("npm run local to print its URLs", () => output.includes("Ctrl-C stops everything."), {
            timeoutMs: 180_000,
            intervalMs: 200,
          }),
        ]);
        expect(output).toContain("var file: terraform.tfvars.json (the default)");
        // The "Try it" lines as printed: in the example's iam mode they sign with --aws-sigv4 and carry the key.
        const [postLine, getLine] = output.split("\n").filter((line) => line.startsWith("  curl -s "));
        expect(postLine).toContain("--aws-sigv4");
        expect(getLine).toContain("<requestId from the answer>");
        const posted = await pasted(postLine!);
        expect(posted.status, posted.body).toBe(202);
        const { requestId } = JSON.parse(posted.body) as { requestId: string };
        const item = await waitFor(
          `the printed GET line for ${requestId} to return 200`,
          async () => {
            const read = await pasted(getLine!.replace("<requestId from the answer>", requestId));
            return read.status === 200 ? (JSON.parse(read.body) as Record<string, unknown>) : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 200 },
        );
        expect(item).toMatchObject({ requestId, status: "processed", payload: { hello: "world" } });
        process.kill(-child.pid!, "SIGINT");
        await waitFor("npm run local to stop", () => (output.includes("Stopped.") ? true : undefined), {
          timeoutMs: 60_000,
          intervalMs: 200,
        });
        expect(output).not.toMatch(STACK_TRACE);
        expect(output).not.toMatch(/version of terraform|terraform: not found/);
      } finally {
        if (child.exitCode === null) killGroup(child.pid!);
        await exited;
      }
    },
  );
});
