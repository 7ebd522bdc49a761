/**
 * `npm run bench:synth`: wall time and peak RSS of synthesizing both stacks, median of N runs, against a variant
 * of the same app whose provider imports go through the @cdktf/provider-aws barrel, measured in the same run
 * (runs interleaved, so machine noise hits both alike). Writes bench/results/synth.json.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT as ROOT } from "../kit/repo-root.js";
import { toBarrelImports } from "./barrel-imports.js";
import { median, round } from "./shared/stats.js";
import { commandLineOrExit } from "../kit/cli.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const BARREL_DIR = join(ROOT, "bench", ".barrel");

/** Copies the app's sources and rewrites every deep provider import into a barrel import. */
function writeBarrelVariant(): string {
  rmSync(BARREL_DIR, { recursive: true, force: true });
  for (const entry of ["main.ts", "config", "foundation", "ecr", "stacks", "apps/shared", "terraform.tfvars.json"]) {
    cpSync(join(ROOT, entry), join(BARREL_DIR, entry), { recursive: true });
  }
  for (const file of listTs(BARREL_DIR)) {
    const source = readFileSync(file, "utf8");
    const rewritten = toBarrelImports(source);
    writeFileSync(file, rewritten);
  }
  return join(BARREL_DIR, "main.ts");
}

function listTs(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listTs(path) : path.endsWith(".ts") ? [path] : [];
  });
}

interface Sample {
  seconds: number;
  maxRssMiB: number;
}

/** One synth in a fresh process through the same fast entry point as `npm run synth`; GNU time reports peak RSS. */
function runOnce(entry: string, outdir: string): Sample {
  const started = process.hrtime.bigint();
  const run = spawnSync("/usr/bin/time", ["-f", "%M", process.execPath, "tools/synth.mjs"], {
    cwd: ROOT,
    env: { ...process.env, CDKTF_OUTDIR: outdir, SYNTH_ENTRY: relative(ROOT, entry) },
    encoding: "utf8",
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`synth of ${entry} failed:\n${run.stderr}`);
  const kib = Number(run.stderr.trim().split("\n").at(-1));
  return { seconds, maxRssMiB: kib / 1024 };
}

function main(): void {
  commandLineOrExit({
    command: "npm run bench:synth",
    summary:
      "Times `npm run synth` with deep imports and with the provider barrel, and records the figures (docs/BENCHMARKS.md).",
  });
  const barrelEntry = writeBarrelVariant();
  const outdir = join(ROOT, "bench", ".barrel", "out");
  const samples = { deep: [] as Sample[], barrel: [] as Sample[] };
  runOnce(join(ROOT, "main.ts"), outdir); // warm the OS file cache for both variants
  runOnce(barrelEntry, outdir);
  for (let i = 0; i < RUNS; i++) {
    samples.deep.push(runOnce(join(ROOT, "main.ts"), outdir));
    samples.barrel.push(runOnce(barrelEntry, outdir));
  }
  const summary = (list: Sample[]) => ({
    medianSeconds: round(median(list.map((s) => s.seconds))),
    medianMaxRssMiB: round(median(list.map((s) => s.maxRssMiB)), 0),
    runs: list.map((s) => round(s.seconds)),
  });
  const result = {
    runs: RUNS,
    deepImports: summary(samples.deep),
    barrelImports: summary(samples.barrel),
    speedup: round(median(samples.barrel.map((s) => s.seconds)) / median(samples.deep.map((s) => s.seconds)), 1),
    memoryRatio: round(
      median(samples.barrel.map((s) => s.maxRssMiB)) / median(samples.deep.map((s) => s.maxRssMiB)),
      1,
    ),
  };
  rmSync(BARREL_DIR, { recursive: true, force: true });
  mkdirSync(join(ROOT, "bench", "results"), { recursive: true });
  writeFileSync(join(ROOT, "bench", "results", "synth.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.table({
    "deep imports (npm run synth)": result.deepImports,
    "barrel import": result.barrelImports,
  });
  console.log(`speed-up ${result.speedup}x, memory ${result.memoryRatio}x less (target: < 1.5 s and >= 8x)`);
}

main();
