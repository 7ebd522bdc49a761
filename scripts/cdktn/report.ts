/** The check's verdict: every difference next to its row in docs/CDKTN.md, the provider schema changes, the exit code. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { schemaChanges } from "./bindings.js";
import { formatValue, type Difference, type Normalized } from "./compare.js";
import { explain, parseExplanations, SOURCES, type Checked, type Source } from "./explanations.js";
import { say, type Clock, type Layout } from "./scratch.js";
import type { Comparison } from "./synths.js";

export const DOC = join(REPO_ROOT, "docs", "CDKTN.md");

export function describeLocation(entry: Difference | Normalized): string {
  return `${entry.stack}  ${entry.address}  ${entry.attribute}: ${formatValue(entry.before)} -> ${formatValue(entry.after)}`;
}

export function printChecked(source: Source, checked: readonly Checked[]): void {
  const mine = checked.filter((entry) => entry.source === source);
  say(`${source} differences (${SOURCES[source]}): ${mine.length === 0 ? "none" : mine.length}`);
  for (const entry of mine) {
    const where = entry.explanation
      ? `explained, docs/CDKTN.md:${entry.explanation.line}`
      : "NOT EXPLAINED in docs/CDKTN.md";
    say(`  ${entry.explanation ? "ok " : "!! "} ${describeLocation(entry.difference)}  [${where}]`);
  }
}

/** Every difference next to its row in docs/CDKTN.md, the schema changes; the exit code. */
export async function report(layout: Layout, comparison: Comparison, clock: Clock): Promise<number> {
  const { explanations, errors } = parseExplanations(await readFile(DOC, "utf8"));
  const { checked, unexplained, stale } = explain(comparison.differences, explanations);
  say();
  say("normalized (must differ, not compared):");
  for (const { source, entry } of comparison.normalized) say(`  ${source}  ${describeLocation(entry)}`);
  for (const source of Object.keys(SOURCES) as Source[]) printChecked(source, checked);
  say(
    `net (cdktf -> cdktn, what a migrated deployment sees): ${comparison.net.length === 0 ? "none" : comparison.net.length}`,
  );
  for (const difference of comparison.net) say(`  ${describeLocation(difference)}`);
  const schema = await schemaChanges(
    [...comparison.types].sort(),
    join(layout.hybrid, "node_modules", "@cdktf", "provider-aws", "lib"),
    join(layout.migrated, "node_modules", "@cdktn", "provider-aws", "lib"),
  );
  say(
    `provider schema, arguments added/removed for the ${comparison.types.size} AWS types the app uses (not compared, read for the plan): ${schema.length === 0 ? "none" : ""}`,
  );
  for (const change of schema) {
    say(
      `  ${change.type}: ${change.added.length ? `+ ${change.added.join(", ")}` : ""}${change.removed.length ? ` - ${change.removed.join(", ")}` : ""}`,
    );
  }
  for (const error of errors) say(`docs/CDKTN.md: ${error}`);
  for (const row of stale)
    say(
      `docs/CDKTN.md:${row.line}: STALE, explains no difference: ${row.source} ${row.stack} ${row.address} ${row.attribute}`,
    );
  say();
  const failed = unexplained.length > 0 || stale.length > 0 || errors.length > 0;
  say(
    `${failed ? "FAIL" : "PASS"}: ${checked.length} difference(s), ${checked.length - unexplained.length} explained, ` +
      `${unexplained.length} unexplained, ${stale.length} stale row(s), ${errors.length} doc error(s); ${clock.total()}`,
  );
  return failed ? 1 : 0;
}
