import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { configRows, GENERATED, withGenerated } from "../../scripts/docs-tables.js";
import { REPO_ROOT } from "../../kit/repo-root.js";

describe("docs: tables generated from the code", () => {
  test.each(GENERATED.map((g) => [g.file, g.name, g.render] as const))(
    "docs: %s's %s table matches the code (npm run docs)",
    (file, name, render) => {
      const text = readFileSync(join(REPO_ROOT, file), "utf8");
      expect(withGenerated(text, name, render())).toBe(text);
    },
  );

  test("docs: every config key has a description, and nested objects are listed key by key", () => {
    const keys = configRows().map((row) => row.key);
    expect(keys).toContain("services.processor.max_batch_seconds");
    expect(keys).toContain("alarms.queue_oldest_message_seconds");
    expect(keys).not.toContain("services");
  });

  test("docs: a table edited by hand is caught", () => {
    const text = readFileSync(join(REPO_ROOT, "docs/CONFIGURATION.md"), "utf8").replace(
      "| `region` | required |",
      "| `region` | `us-east-1` |",
    );
    const config = GENERATED.find((g) => g.name === "config")!;
    expect(withGenerated(text, "config", config.render())).not.toBe(text);
  });
});
