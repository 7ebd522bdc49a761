import { readFile, writeFile } from "node:fs/promises";

/**
 * docs/cost-inputs.json: the per-request and per-message figures the bill (`npm run cost`) uses, rewritten by the
 * benches (each owns one section) and tracked in git, so the bill and its test work on a fresh clone.
 */
export const COST_INPUTS = new URL("../../docs/cost-inputs.json", import.meta.url);

export type Section = "processor" | "api" | "local";

export async function updateCostInputs(section: Section, figures: Record<string, unknown>): Promise<void> {
  let current: Record<string, unknown> = {};
  try {
    current = JSON.parse(await readFile(COST_INPUTS, "utf8")) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  // Keys in a fixed order, so a rewrite only changes the figures.
  const next = { ...current, [section]: figures };
  const ordered = Object.fromEntries(
    Object.keys(next)
      .sort()
      .map((k) => [k, next[k]]),
  );
  await writeFile(COST_INPUTS, `${JSON.stringify(ordered, null, 2)}\n`);
}
