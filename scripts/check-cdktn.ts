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
import { execFile } from "node:child_process";
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { APP_BUNDLE_OPTIONS } from "../tools/bundle-file.mjs";
import ts from "typescript";
import { fetchImageNode, IMAGE_NODE_VERSION } from "../kit/image-node.js";
import { awsTypes, schemaChanges } from "./cdktn/bindings.js";
import {
  diffSynths,
  formatValue,
  measure,
  normalize,
  type Difference,
  type Normalized,
  type Synth,
} from "./cdktn/compare.js";
import { explain, parseExplanations, SOURCES, type Checked, type Source } from "./cdktn/explanations.js";
import { migratePackageJson, rewriteImports, type Target } from "./cdktn/migrate.js";
import { DEFAULT_VARIANT, varFiles } from "./cdktn/var-files.js";
import { REPO_ROOT } from "../kit/repo-root.js";
import { commandLineOrExit } from "../kit/cli.js";

const DOC = join(REPO_ROOT, "docs", "CDKTN.md");
/** The app's entry point; the sources copied are the files it reaches (type-only imports included). */
const ENTRY = "main.ts";
/** Files the CLI needs besides the sources: its config, the app command it names, the example var file. */
const EXTRA_FILES = ["cdktf.json", "tools/synth.mjs", "tools/bundle-file.mjs", "terraform.tfvars.json"];

/** The fork releases checked by default: the newest on the registry when this was written. */
const PINNED: Target["versions"] = {
  cdktn: "0.24.0",
  "cdktn-cli": "0.24.0",
  "@cdktn/provider-aws": "25.7.0",
  constructs: "10.7.2",
};

const run = promisify(execFile);

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

async function npmView(spec: string, field: string): Promise<string> {
  const { stdout } = await run("npm", ["view", spec, field, "--json"], { timeout: 60_000 });
  const value: unknown = JSON.parse(stdout);
  // A range matching several versions answers with an array, oldest first.
  return String(Array.isArray(value) ? value[value.length - 1] : value);
}

/** The lowest Node every package accepts: the highest `>=` minimum among their `engines.node`. */
function strictestNode(ranges: readonly string[]): string {
  const minimum = (range: string) => (/>=\s*(\d+)\.(\d+)\.(\d+)/.exec(range) ?? []).slice(1).map(Number);
  const sorted = ranges
    .filter((range) => minimum(range).length === 3)
    .sort((a, b) => {
      const [x, y] = [minimum(a), minimum(b)];
      return x[0]! - y[0]! || x[1]! - y[1]! || x[2]! - y[2]!;
    });
  const top = sorted[sorted.length - 1];
  if (!top) throw new Error(`no ">= x.y.z" Node range among ${ranges.join(", ")}`);
  return `>=${minimum(top).join(".")}`;
}

async function resolveTarget(latest: boolean): Promise<Target> {
  let versions = PINNED;
  if (latest) {
    const [cdktn, cli, provider] = await Promise.all(
      ["cdktn", "cdktn-cli", "@cdktn/provider-aws"].map((name) => npmView(name, "version")),
    );
    const constructsRange = await npmView(`cdktn@${cdktn}`, "peerDependencies.constructs");
    versions = {
      cdktn: cdktn!,
      "cdktn-cli": cli!,
      "@cdktn/provider-aws": provider!,
      constructs: await npmView(`constructs@${constructsRange}`, "version"),
    };
  }
  const engines = await Promise.all(
    (["cdktn", "cdktn-cli", "@cdktn/provider-aws"] as const).map((name) =>
      npmView(`${name}@${versions[name]}`, "engines.node").catch(() => ""),
    ),
  );
  return { versions, node: strictestNode(engines.filter(Boolean)) };
}

