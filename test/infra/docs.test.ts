import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { configRows, GENERATED, withGenerated } from "../../scripts/docs-tables.js";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { brokenLinks, docPages, headingSlugs } from "../support/markdown-links.js";

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

describe("docs: links", () => {
  test.each(docPages(REPO_ROOT))("docs: every relative link and anchor in %s resolves", (page) => {
    expect(brokenLinks(REPO_ROOT, page)).toEqual([]);
  });

  test("docs: the pages checked include README.md, docs/ and the services' READMEs", () => {
    expect(docPages(REPO_ROOT)).toEqual(
      expect.arrayContaining(["README.md", "docs/COST.md", "apps/api/README.md", "apps/processor/README.md"]),
    );
  });

  test("docs: anchors follow GitHub's slugs (code and punctuation dropped, repeats numbered)", () => {
    const slugs = headingSlugs(
      "# Top\n## api vs a bare Express 5 app (`npm run bench:api`)\n## Top\n```\n# not a heading\n```\n### Ünïcode & more_\n",
    );
    expect([...slugs]).toEqual(["top", "api-vs-a-bare-express-5-app-npm-run-benchapi", "top-1", "ünïcode--more_"]);
  });
});

describe("docs: figures quoted from docs/cost-inputs.json stay generated", () => {
  test("docs: a figure edited by hand in the scaling arithmetic is caught", () => {
    const text = readFileSync(join(REPO_ROOT, "docs/OPERATIONS.md"), "utf8");
    const bound = GENERATED.find((g) => g.name === "processor-bound")!;
    const edited = text.replace(/messages_per_second_per_task = \d+ \/ 100/, "messages_per_second_per_task = 1 / 100");
    expect(edited).not.toBe(text);
    expect(withGenerated(edited, "processor-bound", bound.render())).toBe(text);
  });
});
