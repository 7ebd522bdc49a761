/** The three installs of the check: bundles of the app, and npm installs of just the packages they import. */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { APP_BUNDLE_OPTIONS } from "../../tools/bundle-file.mjs";
import { REPO_ROOT } from "../../kit/repo-root.js";
import type { Target } from "./migrate.js";
import { ENTRY, run, say, withNodeFirst, type Clock, type Layout, type PackageJson } from "./scratch.js";

/** Bundles the app like tools/synth.mjs (our TypeScript in, npm packages external) and lists the packages it imports. */
export async function bundle(entry: string, outfile: string): Promise<string[]> {
  const result = await build({
    ...APP_BUNDLE_OPTIONS,
    entryPoints: [entry],
    outfile,
    target: "node22",
    metafile: true,
  });
  const packages = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      if (!imported.external || imported.path.startsWith("node:")) continue;
      const parts = imported.path.split("/");
      packages.add(imported.path.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  }
  return [...packages].sort();
}

/** `npm install` on the fetched Node (so engine ranges are checked against the Node that runs the synth). */
export async function npmInstall(dir: string, nodeBin: string, extra: readonly string[] = []): Promise<void> {
  const args = [
    "install",
    "--no-audit",
    "--no-fund",
    "--engine-strict",
    "--ignore-scripts",
    "--prefer-offline",
    ...extra,
  ];
  try {
    await run("npm", args, { cwd: dir, env: withNodeFirst(nodeBin), timeout: 600_000, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`npm install in ${dir} failed:\n${stderr ?? String(error)}`, { cause: error });
  }
}

/** Bundles (esbuild reads our sources only), then installs of just what the bundles import, plus the CLI. */
export async function bundleAndInstall(
  layout: Layout,
  original: PackageJson,
  pkg: PackageJson,
  target: Target,
  nodeBin: string,
  clock: Clock,
): Promise<void> {
  await mkdir(layout.plain, { recursive: true });
  await mkdir(layout.hybrid, { recursive: true });
  // Read-only use of the repository's install: the app as its users run it today.
  await symlink(join(REPO_ROOT, "node_modules"), join(layout.plain, "node_modules"), "dir");
  const [imported] = await Promise.all([
    bundle(join(layout.migrated, ENTRY), join(layout.migrated, "app.cjs")),
    bundle(join(REPO_ROOT, ENTRY), join(layout.plain, "app.cjs")),
    bundle(join(REPO_ROOT, ENTRY), join(layout.hybrid, "app.cjs")),
  ]);
  const pick = (names: readonly string[], from: Record<string, string>) =>
    Object.fromEntries(
      names.map((name) => {
        if (!from[name]) throw new Error(`the app imports ${name}, which package.json does not list`);
        return [name, from[name]];
      }),
    );
  // The CLI runs cdktf.json's app, tools/synth.mjs, which bundles with esbuild.
  const migratedDeps = pick([...imported, "cdktn-cli", "esbuild"], { ...pkg.dependencies, ...pkg.devDependencies });
  const oldNames = imported.map((name) =>
    name === "cdktn" ? "cdktf" : name === "@cdktn/provider-aws" ? "@cdktf/provider-aws" : name,
  );
  const hybridDeps = {
    ...pick(oldNames, { ...original.dependencies, ...original.devDependencies }),
    cdktf: `npm:cdktn@${target.versions.cdktn}`,
    constructs: target.versions.constructs,
  };
  const manifest = (dependencies: Record<string, string>) =>
    `${JSON.stringify({ name: "cdktn-check", private: true, type: "module", dependencies }, null, 2)}\n`;
  await writeFile(join(layout.migrated, "package.json"), manifest(migratedDeps));
  await writeFile(join(layout.hybrid, "package.json"), manifest(hybridDeps));
  await Promise.all([
    npmInstall(layout.migrated, nodeBin),
    // @cdktf/provider-aws asks for cdktf ^0.21 as a peer: here `cdktf` is cdktn on purpose.
    npmInstall(layout.hybrid, nodeBin, ["--legacy-peer-deps"]),
  ]);
  say(
    `installed ${Object.keys(migratedDeps).join(", ")} (migrated copy) and cdktf=cdktn, @cdktf/provider-aws (hybrid) (${clock.lap()})`,
  );
}