/** Our own files the entry point reaches, relative to the repository (what a user's project holds). */
function sourceFiles(): string[] {
  const configFile = ts.readConfigFile(join(REPO_ROOT, "tsconfig.json"), ts.sys.readFile.bind(ts.sys));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, REPO_ROOT);
  const program = ts.createProgram({ rootNames: [join(REPO_ROOT, ENTRY)], options });
  return program
    .getSourceFiles()
    .map((file) => resolve(file.fileName))
    .filter((file) => file.startsWith(REPO_ROOT + sep) && !file.includes(`${sep}node_modules${sep}`))
    .map((file) => relative(REPO_ROOT, file))
    .sort();
}

/** Type-checks the migrated copy with the repository's compiler options; returns the diagnostics as text. */
function typecheck(dir: string, files: readonly string[]): string {
  const configFile = ts.readConfigFile(join(REPO_ROOT, "tsconfig.json"), ts.sys.readFile.bind(ts.sys));
  const { options } = ts.parseJsonConfigFileContent(configFile.config, ts.sys, dir);
  const typeRoots = [join(dir, "node_modules", "@types")];
  // cdktn-cli brings @types/node; the repository's copy only when it does not.
  if (!existsSync(join(typeRoots[0]!, "node"))) typeRoots.push(join(REPO_ROOT, "node_modules", "@types"));
  const program = ts.createProgram({
    rootNames: files.filter((file) => file.endsWith(".ts")).map((file) => join(dir, file)),
    options: { ...options, typeRoots },
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (name) => name,
    getCurrentDirectory: () => dir,
    getNewLine: () => "\n",
  });
}

