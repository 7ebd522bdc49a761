import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Two projects, run together by `npm test`:
 * - infra: synth snapshot/property/policy tests. No emulators, and modules shared between files (`isolate: false`)
 *   so cdktf and the provider load once per worker instead of once per file.
 * - engine: the synthesized stacks on the real Terraform engine (validate, mocked plan and apply), offline with a
 *   local provider mirror; skipped, with the reason printed, where there is no terraform or no mirror.
 * - services: the two services, the local run and the delivery lint, against real emulators started once by the
 *   global setup. Timeouts are generous: they start processes and wait on queues on 2 shared cores.
 */
export default defineConfig({
  test: {
    // One test file per core: most files wait on child processes (Terraform, the services, the emulators), so vitest's
    // default of cores - 1 runs them one at a time on a 2-core machine and leaves the second core idle.
    maxWorkers: availableParallelism(),
    projects: [
      {
        test: {
          name: "infra",
          include: ["test/infra/**/*.test.ts", "test/policy/**/*.test.ts", "test/cost/bill.test.ts"],
          isolate: false,
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: "engine",
          include: ["test/engine/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 900_000,
        },
      },
      {
        test: {
          name: "services",
          include: [
            "apps/*/test/**/*.test.ts",
            "test/local/**/*.test.ts",
            "test/delivery/**/*.test.ts",
            "test/cost/capacity.test.ts",
          ],
          globalSetup: ["test/support/global-setup.ts"],
          setupFiles: ["local/localhost-dns.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
