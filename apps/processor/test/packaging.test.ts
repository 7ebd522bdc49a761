import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createFixture, sendBodies, validBodies } from "../../../kit/emulator-fixtures.js";
import { expectItemsMatch, spawnProcessor, waitForEmptyQueue } from "./support.js";
import { REPO_ROOT } from "../../../kit/repo-root.js";
import { sharedEmulators } from "../../../test/support/shared-emulators.js";
import { bundleRuntime, dockerfileNodeMajor, imageNodeOptions, nodeMajor } from "../../../kit/image-node.js";
import { itPassesDockerfilelint, readDockerfile, youngGenerationMb } from "../../../test/support/dockerfile.js";
import { unprivileged } from "../../../test/support/unprivileged.js";

const DOCKERFILE = resolve(import.meta.dirname, "../Dockerfile");
const { content, instructions, runtimeStage } = readDockerfile(DOCKERFILE);

describe("apps/processor/Dockerfile", () => {
  itPassesDockerfilelint(DOCKERFILE, content);

  it("Dockerfile: is multi-stage on Node 24 LTS; runtime runs the bundle as the non-root node user, exec-form CMD", () => {
    expect(instructions.filter((line) => line.startsWith("FROM "))).toEqual([
      "FROM --platform=$BUILDPLATFORM node:24-bookworm-slim AS build",
      "FROM node:24-bookworm-slim",
    ]);
    expect(runtimeStage).toContain("USER node");
    expect(runtimeStage).toContain('ENV NODE_ENV=production NODE_OPTIONS="--max-semi-space-size=8"');
    expect(runtimeStage).toContain("EXPOSE 8081");
    expect(runtimeStage.at(-1)).toBe('CMD ["node", "dist/main.js"]');
  });

  it("Dockerfile: the young generation is pinned (24 MiB), whatever memory the host has; the old one follows the task", async () => {
    const nodeOptions = await imageNodeOptions("processor");
    expect(nodeOptions).toBe("--max-semi-space-size=8");
    expect(youngGenerationMb(nodeOptions)).toBe(24);
  });

  it("Dockerfile: runtime copies only the bundle (no node_modules, no RUN, nothing written at run time)", () => {
    expect(runtimeStage.filter((line) => line.startsWith("COPY") || line.startsWith("ADD"))).toEqual([
      "COPY --from=build /out/dist ./dist",
    ]);
    expect(runtimeStage.some((line) => line.startsWith("RUN") || line.startsWith("VOLUME"))).toBe(false);
    expect(instructions).toContain("RUN npm ci --ignore-scripts --no-audit --no-fund");
    expect(instructions).toContain("RUN node apps/shared/bundle.mjs processor /out/dist/main.js");
  });
});

describe("processor bundle (what the image runs, on the images' Node: kit/image-node.ts)", () => {
  const outdir = mkdtempSync(join(tmpdir(), "processor-bundle-"));
  // Where it is unavailable, the bundle runs on this Node and the global setup has printed why.
  const imageNode = inject("imageNode");

  // One copy of the binary (126 MB) for both tests, made while the directory is still writable.
  let runtime: string;
  beforeAll(async () => {
    runtime = await bundleRuntime(imageNode, outdir);
  });

  it.skipIf("unavailable" in imageNode)(
    "bundle: the images' Node is the major of the Dockerfile's FROM line",
    async () => {
      expect(await nodeMajor(runtime)).toBe(await dockerfileNodeMajor(DOCKERFILE));
    },
  );

  const home = join(outdir, "home");
  // Root ignores file modes: the bundle runs as an unprivileged user then (the image runs as `node`, not root).
  const user = unprivileged;
  const canWrite = (dir: string) =>
    spawnSync(
      process.execPath,
      ["-e", "require('node:fs').writeFileSync(process.argv[1], '')", join(dir, "probe")],
      user,
    ).status === 0;
  afterAll(() => {
    // Writable again, or a non-root runner could not remove what is inside.
    for (const dir of [outdir, home]) if (existsSync(dir)) chmodSync(dir, 0o700);
    rmSync(outdir, { recursive: true, force: true });
  });

  it("bundle: the esbuild bundle starts with plain node outside the repo on a read-only filesystem, processes messages, serves /health, exits 0 on SIGTERM", async () => {
    // GIVEN the bundle built by the Dockerfile's script, in a directory with no node_modules that is then made
    // read-only, as are HOME and TMPDIR (the task's root filesystem is read-only)
    const build = spawnSync(process.execPath, ["apps/shared/bundle.mjs", "processor", join(outdir, "main.js")], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    expect(build.status, build.stderr).toBe(0);
    mkdirSync(home);
    chmodSync(home, 0o555);
    chmodSync(outdir, 0o555);
    expect(canWrite(outdir) || canWrite(home), "the bundle's directory and HOME must be read-only for its user").toBe(
      false,
    );
    const fixture = await createFixture(sharedEmulators());
    const sent = await sendBodies(fixture.sqs, fixture.queueUrl, validBodies(25, "bundle"));
    const env = { NODE_ENV: "production", HOME: home, TMPDIR: home };
    const processor = spawnProcessor(fixture, env, {
      entry: [join(outdir, "main.js")],
      cwd: outdir,
      user,
      node: runtime,
    });
    try {
      // WHEN it runs against the emulators
      const started = await processor.waitForLog("processor started", (l) => l.msg === "processor started");
      await waitForEmptyQueue(fixture, "the bundle to drain the queue", () => processor.lines.slice(-3));
      // THEN every message is stored, and the ECS health check command succeeds against it
      await expectItemsMatch(fixture, sent);
      const check = spawnSync(
        process.execPath,
        [
          "-e",
          "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8081)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))",
        ],
        { env: { PATH: process.env.PATH ?? "", HEALTH_PORT: String(started.healthPort) }, timeout: 10_000 },
      );
      expect(check.status).toBe(0);
    } finally {
      processor.child.kill("SIGTERM");
    }
    expect(await processor.exited).toBe(0);
    expect(processor.lines.some((l) => l.msg === "shutdown complete")).toBe(true);
  });
});