/** Bundles the app like tools/synth.mjs (our TypeScript in, npm packages external) and lists the packages it imports. */
async function bundle(entry: string, outfile: string): Promise<string[]> {
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
async function npmInstall(dir: string, nodeBin: string, extra: readonly string[] = []): Promise<void> {
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

/** The environment for a child that must find the fetched Node first on PATH, without inherited CDKTF settings. */
function withNodeFirst(nodeBin: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ""}`,
    CHECKPOINT_DISABLE: "1",
    ...extra,
  };
  for (const name of ["CDKTF_OUTDIR", "CDKTF_CONTEXT_JSON", "CDKTF_STACK_ID", "TFVARS_FILE"])
    if (!(name in extra)) delete env[name];
  return env;
}

async function readSynth(outdir: string): Promise<Synth> {
  const manifest = JSON.parse(await readFile(join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  const stacks: Record<string, Record<string, unknown>> = {};
  for (const [id, stack] of Object.entries(manifest.stacks)) {
    stacks[id] = JSON.parse(await readFile(join(outdir, stack.synthesizedStackPath), "utf8")) as Record<
      string,
      unknown
    >;
  }
  return { manifest, stacks };
}

async function synthDirect(nodeBin: string, app: string, outdir: string, tfvars: string): Promise<Synth> {
  await run(nodeBin, [app], {
    cwd: dirname(app),
    env: withNodeFirst(nodeBin, { CDKTF_OUTDIR: outdir, TFVARS_FILE: tfvars }),
    timeout: 300_000,
  });
  return readSynth(outdir);
}

class Clock {
  private readonly start = performance.now();
  private last = this.start;
  lap(): string {
    const now = performance.now();
    const text = `${((now - this.last) / 1000).toFixed(1)} s`;
    this.last = now;
    return text;
  }
  total(): string {
    return `${((performance.now() - this.start) / 1000).toFixed(1)} s`;
  }
}

const say = (line = "") => process.stdout.write(`${line}\n`);

function describeLocation(entry: Difference | Normalized): string {
  return `${entry.stack}  ${entry.address}  ${entry.attribute}: ${formatValue(entry.before)} -> ${formatValue(entry.after)}`;
}

function printChecked(source: Source, checked: readonly Checked[]): void {
  const mine = checked.filter((entry) => entry.source === source);
  say(`${source} differences (${SOURCES[source]}): ${mine.length === 0 ? "none" : mine.length}`);
  for (const entry of mine) {
    const where = entry.explanation
      ? `explained, docs/CDKTN.md:${entry.explanation.line}`
      : "NOT EXPLAINED in docs/CDKTN.md";
    say(`  ${entry.explanation ? "ok " : "!! "} ${describeLocation(entry.difference)}  [${where}]`);
  }
}

/** Where each install lives in the scratch directory. */
interface Layout {
  readonly scratch: string;
  /** The app as it is, bundled, with a link to the repository's node_modules. */
  readonly plain: string;
  /** The app as it is, bundled, on cdktn installed as `cdktf` with the old bindings. */
  readonly hybrid: string;
  /** The migrated copy, with its own install of the fork and the CLI. */
  readonly migrated: string;
}

type PackageJson = Parameters<typeof migratePackageJson>[0] & {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The migrated copy: the sources with rewritten imports, and package.json with the packages and scripts swapped. */
async function migrateCopy(
  layout: Layout,
  original: PackageJson,
  target: Target,
): Promise<{ files: string[]; pkg: PackageJson }> {
  const files = sourceFiles();
  let rewritten = 0;
  const left: string[] = [];
  for (const file of [...files, ...EXTRA_FILES]) {
    const to = join(layout.migrated, file);
    await mkdir(dirname(to), { recursive: true });
    if (!/\.[cm]?[jt]s$/.test(file)) {
      await cp(join(REPO_ROOT, file), to);
      continue;
    }
    const result = rewriteImports(await readFile(join(REPO_ROOT, file), "utf8"));
    rewritten += result.rewritten;
    left.push(...result.left.map((specifier) => `${file}: ${specifier}`));
    await writeFile(to, result.text);
  }
  if (left.length > 0) throw new Error(`imports of CDKTF packages left after the rewrite:\n  ${left.join("\n  ")}`);
  const { pkg, changes } = migratePackageJson(original, target);
  await writeFile(join(layout.migrated, "package.migrated.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  say(`copied ${files.length + EXTRA_FILES.length} files, rewrote ${rewritten} imports; package.json changes:`);
  for (const change of changes) say(`  ${change}`);
  return { files, pkg: pkg as PackageJson };
}

/** Bundles (esbuild reads our sources only), then installs of just what the bundles import, plus the CLI. */
async function bundleAndInstall(
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

interface Comparison {
  readonly differences: Partial<Record<Source, Difference[]>>;
  readonly normalized: { source: Source; entry: Normalized }[];
  /** cdktf -> cdktn directly: what a migrated deployment sees. */
  readonly net: Difference[];
  /** The AWS resource and data source types the synths hold. */
  readonly types: Set<string>;
}

/** The four synths per var file, each pair normalized and compared. */
async function synthAndCompare(layout: Layout, nodeBin: string, clock: Clock): Promise<Comparison> {
  const result: Comparison = { differences: {}, normalized: [], net: [], types: new Set() };
  const example = JSON.parse(await readFile(join(layout.migrated, "terraform.tfvars.json"), "utf8")) as Record<
    string,
    unknown
  >;
  for (const [variant, tfvarsJson] of Object.entries(varFiles(example))) {
    const dir = join(layout.scratch, "out", variant);
    await mkdir(dir, { recursive: true });
    const tfvars = join(dir, "terraform.tfvars.json");
    await writeFile(tfvars, `${JSON.stringify(tfvarsJson, null, 2)}\n`);
    const [fromCdktf, fromHybrid, fromCdktn] = await Promise.all([
      synthDirect(nodeBin, join(layout.plain, "app.cjs"), join(dir, "cdktf"), tfvars),
      synthDirect(nodeBin, join(layout.hybrid, "app.cjs"), join(dir, "hybrid"), tfvars),
      synthDirect(nodeBin, join(layout.migrated, "app.cjs"), join(dir, "cdktn"), tfvars),
    ]);
    await run(
      nodeBin,
      [join(layout.migrated, "node_modules", "cdktn-cli", "bin", "cdktn"), "synth", "--output", join(dir, "cli")],
      {
        cwd: layout.migrated,
        env: withNodeFirst(nodeBin, { CDKTF_HOME: join(layout.scratch, "cdktf-home"), TFVARS_FILE: tfvars }),
        timeout: 300_000,
      },
    );
    const fromCli = await readSynth(join(dir, "cli"));
    const size = measure(fromCdktf);
    if (size.stacks !== 2 || size.addresses === 0)
      throw new Error(`${variant}: expected the ecr and main stacks, got ${Object.keys(fromCdktf.stacks).join(", ")}`);
    say(
      `${variant}: synthesized ${Object.keys(fromCdktf.stacks).join(", ")} four times, ${size.addresses} addresses and ${size.values} values each (${clock.lap()})`,
    );

    // Each pair differs by one thing only, so each difference has one cause.
    const pairs = {
      framework: [fromCdktf, fromHybrid],
      provider: [fromHybrid, fromCdktn],
      cli: [fromCdktn, fromCli],
    } as const;
    const located = <T extends { stack: string }>(entry: T): T =>
      variant === DEFAULT_VARIANT ? entry : { ...entry, stack: `${variant}/${entry.stack}` };
    for (const [source, [before, after]] of Object.entries(pairs) as [Source, readonly [Synth, Synth]][]) {
      const normalized = normalize(before, after);
      (result.differences[source] ??= []).push(...diffSynths(normalized.before, normalized.after).map(located));
      for (const entry of normalized.normalized) {
        if (formatValue(entry.before) !== formatValue(entry.after))
          result.normalized.push({ source, entry: located(entry) });
      }
    }
    const net = normalize(fromCdktf, fromCdktn);
    result.net.push(...diffSynths(net.before, net.after).map(located));
    for (const type of Object.values(fromCdktf.stacks).flatMap(awsTypes)) result.types.add(type);
  }
  return result;
}

/** Every difference next to its row in docs/CDKTN.md, the schema changes; the exit code. */
async function report(layout: Layout, comparison: Comparison, clock: Clock): Promise<number> {
  const { explanations, errors } = parseExplanations(await readFile(DOC, "utf8"));
  const { checked, unexplained, stale } = explain(comparison.differences, explanations);
  say();
  say("normalized (must differ, not compared):");
  for (const { source, entry } of comparison.normalized) say(`  ${source}  ${describeLocation(entry)}`);
  for (const source of Object.keys(SOURCES) as Source[]) printChecked(source, checked);
  say(
    `net (cdktf -> cdktn, what a migrated deployment sees): ${comparison.net.length === 0 ? "none" : comparison.net.length}`,
  );
  for (const difference of comparison.net) say(`  ${describeLocation(difference)}`);
  const schema = await schemaChanges(
    [...comparison.types].sort(),
    join(layout.hybrid, "node_modules", "@cdktf", "provider-aws", "lib"),
    join(layout.migrated, "node_modules", "@cdktn", "provider-aws", "lib"),
  );
  say(
    `provider schema, arguments added/removed for the ${comparison.types.size} AWS types the app uses (not compared, read for the plan): ${schema.length === 0 ? "none" : ""}`,
  );
  for (const change of schema) {
    say(
      `  ${change.type}: ${change.added.length ? `+ ${change.added.join(", ")}` : ""}${change.removed.length ? ` - ${change.removed.join(", ")}` : ""}`,
    );
  }
  for (const error of errors) say(`docs/CDKTN.md: ${error}`);
  for (const row of stale)
    say(
      `docs/CDKTN.md:${row.line}: STALE, explains no difference: ${row.source} ${row.stack} ${row.address} ${row.attribute}`,
    );
  say();
  const failed = unexplained.length > 0 || stale.length > 0 || errors.length > 0;
  say(
    `${failed ? "FAIL" : "PASS"}: ${checked.length} difference(s), ${checked.length - unexplained.length} explained, ` +
      `${unexplained.length} unexplained, ${stale.length} stale row(s), ${errors.length} doc error(s); ${clock.total()}`,
  );
  return failed ? 1 : 0;
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
      resolveTarget(options.latest),
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
