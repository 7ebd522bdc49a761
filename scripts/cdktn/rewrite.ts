/** The migrated copy: the sources the app reaches, with rewritten imports, and its type check against the fork. */
import { cp, mkdir, readFile, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { migratePackageJson, rewriteImports, type Target } from "./migrate.js";
import { ENTRY, EXTRA_FILES, say, type Layout, type PackageJson } from "./scratch.js";

/** Our own files the entry point reaches, relative to the repository (what a user's project holds). */
export function sourceFiles(): string[] {
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
export function typecheck(dir: string, files: readonly string[]): string {
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

/** The migrated copy: the sources with rewritten imports, and package.json with the packages and scripts swapped. */
export async function migrateCopy(
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
