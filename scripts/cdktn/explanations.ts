/**
 * The explained differences of `npm run check:cdktn`: a markdown table in docs/CDKTN.md, right after the marker
 * comment below, one row per difference, each naming its stack, address, attribute, where it comes from, both
 * values and why. The check fails on a difference without a row, and on a row without a difference (a stale row
 * would promise a plan change that no longer happens).
 */
import { formatValue, type Difference, type Location } from "./compare.js";

export const TABLE_MARKER = "<!-- check:cdktn differences -->";

/** Which pair of synths a difference comes from (the rows' `source` column). */
export const SOURCES = {
  framework: "cdktf -> cdktn, same provider bindings (AWS provider 6.25)",
  provider: "@cdktf/provider-aws -> @cdktn/provider-aws, both on cdktn",
  cli: "the app run directly -> `cdktn synth` (cdktn-cli running cdktf.json's app), both on cdktn",
} as const;
export type Source = keyof typeof SOURCES;

export interface Explanation extends Location {
  readonly source: Source;
  /** A value as formatValue writes it, or `*` for any value. */
  readonly before: string;
  readonly after: string;
  readonly reason: string;
  /** 1-based line in the document, for messages. */
  readonly line: number;
}

const COLUMNS = ["stack", "address", "attribute", "source", "before", "after", "reason"] as const;

/** Splits a table row on unescaped `|`; `\|` stays a literal pipe inside a cell. */
function cells(line: string): string[] {
  const trimmed = line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "");
  return trimmed.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** A cell's text without the backticks around code: `` `a` `` -> `a`. */
function plain(cell: string): string {
  const code = /^`+\s?([\s\S]*?)\s?`+$/.exec(cell);
  return code ? code[1]! : cell;
}

/** The rows of the table after TABLE_MARKER, or every problem found with its line. */
export function parseExplanations(markdown: string): { explanations: Explanation[]; errors: string[] } {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => line.trim() === TABLE_MARKER);
  if (start < 0)
    return { explanations: [], errors: [`no line "${TABLE_MARKER}" followed by the table of differences`] };
  let index = start + 1;
  while (index < lines.length && lines[index]!.trim() === "") index++;
  const header = cells(lines[index] ?? "").map((cell) => cell.toLowerCase());
  const missing = COLUMNS.filter((column) => !header.includes(column));
  if (!(lines[index] ?? "").trim().startsWith("|") || missing.length > 0) {
    return {
      explanations: [],
      errors: [
        `line ${index + 1}: expected a table header with the columns ${COLUMNS.join(", ")} (missing: ${missing.join(", ")})`,
      ],
    };
  }
  index += 2; // header and |---| separator
  const explanations: Explanation[] = [];
  const errors: string[] = [];
  for (; index < lines.length && lines[index]!.trim().startsWith("|"); index++) {
    const row = cells(lines[index]!);
    const cell = (column: (typeof COLUMNS)[number]) => plain(row[header.indexOf(column)] ?? "");
    const line = index + 1;
    const source = cell("source");
    if (!(source in SOURCES)) {
      errors.push(`line ${line}: source "${source}" is not one of ${Object.keys(SOURCES).join(", ")}`);
      continue;
    }
    const empty = COLUMNS.filter((column) => cell(column) === "");
    if (empty.length > 0) {
      errors.push(`line ${line}: empty ${empty.join(", ")}`);
      continue;
    }
    explanations.push({
      stack: cell("stack"),
      address: cell("address"),
      attribute: cell("attribute"),
      source: source as Source,
      before: cell("before"),
      after: cell("after"),
      reason: row[header.indexOf("reason")]!,
      line,
    });
  }
  return { explanations, errors };
}

export interface Checked {
  readonly source: Source;
  readonly difference: Difference;
  /** The row that explains it, if any. */
  readonly explanation?: Explanation;
}

function valueMatches(cell: string, value: unknown): boolean {
  return cell === "*" || cell === formatValue(value);
}

/** Matches each difference of each comparison to its row; rows that match nothing are stale. */
export function explain(
  differences: Readonly<Partial<Record<Source, readonly Difference[]>>>,
  explanations: readonly Explanation[],
): { checked: Checked[]; unexplained: Checked[]; stale: Explanation[] } {
  const used = new Set<Explanation>();
  const checked: Checked[] = [];
  for (const source of Object.keys(SOURCES) as Source[]) {
    for (const difference of differences[source] ?? []) {
      const explanation = explanations.find(
        (row) =>
          row.source === source &&
          row.stack === difference.stack &&
          row.address === difference.address &&
          row.attribute === difference.attribute &&
          valueMatches(row.before, difference.before) &&
          valueMatches(row.after, difference.after),
      );
      if (explanation) used.add(explanation);
      checked.push({ source, difference, ...(explanation ? { explanation } : {}) });
    }
  }
  return {
    checked,
    unexplained: checked.filter((entry) => !entry.explanation),
    stale: explanations.filter((row) => !used.has(row)),
  };
}
