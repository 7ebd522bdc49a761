/**
 * `npm run policy`: synthesizes both stacks from terraform.tfvars.json (or TFVARS_FILE) and prints the control table
 * as Markdown, ready to paste into a pull request. Exits 1 when a control fails.
 */
import { loadDeployConfigOrExit } from "../config/load.js";
import { synthesizeToJson } from "../stacks/synthesize.js";
import { evaluate } from "./controls/index.js";
import { renderTable } from "./render.js";

function main(): void {
  const config = loadDeployConfigOrExit();
  const { ecr, main: mainStack } = synthesizeToJson(config);
  const results = evaluate({ ecr, main: mainStack, config });
  process.stdout.write(`${renderTable(results)}\n`);
  if (results.some((r) => r.status === "fail")) process.exitCode = 1;
}

main();
