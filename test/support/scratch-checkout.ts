import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/repo-root.js";

/**
 * A copy of this checkout as a user would have it (tracked files and new ones not ignored, as they are now), in a
 * temporary folder, sharing this checkout's node_modules through a symlink. Commands run there write their own
 * cdktf.out and synth bundle, so they never race with tests synthesizing in this checkout. The caller removes it.
 */
export function scratchCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), "checkout-"));
  const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  for (const file of files.split("\0").filter(Boolean)) cpSync(join(REPO_ROOT, file), join(dir, file));
  symlinkSync(join(REPO_ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}
