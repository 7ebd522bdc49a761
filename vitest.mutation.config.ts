import { defineConfig } from "vitest/config";
import { mutationModule } from "./tools/mutation-modules.mjs";

/**
 * The vitest config Stryker runs (`npm run mutation`): only the emulator-free test files of the module under test
 * (MUTATION_MODULE), plus test/mutation/modules-load.test.ts, which imports that module inside a test. With the
 * vitest runner, a mutant that makes a test file fail to load is otherwise scored "Survived" (stryker-js issue 6150):
 * the failed import there is a failed test, so such a mutant counts as killed.
 */
const module = mutationModule();
export default defineConfig({
  test: {
    include: [...module.tests, "test/mutation/modules-load.test.ts"],
    testTimeout: 60_000,
    // The policy tests evaluate synthesized JSON: synthesize it once per run, not once per mutant.
    globalSetup: module.name === "policy" ? ["test/mutation/policy-fixtures-setup.ts"] : [],
  },
});
