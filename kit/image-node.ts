import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { chmod, copyFile, readFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { fetchNode } from "../tools/fetch-node.mjs";
import { REPO_ROOT } from "./repo-root.js";

/**
 * The Node.js this project runs on: the release in `.nvmrc`, which development, CI and every test and bench that
 * spawns a service process use, and whose major the Dockerfiles' `FROM node:<major>-...` must match (a test keeps them
 * in step). Where the running Node is another release, tools/fetch-node.mjs fetches it from the npm registry.
 */
export const IMAGE_NODE_VERSION = readFileSync(join(REPO_ROOT, ".nvmrc"), "utf8").trim();

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
 * The images' Node: this process's when it is that release, else the cached binary, fetching it first if needed;
 * `unavailable` (with why) off linux-x64 or without the registry. `cacheDir` defaults to the user's cache;
 * `npm run check:cdktn` passes a scratch directory, since it must leave the machine as it found it.
 */
export async function fetchImageNode(cacheDir?: string): Promise<ImageNode> {
  if (process.version === `v${IMAGE_NODE_VERSION}`) return { path: process.execPath };
  return fetchNode(IMAGE_NODE_VERSION, cacheDir);
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
