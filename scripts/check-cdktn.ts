/**
 * `npm run check:cdktn`: does this app, migrated from CDKTF to CDK Terrain (cdktn) the way docs/CDKTN.md says,
 * synthesize the same Terraform JSON? Everything happens in a scratch directory under the OS temp dir; the working
 * tree and the repository's node_modules are only read.
 *
 * Four synths of both stacks, for terraform.tfvars.json and for a variant with every option on (varFiles), all on a
 * fetched Node 24 (cdktn needs Node >= 22; the same Node for all four keeps Node out of the differences):
 *   cdktf   the app as it is: cdktf + @cdktf/provider-aws (AWS provider 6.25) from the repository's node_modules;
 *   hybrid  the same unchanged source on cdktn, installed under the name `cdktf`, with the same @cdktf/provider-aws;
 *   cdktn   a copy with the packages swapped and the imports rewritten, on cdktn + @cdktn/provider-aws;
 *   cli     that copy synthesized by `cdktn synth` (cdktn-cli running cdktf.json's app, as `npm run deploy:*` would).
 * cdktf -> hybrid differs only by the framework, hybrid -> cdktn only by the provider bindings, cdktn -> cli only by
 * the CLI: each difference is attributed to one of them, and each must be explained by a row of docs/CDKTN.md.
 * The migrated copy is also type-checked against the fork's typings (same compiler options as the repository).
 *
 *   npm run check:cdktn                 # the pinned fork releases below
 *   npm run check:cdktn -- --latest     # the newest fork releases on the registry (the weekly workflow)
 *   npm run check:cdktn -- --keep       # keep the scratch directory to inspect it
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fetchImageNode, IMAGE_NODE_VERSION } from "../kit/image-node.js";
import { REPO_ROOT } from "../kit/repo-root.js";
import type { Target } from "./cdktn/migrate.js";
import { bundleAndInstall } from "./cdktn/install.js";
import { report } from "./cdktn/report.js";
import { migrateCopy, typecheck } from "./cdktn/rewrite.js";
import { Clock, say, type Layout, type PackageJson } from "./cdktn/scratch.js";
import { synthAndCompare } from "./cdktn/synths.js";
import { resolveTarget } from "./cdktn/target.js";
import { commandLineOrExit } from "../kit/cli.js";

/** The fork releases checked by default: the newest on the registry when this was written. */
const PINNED: Target["versions"] = {
  cdktn: "0.24.0",
  "cdktn-cli": "0.24.0",
  "@cdktn/provider-aws": "25.7.0",
  constructs: "10.7.2",
};

interface Options {
  readonly latest: boolean;
  readonly keep: boolean;
}

function parseArgs(): Options {
  const { values } = commandLineOrExit({
    command: "npm run check:cdktn",
    summary: "Migrates a scratch copy to CDK Terrain the way docs/CDKTN.md says and compares its synth with cdktf's.",
    options: { latest: { type: "boolean" }, keep: { type: "boolean" } },
    optionLines: [
      ["--latest", "the newest fork releases on the npm registry instead of the tested pins"],
      ["--keep", "keep the scratch directory"],
    ],
  });
  return { latest: values.latest === true, keep: values.keep === true };
}

async function main(): Promise<number> {
  const options = parseArgs();
  const clock = new Clock();
  const scratch = await mkdtemp(join(tmpdir(), "cdktn-check-"));
  say(`scratch directory: ${scratch}${options.keep ? " (kept)" : " (removed at the end; --keep keeps it)"}`);
  const layout: Layout = {
    scratch,
    plain: join(scratch, "cdktf"),
    hybrid: join(scratch, "hybrid"),
    migrated: join(scratch, "cdktn"),
  };
  try {
    const original = JSON.parse(await readFile(join(REPO_ROOT, "package.json"), "utf8")) as PackageJson;
    const [target, node] = await Promise.all([
      resolveTarget(options.latest, PINNED),
      fetchImageNode(join(scratch, "node", IMAGE_NODE_VERSION)),
    ]);
    if (!("path" in node)) throw new Error(`Node ${IMAGE_NODE_VERSION} is needed for cdktn: ${node.unavailable}`);
    const { versions } = target;
    say(
      `cdktf ${original.dependencies.cdktf} + @cdktf/provider-aws ${original.dependencies["@cdktf/provider-aws"]} -> ` +
        `cdktn ${versions.cdktn} + @cdktn/provider-aws ${versions["@cdktn/provider-aws"]} + cdktn-cli ${versions["cdktn-cli"]} + ` +
        `constructs ${versions.constructs}, on Node ${IMAGE_NODE_VERSION} (${clock.lap()})`,
    );
    const { files, pkg } = await migrateCopy(layout, original, target);
    await bundleAndInstall(layout, original, pkg, target, node.path, clock);
    // The same source must build on the fork: its typings, the repository's strict compiler options.
    const diagnostics = typecheck(layout.migrated, files);
    if (diagnostics) {
      say(`the migrated copy does not type-check against cdktn:\n${diagnostics}`);
      return 1;
    }
    say(`the migrated copy type-checks against cdktn (${clock.lap()})`);
    return await report(layout, await synthAndCompare(layout, node.path, clock), clock);
  } finally {
    if (!options.keep) await rm(scratch, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`check:cdktn: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
