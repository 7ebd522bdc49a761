/**
 * `npm run docs`: the tables that restate code, generated from it between markers, so they cannot drift:
 * - docs/CONFIGURATION.md: every key of terraform.tfvars.json, its default and its `.describe()` text (config/fields.ts and the files it imports);
 * - docs/POLICY.md: every control of policy/controls/;
 * - docs/COST.md: the monthly bill of three traffic profiles (npm run cost, from the example config);
 * - docs/BENCHMARKS.md and docs/OPERATIONS.md: the measured figures of docs/cost-inputs.json and the scaling
 *   arithmetic built on them (scripts/docs-figures.ts).
 * `npm run docs -- --check` exits 1 when a file differs from what it would write (test/infra/docs.test.ts runs it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { configSchema } from "../config/schema.js";
import { billFor, billMarkdown } from "../cost/main.js";
import { CONTROLS } from "../policy/controls/index.js";
import { commandLineOrExit } from "../kit/cli.js";
import { REPO_ROOT } from "../kit/repo-root.js";
import { apiBound, costInputsTable, processorBound } from "./docs-figures.js";

export interface ConfigRow {
  readonly key: string;
  /** The default as JSON, or undefined when the key is required. */
  readonly defaultValue: string | undefined;
  readonly meaning: string;
}

const WRAPPERS = new Set(["default", "prefault", "nullable", "optional"]);

function unwrap(schema: z.ZodType): z.ZodType {
  let inner = schema;
  // Every wrapper in WRAPPERS keeps the wrapped schema in def.innerType.
  while (WRAPPERS.has(inner._zod.def.type)) inner = (inner._zod.def as unknown as { innerType: z.ZodType }).innerType;
  return inner;
}

/** Keys in schema order; an object without its own description is listed key by key (`services.api.cpu`). */
export function configRows(shape: Record<string, z.ZodType> = configSchema.shape, prefix = ""): ConfigRow[] {
  return Object.entries(shape).flatMap(([key, schema]) => {
    const path = `${prefix}${key}`;
    const inner = unwrap(schema);
    if (!schema.description && inner instanceof z.ZodObject) return configRows(inner.shape, `${path}.`);
    if (!schema.description)
      throw new Error(`config key ${path} has no .describe() text (config/fields.ts and the files it imports)`);
    const parsed = schema.safeParse(undefined);
    return [
      {
        key: path,
        defaultValue: parsed.success ? JSON.stringify(parsed.data) : undefined,
        meaning: schema.description,
      },
    ];
  });
}

const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");

/** Links in `.describe()` texts are written from the repository root (as error messages read); the tables sit in docs/. */
const fromDocs = (text: string) =>
  text.replace(/\]\((?!https?:|#)([^)]*)\)/g, (_, target: string) =>
    target.startsWith("docs/") ? `](${target.slice(5)})` : `](../${target})`,
  );

export function configTable(): string {
  const rows = configRows().map(
    (row) =>
      `| \`${row.key}\` | ${row.defaultValue === undefined ? "required" : `\`${cell(row.defaultValue)}\``} | ${cell(fromDocs(row.meaning))} |`,
  );
  return ["| key | default | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}

export function controlsTable(): string {
  const rows = CONTROLS.map(
    (c) => `| ${c.ids.join(", ")} | \`${c.resourceType}\` | ${cell(c.title)} | ${cell(c.why)} |`,
  );
  return ["| control | resource type | checks | why |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

/** The generated tables and the file holding each. */
export const GENERATED: readonly { readonly file: string; readonly name: string; readonly render: () => string }[] = [
  { file: "docs/CONFIGURATION.md", name: "config", render: configTable },
  { file: "docs/POLICY.md", name: "controls", render: controlsTable },
  ...[0, 10, 500].map((rps) => ({
    file: "docs/COST.md",
    name: `cost-${rps}-rps`,
    render: () =>
      billMarkdown(
        billFor({
          profile: { rps, payloadBytes: 768, readsPerRequest: 1 },
          varFile: "terraform.tfvars.json",
          json: false,
        }),
      ),
  })),
  { file: "docs/BENCHMARKS.md", name: "cost-inputs", render: costInputsTable },
  { file: "docs/OPERATIONS.md", name: "processor-bound", render: processorBound },
  { file: "docs/OPERATIONS.md", name: "api-bound", render: apiBound },
];

/** `text` with the block between `<!-- generated:<name> -->` and `<!-- /generated:<name> -->` replaced. */
export function withGenerated(text: string, name: string, table: string): string {
  const start = `<!-- generated:${name} (npm run docs) -->`;
  const end = `<!-- /generated:${name} -->`;
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) throw new Error(`missing the markers ${start} ... ${end}`);
  return `${text.slice(0, from + start.length)}\n${table}\n${text.slice(to)}`;
}

function main(): void {
  const { values } = commandLineOrExit({
    command: "npm run docs",
    summary:
      "Rewrites the generated tables of docs/ from the code and from the example var file terraform.tfvars.json (the docs always describe that file, so there is no --var-file).",
    options: { check: { type: "boolean" } },
    optionLines: [["--check", "write nothing; exit 1 when a generated table is out of date"]],
  });
  const check = values.check === true;
  process.stderr.write("npm run docs: var file: terraform.tfvars.json (the example the docs describe)\n");
  let stale = 0;
  for (const { file, name, render } of GENERATED) {
    const path = join(REPO_ROOT, file);
    const current = readFileSync(path, "utf8");
    const next = withGenerated(current, name, render());
    if (next === current) continue;
    stale++;
    if (check) process.stderr.write(`${file}: the ${name} table is out of date: run npm run docs\n`);
    else writeFileSync(path, next);
  }
  if (check && stale > 0) process.exit(1);
}

if (process.argv[1] === import.meta.filename) main();
