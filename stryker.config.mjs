// @ts-check
import { mutationModule } from "./tools/mutation-modules.mjs";

/**
 * StrykerJS for one module at a time (MUTATION_MODULE; `npm run mutation` runs them all, see tools/mutation.mjs and
 * docs/TESTING.md). Each module's mutants run against its own fast tests through vitest.mutation.config.ts.
 */
const module = mutationModule();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner", "./tools/stryker-ignore-docs.mjs"],
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  // MUTATION_MUTATE narrows a run to some files or line ranges (`policy/controls/elb.ts:95-136`), comma-separated.
  mutate: process.env.MUTATION_MUTATE ? process.env.MUTATION_MUTATE.split(",") : module.mutate,
  ignorers: ["doc-text"],
  coverageAnalysis: "perTest",
  // Stryker's default: one test process per core (up to 4). MUTATION_CONCURRENCY=1 leaves a core to other work.
  ...(process.env.MUTATION_CONCURRENCY ? { concurrency: Number(process.env.MUTATION_CONCURRENCY) } : {}),
  // Opt-in (MUTATION_INCREMENTAL=1) while working on a module: it reuses earlier results, and a survivor that only a
  // new test kills can be reused as survived (seen with static mutants), so measured runs start from scratch.
  incremental: process.env.MUTATION_INCREMENTAL === "1",
  incrementalFile: `reports/mutation/${module.name}/stryker-incremental.json`,
  reporters: ["clear-text", "html", "json", "progress-append-only"],
  htmlReporter: { fileName: `reports/mutation/${module.name}/index.html` },
  jsonReporter: { fileName: `reports/mutation/${module.name}/mutation.json` },
  clearTextReporter: { allowEmojis: false, logTests: false, reportScoreTable: true },
  ignorePatterns: [".stryker-tmp", "cdktf.out", "reports", "bench/results", ".local", ".terraform", "coverage"],
  tempDirName: `.stryker-tmp/${module.name}`,
  cleanTempDir: "always",
  thresholds: { high: 90, low: 80, break: null },
};
