/** Where the benches leave their figures (bench/results/<name>.json) and how they print them for a reader. */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { REPO_ROOT } from "../../kit/repo-root.js";

export const RESULTS_DIR = join(REPO_ROOT, "bench", "results");

/** Writes bench/results/<name>.json (pretty, newline-terminated) and returns its path. */
export async function writeResults(name: string, report: unknown): Promise<string> {
  const file = join(RESULTS_DIR, `${name}.json`);
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** Rows as left-aligned columns two spaces apart (the last column unpadded), one line per row. */
export function alignedRows(rows: readonly (readonly string[])[]): string {
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "))
    .join("\n");
}
