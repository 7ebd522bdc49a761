/**
 * `npm run policy`: synthesizes both stacks from the var file (--var-file, else TFVARS_FILE, else
 * terraform.tfvars.json) and prints the control table as Markdown, ready to paste into a pull request.
 * Exits 1 when a control fails.
 */
import { loadDeployConfigOrExit } from "../config/load.js";
import { commandLineOrExit } from "../kit/cli.js";

async function main(): Promise<void> {
  const { varFile } = commandLineOrExit({
    command: "npm run policy",
    summary:
      "Synthesizes both stacks in-process and prints every security and reliability control as a Markdown table; exits 1 when one fails.",
    varFile: true,
  });
  const config = loadDeployConfigOrExit(varFile.path);
  // Loaded after the command line is checked: cdktf and the provider bindings take seconds, --help should not.
  const [{ synthesizeToJson }, { evaluate }, { renderTable }] = await Promise.all([
    import("../stacks/synthesize.js"),
    import("./controls/index.js"),
    import("./render.js"),
  ]);
  const { ecr, main: mainStack } = synthesizeToJson(config);
  const results = evaluate({ ecr, main: mainStack, config });
  process.stdout.write(`${renderTable(results)}\n`);
  if (results.some((r) => r.status === "fail")) process.exitCode = 1;
}

await main();
