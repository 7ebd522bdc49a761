import { loadDeployConfigOrExit } from "./config/load.js";
import { commandLineOrExit } from "./kit/cli.js";
import { buildStacks, createApp } from "./stacks/app.js";
import { summarizeSynth } from "./stacks/synth-summary.js";

/**
 * Entry point of `npm run synth` and of `cdktf synth|deploy` (cdktf.json's `app`):
 * the var file -> validated config -> ecr + main stacks -> cdktf.out/.
 * The config is validated before any construct exists, so a bad file writes nothing.
 */
function main(): void {
  const { varFile } = commandLineOrExit({
    command: "npm run synth",
    summary: "Synthesizes the ecr and main stacks offline into cdktf.out/ (or $CDKTF_OUTDIR).",
    varFile: true,
  });
  const config = loadDeployConfigOrExit(varFile.path);
  const app = createApp();
  buildStacks(app, config);
  app.synth();
  for (const line of summarizeSynth(app.outdir)) process.stdout.write(`${line}\n`);
}

main();
