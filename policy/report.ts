/**
 * `npm run policy`: synthesizes both stacks from terraform.tfvars.json (or TFVARS_FILE) and prints the control table
 * as Markdown, ready to paste into a pull request. Exits 1 when a control fails.
 */
import { loadConfigOrExit } from "../config/load.js";
import { synthesizeToJson } from "../stacks/synthesize.js";
import { evaluate, type ControlResult } from "./controls.js";

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

function main(): void {
  const config = loadConfigOrExit();
  const { ecr, main: mainStack } = synthesizeToJson(config);
  const results = evaluate({ ecr, main: mainStack, config });
  process.stdout.write(`${renderTable(results)}\n`);
  if (results.some((r) => r.status === "fail")) process.exitCode = 1;
}

main();
