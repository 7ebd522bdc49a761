/**
 * Relative links and anchors in the repository's Markdown, resolved the way GitHub renders them, so a renamed file or
 * heading breaks a test instead of a reader's click.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** The documentation pages: README.md, docs/*.md and apps/*\/README.md, relative to `root`. */
export function docPages(root: string): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  const apps = readdirSync(join(root, "apps"))
    .map((name) => `apps/${name}/README.md`)
    .filter((path) => existsSync(join(root, path)));
  return ["README.md", ...docs.sort(), ...apps.sort()];
}

/** The text outside fenced code blocks and inline code, where links are live. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, "``");
  });
}

/**
 * GitHub's heading anchor: the rendered text (code spans, emphasis and link targets dropped), lower-cased, every
 * character but letters, digits, spaces, `-` and `_` removed, spaces turned into `-`; a repeated slug gets `-1`, `-2`...
 */
export function headingSlugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const text = heading[1]!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/[`*]/g, "")
      .replace(/<[^>]+>/g, "");
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    slugs.add(count === 0 ? base : `${base}-${count}`);
  }
  return slugs;
}

export interface LinkProblem {
  readonly page: string;
  readonly line: number;
  readonly target: string;
  readonly problem: string;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** Every relative link or anchor in `page` (relative to `root`) that does not resolve. */
export function brokenLinks(root: string, page: string): LinkProblem[] {
  const text = readFileSync(join(root, page), "utf8");
  const problems: LinkProblem[] = [];
  prose(text).forEach((line, index) => {
    const targets = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!),
      ...[...line.matchAll(/^\s*\[[^\]]+\]:\s*(\S+)/g)].map((m) => m[1]!),
    ];
    for (const target of targets) {
      if (EXTERNAL.test(target)) continue;
      const problem = resolveProblem(root, page, target);
      if (problem) problems.push({ page, line: index + 1, target, problem });
    }
  });
  return problems;
}

function resolveProblem(root: string, page: string, target: string): string | undefined {
  const [pathPart, anchor] = target.split("#", 2) as [string, string | undefined];
  const file = pathPart === "" ? join(root, page) : join(root, dirname(page), decodeURIComponent(pathPart));
  if (relative(root, file).startsWith("..")) return "points outside the repository";
  if (!existsSync(file)) return `no such file: ${relative(root, file)}`;
  if (anchor === undefined || anchor === "") return undefined;
  if (statSync(file).isDirectory() || !file.endsWith(".md")) return "an anchor on a file that is not Markdown";
  if (headingSlugs(readFileSync(file, "utf8")).has(decodeURIComponent(anchor))) return undefined;
  return `no heading with the anchor #${anchor} in ${relative(root, file)}`;
}
