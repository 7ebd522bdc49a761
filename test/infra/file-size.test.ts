import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";

/**
 * Files a reader should take in at one sitting. Past this size a file has grown a second concern: split it by
 * concern (as policy/controls/ is split per AWS service), rather than raise the limit.
 */
const MAX_LINES = 250;
const KEPT_SMALL = ["apps/api/src", "apps/processor/src", "apps/shared/src", "config", "stacks", "policy", "local"];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function oversizeFiles(dirs: readonly string[], maxLines = MAX_LINES): string[] {
  return dirs
    .flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
    .map((file) => ({ file: relative(REPO_ROOT, file), lines: readFileSync(file, "utf8").split("\n").length - 1 }))
    .filter(({ lines }) => lines > maxLines)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
}

describe("file sizes", () => {
  test(`no file under ${KEPT_SMALL.join(", ")} exceeds ${MAX_LINES} lines`, () => {
    expect(oversizeFiles(KEPT_SMALL)).toEqual([]);
  });

  test("file sizes: a file over the limit is reported with its line count", () => {
    expect(oversizeFiles(["apps/shared/src"], 5)).toContainEqual(
      expect.stringMatching(/^apps\/shared\/src\/\S+\.ts: \d+ lines$/),
    );
  });
});
