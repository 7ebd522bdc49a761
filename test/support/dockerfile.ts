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

/** The two lint tests every service's Dockerfile gets (call inside its describe). */
export function itPassesDockerfilelint(path: string, content: string): void {
  it("Dockerfile: passes dockerfilelint with no issues", () => {
    expect(lintDockerfile(dirname(path), content)).toEqual([]);
  });

  it("Dockerfile: the linter does report problems (guards against a linter that silently checks nothing)", () => {
    expect(lintDockerfile(".", "FROM node\nRUN apt-get install curl\nCMD node main.js\n").length).toBeGreaterThan(0);
  });
}
