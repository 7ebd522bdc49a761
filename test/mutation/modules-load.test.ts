import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { mutationModule } from "../../tools/mutation-modules.mjs";
import { REPO_ROOT } from "../../kit/repo-root.js";

/**
 * Run only by `npm run mutation`: a mutant that throws while its module loads fails the test files that import it
 * before any test runs, which the vitest runner scores "Survived" (stryker-js issue 6150). Importing the module
 * inside a test turns that load failure into a failed test, so the mutant counts as killed.
 */
const { mutate } = mutationModule();

test.each(mutate)("mutation: %s loads", async (file) => {
  await expect(import(pathToFileURL(join(REPO_ROOT, file)).href)).resolves.toBeTypeOf("object");
});
