/**
 * The source half of `npm run check:cdktn`: what a user changes to move this app from CDKTF to CDK Terrain
 * (packages, imports, npm scripts), as pure functions on text, so docs/CDKTN.md, the check and its tests agree.
 * cdktf.json, cdktf.out/, the CDKTF_* variables and the construct ids stay as they are: the fork reads them unchanged.
 */

/** Old package -> fork package. `constructs` keeps its name but needs the range the fork supports. */
export const PACKAGE_RENAMES = {
  cdktf: "cdktn",
  "cdktf-cli": "cdktn-cli",
  "@cdktf/provider-aws": "@cdktn/provider-aws",
} as const;

/** The fork's releases to migrate to, by (new) package name, plus the Node range they need. */
export interface Target {
  readonly versions: Readonly<Record<"cdktn" | "cdktn-cli" | "@cdktn/provider-aws" | "constructs", string>>;
  readonly node: string;
}

/** `cdktf` -> `cdktn`, `@cdktf/provider-aws/lib/x` -> `@cdktn/provider-aws/lib/x`; anything else unchanged. */
export function renameSpecifier(specifier: string): string {
  for (const [from, to] of Object.entries(PACKAGE_RENAMES)) {
    if (specifier === from || specifier.startsWith(`${from}/`)) return to + specifier.slice(from.length);
  }
  return specifier;
}

// Module specifiers of static imports/exports, side-effect imports, dynamic import() and require().
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(["'])([^"'\n]+)\2/gm;

/**
 * Rewrites the module specifiers of one source file. `left` lists specifiers that still name a CDKTF package
 * afterwards (none expected: a package the fork does not rename would show up here).
 */
export function rewriteImports(source: string): { text: string; rewritten: number; left: string[] } {
  let rewritten = 0;
  const left: string[] = [];
  const text = source.replace(SPECIFIER, (match, prefix: string, quote: string, specifier: string) => {
    const renamed = renameSpecifier(specifier);
    if (renamed !== specifier) rewritten++;
    if (/^(cdktf(\/|$)|@cdktf\/)/.test(renamed)) left.push(renamed);
    return `${prefix}${quote}${renamed}${quote}`;
  });
  return { text, rewritten, left };
}

type PackageJson = Record<string, unknown> & {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
  engines?: Record<string, string>;
};

/**
 * The package.json after the migration, and one line per change: the packages renamed and pinned to the target
 * releases, `constructs` in the fork's range, `cdktf <command>` -> `cdktn <command>` in npm scripts (not `cdktf.json`
 * or `cdktf.out`, which keep their names), and the Node engine the fork needs.
 */
export function migratePackageJson(original: PackageJson, target: Target): { pkg: PackageJson; changes: string[] } {
  const pkg = structuredClone(original);
  const changes: string[] = [];
  for (const field of ["dependencies", "devDependencies"] as const) {
    const deps = pkg[field];
    if (!deps) continue;
    const next: Record<string, string> = {};
    for (const [name, version] of Object.entries(deps)) {
      const renamed = renameSpecifier(name);
      const pinned = (target.versions as Record<string, string>)[renamed];
      next[renamed] = pinned ?? version;
      if (renamed !== name || next[renamed] !== version)
        changes.push(`${field}: ${name}@${version} -> ${renamed}@${next[renamed]}`);
    }
    pkg[field] = Object.fromEntries(Object.entries(next).sort(([a], [b]) => a.localeCompare(b)));
  }
  for (const [name, script] of Object.entries(pkg.scripts ?? {})) {
    const next = script.replace(/(?<![\w.@/-])cdktf(?=\s|$)/g, "cdktn");
    if (next !== script) {
      pkg.scripts![name] = next;
      changes.push(`scripts.${name}: ${script} -> ${next}`);
    }
  }
  if (pkg.engines?.node !== target.node) {
    changes.push(`engines.node: ${pkg.engines?.node ?? "(none)"} -> ${target.node}`);
    pkg.engines = { ...pkg.engines, node: target.node };
  }
  return { pkg, changes };
}
