import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { run as lintDockerfile } from "dockerfilelint";
import { expect, it } from "vitest";

export interface Dockerfile {
  readonly content: string;
  /** One entry per instruction: comments dropped, `\` continuations joined. */
  readonly instructions: readonly string[];
  /** The instructions of the last stage (what the image runs), from its FROM. */
  readonly runtimeStage: readonly string[];
}

/** A service's Dockerfile, read and split into instructions. */
export function readDockerfile(path: string): Dockerfile {
  const content = readFileSync(path, "utf8");
  const instructions = content
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const runtimeStage = instructions.slice(instructions.findLastIndex((line) => line.startsWith("FROM ")));
  return { content, instructions, runtimeStage };
}

/**
 * dockerfilelint 1.8 predates FROM's flags: it takes `--platform=$BUILDPLATFORM` for the image name and reports a
 * missing tag. The flag is taken out before linting, so everything else (the image and its tag included) is linted as
 * written; each Dockerfile's own tests check the flag.
 */
export const withoutFromPlatformFlag = (content: string) =>
  content.replace(/^FROM --platform=\$BUILDPLATFORM /gm, "FROM ");

/** The two lint tests every service's Dockerfile gets (call inside its describe). */
export function itPassesDockerfilelint(path: string, content: string): void {
  it("Dockerfile: passes dockerfilelint with no issues", () => {
    expect(lintDockerfile(dirname(path), withoutFromPlatformFlag(content))).toEqual([]);
  });

  it("Dockerfile: the linter does report problems (guards against a linter that silently checks nothing)", () => {
    expect(lintDockerfile(".", "FROM node\nRUN apt-get install curl\nCMD node main.js\n").length).toBeGreaterThan(0);
  });
}

/**
 * The V8 young generation (MiB: three semi-spaces) of a process started with `nodeOptions`. Left to V8, it follows the
 * memory the process sees (3 MiB in a 512 MB task, 48-192 MiB on a large host), so an image must pin it for its
 * benchmarks to describe its tasks. The old generation is set here only to subtract it from the heap limit.
 */
export function youngGenerationMb(nodeOptions: string): number {
  const oldMb = 64;
  const limitMb = execFileSync(
    process.execPath,
    ["-p", "require('v8').getHeapStatistics().heap_size_limit / 2 ** 20"],
    {
      env: { ...process.env, NODE_OPTIONS: `${nodeOptions} --max-old-space-size=${oldMb}` },
      encoding: "utf8",
    },
  );
  return Number(limitMb) - oldMb;
}
