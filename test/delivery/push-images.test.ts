/**
 * scripts/push-images.sh with stand-ins for docker, aws and terraform on PATH: no Docker engine or AWS here, so what
 * is checked is what the script asks them to do (the same calls deploy.yml's "Build and push images" step makes).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { STUBS } from "./stubs.js";

const SCRIPT = join(REPO_ROOT, "scripts", "push-images.sh");
const REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
const API_URL = `${REGISTRY}/orders-prod/api`;
const PROCESSOR_URL = `${REGISTRY}/orders-prod/processor`;
const TAG = "0123456789abcdef0123456789abcdef01234567";

let work = "";
let bin = "";

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "push-images-"));
  bin = join(work, "bin");
  mkdirSync(bin);
  for (const [name, text] of Object.entries(STUBS)) {
    writeFileSync(join(bin, name), text);
    chmodSync(join(bin, name), 0o755);
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  calls: string[];
}

function run(args: string[], env: Record<string, string> = {}): Run {
  const log = join(work, `calls-${Math.random().toString(36).slice(2)}.log`);
  writeFileSync(log, "");
  const result = spawnSync("bash", [SCRIPT, ...args], {
    cwd: work, // the script must find the repository root on its own
    encoding: "utf8",
    env: {
      PATH: `${bin}:${process.env.PATH ?? "/usr/bin:/bin"}`,
      HOME: work,
      STUB_LOG: log,
      API_REPOSITORY_URL: API_URL,
      PROCESSOR_REPOSITORY_URL: PROCESSOR_URL,
      ...env,
    },
  });
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    calls: readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

describe("push-images.sh arguments", () => {
  it("exits non-zero with the usage message when the tag is missing", () => {
    const result = run([]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("expected exactly one argument, the image tag");
    expect(result.stderr).toContain("Usage: scripts/push-images.sh [--check | --mark-deployed] <tag>");
    expect(result.stderr).toContain("npm run images:push -- [--check | --mark-deployed] <tag>");
    expect(result.calls).toEqual([]); // nothing was looked up, built or pushed
  });

  it.each([[["a", "b"]], [[""]], [["-leading-dash"]], [["has space"]], [["x".repeat(129)]]])(
    "rejects %j with the usage message",
    (args) => {
      const result = run(args);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain("Usage: scripts/push-images.sh [--check | --mark-deployed] <tag>");
      expect(result.calls).toEqual([]);
    },
  );

  it("prints the usage on --help and exits 0", () => {
    const result = run(["--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: scripts/push-images.sh [--check | --mark-deployed] <tag>");
  });
});

describe("push-images.sh build and push", () => {
  it("builds both Dockerfiles from the repository root for linux/amd64 and pushes <url>:<tag>", () => {
    const result = run([TAG]);
    expect(result.status, result.stderr).toBe(0);
    const docker = result.calls.filter((call) => call.startsWith("docker "));
    expect(docker).toEqual([
      `docker login --username AWS --password-stdin ${REGISTRY}`,
      "docker login password=stub-password",
      expect.stringMatching(
        new RegExp(
          `^docker build --platform linux/amd64 -f apps/api/Dockerfile -t ${API_URL}:${TAG} --label org.opencontainers.image.revision=\\S+ \\.$`,
        ),
      ),
      expect.stringMatching(
        new RegExp(`^docker build --platform linux/amd64 -f apps/processor/Dockerfile -t ${PROCESSOR_URL}:${TAG} `),
      ),
      `docker push ${API_URL}:${TAG}`,
      `docker push ${PROCESSOR_URL}:${TAG}`,
    ]);
    expect(result.calls).toContain(`aws ecr get-login-password --region eu-west-1`);
    expect(result.calls).toContain(
      `aws ecr describe-images --region eu-west-1 --repository-name orders-prod/api --image-ids imageTag=${TAG} --query imageDetails[0].imageDigest --output text`,
    );
  });

  it("skips a service whose tag already exists (immutable tags: a re-run must not fail)", () => {
    const result = run([TAG], { STUB_EXISTING: "orders-prod/api" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${API_URL}:${TAG} already exists (tags are immutable), skipping api`);
    expect(result.calls.filter((call) => /^docker (build|push)/.test(call) && call.includes("/api"))).toEqual([]);
    expect(result.calls).toContain(`docker push ${PROCESSOR_URL}:${TAG}`);
  });

  it("does nothing but look when both tags exist", () => {
    const result = run([TAG], { STUB_EXISTING: "orders-prod/api orders-prod/processor" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.calls.filter((call) => call.startsWith("docker"))).toEqual([]);
  });

  it("stops on a lookup error other than 'not found' instead of pushing blind", () => {
    const result = run([TAG], { STUB_FAIL_DESCRIBE: "orders-prod/processor" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("AccessDeniedException");
    expect(result.stderr).toContain("could not look up orders-prod/processor");
    expect(result.calls.filter((call) => /^docker (build|push)/.test(call))).toEqual([]);
  });

  it("pushes nothing when a build fails", () => {
    const result = run([TAG], { STUB_FAIL_BUILD: "1" });
    expect(result.status).not.toBe(0);
    expect(result.calls.filter((call) => call.startsWith("docker push"))).toEqual([]);
  });

  it("builds for linux/arm64 when the var file's cpu_architecture is arm64 (IMAGE_PLATFORM unset)", () => {
    const dir = mkdtempSync(join(tmpdir(), "push-images-arch-"));
    try {
      const file = join(dir, "arm.tfvars.json");
      writeFileSync(file, JSON.stringify({ cpu_architecture: "arm64" }));
      const result = run([TAG], { TFVARS_FILE: file });
      expect(result.status, result.stderr).toBe(0);
      const builds = result.calls.filter((call) => call.startsWith("docker build "));
      expect(builds).toHaveLength(2);
      expect(builds.every((call) => call.startsWith("docker build --platform linux/arm64 "))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("honours IMAGE_PLATFORM, and talks to ECR in the repository's region whatever AWS_REGION says", () => {
    const result = run([TAG], { IMAGE_PLATFORM: "linux/arm64", AWS_REGION: "eu-central-1" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.calls.some((call) => call.startsWith("docker build --platform linux/arm64 "))).toBe(true);
    expect(result.calls).toContain("aws ecr get-login-password --region eu-west-1");
    expect(result.calls.filter((call) => call.includes("eu-central-1"))).toEqual([]);
  });

  it("rejects a repository URL that is not ECR's", () => {
    const result = run([TAG], { API_REPOSITORY_URL: "docker.io/library/api" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("is not an ECR repository URL");
  });
});

describe("push-images.sh --check (before a rollback)", () => {
  it("succeeds without building or logging in when both tags exist", () => {
    const result = run(["--check", TAG], { STUB_EXISTING: "orders-prod/api orders-prod/processor" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`api processor: the images exist for ${TAG}`);
    expect(result.calls.filter((call) => call.startsWith("docker") || call.includes("get-login-password"))).toEqual([]);
  });

  it("fails, naming the service, when a tag is missing", () => {
    const result = run(["--check", TAG], { STUB_EXISTING: "orders-prod/api" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`${PROCESSOR_URL}:${TAG} does not exist`);
    expect(result.stderr).toContain(`processor has no image tagged ${TAG} (deploying it would fail)`);
    expect(result.calls.filter((call) => call.startsWith("docker"))).toEqual([]);
  });

  it("still requires the tag", () => {
    const result = run(["--check"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: scripts/push-images.sh [--check | --mark-deployed] <tag>");
  });
});

describe("push-images.sh --mark-deployed (before every deploy: the lifecycle policy keeps deployed images)", () => {
  it("adds deployed-<tag> to each existing image, with its own manifest, building nothing", () => {
    const result = run(["--mark-deployed", TAG], { STUB_EXISTING: "orders-prod/api orders-prod/processor" });
    expect(result.status, result.stderr).toBe(0);
    const puts = result.calls.filter((call) => call.startsWith("aws ecr put-image"));
    expect(puts).toEqual([
      expect.stringContaining(
        `--repository-name orders-prod/api --image-tag deployed-${TAG} --image-manifest {"schemaVersion":2}`,
      ),
      expect.stringContaining(
        `--repository-name orders-prod/processor --image-tag deployed-${TAG} --image-manifest {"schemaVersion":2}`,
      ),
    ]);
    expect(result.calls.filter((call) => call.startsWith("docker"))).toEqual([]);
  });

  it("succeeds when an image is already marked (a re-deploy), and acts only on IMAGE_SERVICES", () => {
    const result = run(["--mark-deployed", "v1"], {
      STUB_EXISTING: "orders-prod/processor",
      STUB_MARKED: "deployed-v1",
      IMAGE_SERVICES: "processor",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`${PROCESSOR_URL}:v1 was already marked deployed-v1`);
    expect(result.calls.some((call) => call.includes("orders-prod/api"))).toBe(false);
  });

  it("cuts the marker to ECR's 128-character tag limit", () => {
    const long = "a".repeat(128);
    const result = run(["--mark-deployed", long], { STUB_EXISTING: "orders-prod/api orders-prod/processor" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.calls.find((call) => call.startsWith("aws ecr put-image"))).toContain(
      `--image-tag deployed-${"a".repeat(119)} `,
    );
  });

  it("fails, naming the service, when the image to mark does not exist", () => {
    const result = run(["--mark-deployed", TAG], { STUB_EXISTING: "orders-prod/api" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`processor has no image tagged ${TAG}`);
    expect(result.calls.filter((call) => call.startsWith("aws ecr put-image"))).toEqual([]);
  });
});

describe("push-images.sh repository URLs from the ecr stack", () => {
  const withoutOverrides = { API_REPOSITORY_URL: "", PROCESSOR_REPOSITORY_URL: "" };

  it("reads terraform output -raw <service>_repository_url in the synthesized ecr stack, initialising it first", () => {
    const stackDir = join(work, "ecr-stack");
    mkdirSync(stackDir, { recursive: true });
    writeFileSync(join(stackDir, "cdk.tf.json"), "{}");
    const result = run([TAG], {
      ...withoutOverrides,
      ECR_STACK_DIR: stackDir,
      STUB_API_URL: API_URL,
      STUB_PROCESSOR_URL: PROCESSOR_URL,
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.calls).toContain(`terraform -chdir=${stackDir} init -input=false -no-color`);
    expect(result.calls).toContain(`terraform -chdir=${stackDir} output -raw api_repository_url`);
    expect(result.calls).toContain(`terraform -chdir=${stackDir} output -raw processor_repository_url`);
    expect(result.calls).toContain(`docker push ${PROCESSOR_URL}:${TAG}`);
  });

  it("says to synthesize first when the ecr stack is not in cdktf.out", () => {
    const result = run([TAG], { ...withoutOverrides, ECR_STACK_DIR: join(work, "absent") });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("run `npm run synth` first");
  });

  it("says to deploy the ecr stack when it has no outputs", () => {
    const stackDir = join(work, "ecr-undeployed");
    mkdirSync(join(stackDir, ".terraform"), { recursive: true });
    writeFileSync(join(stackDir, "cdk.tf.json"), "{}");
    const result = run([TAG], { ...withoutOverrides, ECR_STACK_DIR: stackDir, STUB_API_URL: "" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("no output api_repository_url");
    expect(result.stderr).toContain("deploy the ecr stack first (npm run deploy:ecr)");
    expect(result.calls.filter((call) => call.includes(" init "))).toEqual([]); // already initialised
  });
});
