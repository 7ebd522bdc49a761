import type { ControlResult } from "./controls/index.js";

/** The control table of `npm run policy` as Markdown (kept apart from report.ts, which synthesizes when imported). */
const STATUS_LABEL = { pass: "pass", fail: "**FAIL**", exception: "exception" } as const;

export function renderTable(results: readonly ControlResult[]): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  const rows = results.map(({ control, status, problems, exceptionReason, notes: facts }) => {
    const notes = [
      ...(exceptionReason ? [exceptionReason] : []),
      ...problems,
      ...(facts ?? []),
      ...(control.exemptions ?? []).map((e) => `exempt: ${e.what} (${e.why})`),
    ];
    return `| ${control.ids.join(", ")} | ${control.resourceType} | ${escape(control.title)} | ${STATUS_LABEL[status]} | ${escape(notes.join("; "))} |`;
  });
  const count = (status: string) => results.filter((r) => r.status === status).length;
  return [
    "| control | resource | requirement | result | notes |",
    "| --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `${count("pass")} passed, ${count("fail")} failed, ${count("exception")} not applicable to this config`,
  ].join("\n");
}
