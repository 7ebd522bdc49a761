// Bundles the service into one file with esbuild, so the runtime image needs no node_modules.
// Used by the Dockerfile's build stage and by test/bundle.test.ts (same options in both places).
// Usage: node apps/api/bundle.mjs <outfile>   (run from the repository root)
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

export const bundleOptions = {
  entryPoints: [fileURLToPath(new URL("./src/main.ts", import.meta.url))],
  bundle: true,
  platform: "node",
  // Node 24 is the runtime image; Node 20 (this repo's dev runtime) understands the same output.
  target: "node20",
  // CommonJS: express, pino and the AWS SDK are CommonJS, and an ESM bundle would need a require() shim.
  format: "cjs",
  minify: false,
  legalComments: "none",
  logLevel: "warning",
};

export async function bundle(outfile) {
  await build({ ...bundleOptions, outfile });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outfile = process.argv[2];
  if (!outfile) {
    process.stderr.write("usage: node apps/api/bundle.mjs <outfile>\n");
    process.exit(2);
  }
  await bundle(outfile);
}
