import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { REPO_ROOT } from "../../kit/repo-root.js";

interface DeclaredEquivalent {
  readonly file: string;
  readonly line: string;
  readonly mutator: string;
}

const declared = (
  JSON.parse(readFileSync(join(REPO_ROOT, "tools/mutation-equivalents.json"), "utf8")) as {
    mutants: DeclaredEquivalent[];
  }
).mutants;

/**
 * `npm run mutation` matches a declared equivalent mutant by the trimmed text of its line: a line that no longer
 * exists (reformatted, or the code changed) would silently turn a documented equivalent back into a survivor.
 */
describe("mutation testing's declared equivalent mutants", () => {
  test.each(declared.map((m) => [m.file, m.mutator, m.line] as const))(
    "mutation: %s still has the line of its %s equivalent",
    (file, _mutator, line) => {
      const lines = readFileSync(join(REPO_ROOT, file), "utf8")
        .split("\n")
        .map((l) => l.trim());
      expect(lines).toContain(line);
    },
  );
});
