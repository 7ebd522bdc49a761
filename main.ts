import { accessWarnings } from "./config/capacity.js";
import { loadDeployConfigOrExit } from "./config/load.js";
import { buildStacks, createApp } from "./stacks/app.js";
import { summarizeSynth } from "./stacks/synth-summary.js";

/**
 * Entry point of `npm run synth` and of `cdktf synth|deploy` (cdktf.json's `app`):
 * terraform.tfvars.json -> validated config -> ecr + main stacks -> cdktf.out/.
 * The config is validated before any construct exists, so a bad file writes nothing.
 */
function main(): void {
  const config = loadDeployConfigOrExit();
  for (const warning of accessWarnings(config)) process.stderr.write(`warning: ${warning}\n`);
  const app = createApp();
  buildStacks(app, config);
  app.synth();
  for (const line of summarizeSynth(app.outdir)) process.stdout.write(`${line}\n`);
}

main();
