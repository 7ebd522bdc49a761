#!/usr/bin/env node
/**
 * `npm run mutation [-- module...]`: StrykerJS over each module of tools/mutation-modules.mjs, one after another
 * (each with as many test processes as Stryker's default: one per core), then one line per module with its score. Reports:
 * reports/mutation/<module>/index.html. Exits 1 when a module scores below 90% or a Stryker run fails.
 * Not part of `npm test` (minutes, not seconds); .github/workflows/mutation.yml runs it weekly.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MUTATION_MODULES } from "./mutation-modules.mjs";

const REPO_ROOT = join(import.meta.dirname, "..");
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(MUTATION_MODULES);
const unknown = names.filter((n) => !(n in MUTATION_MODULES));
if (unknown.length) {
  console.error(`unknown module(s): ${unknown.join(", ")}; expected ${Object.keys(MUTATION_MODULES).join(", ")}`);
  process.exit(2);
}

const THRESHOLD = 90;
/** Survivors shown to be equivalent (same behaviour as the original); each with why, listed in docs/TESTING.md. */
const EQUIVALENTS = JSON.parse(readFileSync(join(REPO_ROOT, "tools/mutation-equivalents.json"), "utf8")).mutants;
/** At most this share of a file's mutants may be declared equivalent (issue 17). */
const MAX_EQUIVALENT_SHARE = 0.05;
const rows = [];
let failed = false;
for (const name of names) {
  const started = Date.now();
  const run = spawnSync(
    process.execPath,
    [join(REPO_ROOT, "node_modules/@stryker-mutator/core/bin/stryker.js"), "run", "stryker.config.mjs"],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, MUTATION_MODULE: name },
      stdio: "inherit",
    },
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) {
    rows.push(`${name}: Stryker failed (exit ${run.status}) after ${seconds} s`);
    failed = true;
    continue;
  }
  for (const line of scoreLines(name)) {
    rows.push(`${line} (${seconds} s for the module)`);
    if (line.includes("BELOW")) failed = true;
  }
}
console.log(
  `\nmutation scores: (killed + timeout + documented equivalent) / (killed + timeout + survived + no coverage);` +
    ` the raw score counts no equivalent; threshold ${THRESHOLD}%`,
);
for (const row of rows) console.log(`  ${row}`);
process.exit(failed ? 1 : 0);

/** One line per mutated file from the module's JSON report (mutation-testing-report-schema). */
function scoreLines(name) {
  const report = JSON.parse(readFileSync(join(REPO_ROOT, "reports/mutation", name, "mutation.json"), "utf8"));
  return Object.entries(report.files).map(([file, { source, mutants }]) => {
    const lines = source.split("\n");
    const count = (...statuses) => mutants.filter((m) => statuses.includes(m.status)).length;
    const detected = count("Killed", "Timeout");
    const valid = detected + count("Survived", "NoCoverage");
    const survivors = mutants.filter((m) => ["Survived", "NoCoverage"].includes(m.status));
    const equivalent = survivors.filter((m) => EQUIVALENTS.some((e) => isEquivalent(e, file, m, lines))).length;
    const raw = valid ? (100 * detected) / valid : 100;
    const score = valid ? (100 * (detected + equivalent)) / valid : 100;
    const tooMany = equivalent > MAX_EQUIVALENT_SHARE * valid;
    const verdict = score < THRESHOLD ? " BELOW" : tooMany ? " BELOW (more than 5% declared equivalent)" : "";
    return (
      `${name} ${file}: ${score.toFixed(1)}%${verdict} (raw ${raw.toFixed(1)}%; ${valid} mutants, ${detected} detected,` +
      ` ${survivors.length - equivalent} survived, ${equivalent} documented equivalent, ${count("Ignored")} ignored)`
    );
  });
}

/** A declared equivalent matches by file, mutator, replacement and the text of the mutated line (not its number). */
function isEquivalent(declared, file, mutant, lines) {
  return (
    declared.file === file &&
    declared.mutator === mutant.mutatorName &&
    declared.replacement === mutant.replacement &&
    declared.line === lines[mutant.location.start.line - 1]?.trim()
  );
}
