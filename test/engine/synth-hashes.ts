/**
 * Prints a SHA-256 of every stack JSON synthesized for every engine-matrix configuration, so a change that must not
 * touch the output (a move, a rename of a file, a refactor) can be proven byte-identical. Construct ids are a public
 * contract: a changed hash means a resource would be replaced or orphaned on the next apply.
 *
 *   npx tsx test/engine/synth-hashes.ts                  one line per configuration and stack
 *   npx tsx test/engine/synth-hashes.ts --against <rev>  the same for <rev> (in a temporary git worktree) and a diff
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { synthesizeToJson } from "../../stacks/synthesize.js";
import { CONFIGS } from "./matrix.js";

const USAGE = "usage: tsx test/engine/synth-hashes.ts [--json] [--against <git rev>]";
const THIS_FILE = fileURLToPath(import.meta.url);
const REPO = join(dirname(THIS_FILE), "../..");

type Hashes = Record<string, string>;

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** Keyed "<configuration> / <stack>", in matrix order. */
function hashesHere(): Hashes {
  const hashes: Hashes = {};
  for (const [name, config] of Object.entries(CONFIGS)) {
    const { files } = synthesizeToJson(config());
    for (const [stack, text] of Object.entries(files)) hashes[`${name} / ${stack}`] = sha256(text);
  }
  return hashes;
}

/**
 * Runs this same script in a detached worktree of `rev` (which may predate it: it is copied in), sharing this
 * checkout's node_modules so nothing is installed.
 */
function hashesAt(rev: string): Hashes {
  const dir = mkdtempSync(join(tmpdir(), "synth-hashes-"));
  const checkout = join(dir, "checkout");
  execFileSync("git", ["-C", REPO, "worktree", "add", "--detach", checkout, rev], { stdio: "ignore" });
  try {
    symlinkSync(join(REPO, "node_modules"), join(checkout, "node_modules"), "dir");
    const script = join(checkout, relative(REPO, THIS_FILE));
    mkdirSync(dirname(script), { recursive: true });
    copyFileSync(THIS_FILE, script);
    const tsx = join(REPO, "node_modules/.bin/tsx");
    const out = execFileSync(tsx, [script, "--json"], { cwd: checkout, encoding: "utf8", maxBuffer: 1 << 24 });
    return JSON.parse(out) as Hashes;
  } finally {
    execFileSync("git", ["-C", REPO, "worktree", "remove", "--force", checkout], { stdio: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  }
}

function compare(before: Hashes, after: Hashes): boolean {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const same = keys.filter((key) => before[key] !== undefined && before[key] === after[key]);
  for (const key of keys) {
    const verdict =
      before[key] === after[key] ? "identical" : `DIFFERS (${before[key] ?? "absent"} -> ${after[key] ?? "absent"})`;
    console.log(`${key}: ${verdict}`);
  }
  console.log(`${same.length}/${keys.length} byte-identical`);
  return same.length === keys.length;
}

function main(args: readonly string[]): number {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const json = args[0] === "--json" && args.length === 1;
  const against = args[0] === "--against" && args.length === 2 ? args[1] : undefined;
  if (args.length > 0 && !json && against === undefined) {
    console.error(`unknown arguments: ${args.join(" ")}\n${USAGE}`);
    return 2;
  }
  if (against !== undefined) return compare(hashesAt(against), hashesHere()) ? 0 : 1;
  const hashes = hashesHere();
  if (json) process.stdout.write(JSON.stringify(hashes));
  else for (const [key, hash] of Object.entries(hashes)) console.log(`${hash}  ${key}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
