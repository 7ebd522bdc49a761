import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";

/**
 * Files a reader should take in at one sitting. Past this size a file has grown a second concern: split it by
 * concern (as policy/controls/ is split per AWS service), rather than raise the limit.
 */
const MAX_LINES = 250;
const KEPT_SMALL = [
  "apps/api/src",
  "apps/processor/src",
  "apps/shared/src",
  "config",
  "stacks",
  "policy",
  "local",
  "scripts",
  "bench",
];
/** A folder a reader can scan in one look; past this it has grown a second concern: split it into subfolders. */
const MAX_FILES_PER_FOLDER = 20;
/** Generated or installed, not written: never counted. Dot folders (.git, .local, ...) are skipped too. */
const NOT_SOURCE = new Set(["node_modules", "cdktf.out", "coverage", "reports"]);
const SOURCE_FILE = /\.(ts|mjs)$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return SOURCE_FILE.test(entry.name) ? [path] : [];
  });
}

function oversizeFiles(dirs: readonly string[], maxLines = MAX_LINES): string[] {
  return dirs
    .flatMap((dir) => sourceFiles(join(REPO_ROOT, dir)))
    .map((file) => ({ file: relative(REPO_ROOT, file), lines: readFileSync(file, "utf8").split("\n").length - 1 }))
    .filter(({ lines }) => lines > maxLines)
    .map(({ file, lines }) => `${file}: ${lines} lines`);
}

/** Every folder under `dir` (itself included) holding more than `maxFiles` source files, with its count. */
function crowdedFolders(dir: string, maxFiles = MAX_FILES_PER_FOLDER): string[] {
  const entries = readdirSync(dir, { withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && SOURCE_FILE.test(entry.name)).length;
  const here = files > maxFiles ? [`${relative(REPO_ROOT, dir) || "."}: ${files} source files`] : [];
  const below = entries
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith(".") && !NOT_SOURCE.has(entry.name))
    .flatMap((entry) => crowdedFolders(join(dir, entry.name), maxFiles));
  return [...here, ...below];
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

  test(`no folder holds more than ${MAX_FILES_PER_FOLDER} source files`, () => {
    expect(crowdedFolders(REPO_ROOT)).toEqual([]);
  });

  test("folder sizes: a crowded folder is reported with its count, below the first level too", () => {
    expect(crowdedFolders(join(REPO_ROOT, "stacks"), 5)).toContainEqual(
      expect.stringMatching(/^stacks\/monitoring: \d+ source files$/),
    );
  });
});
