// Bundles the processor into one self-contained file (dependencies included), used by the Dockerfile's build
// stage and by the test that starts the bundle, so what is tested is what ships.
// Usage: node apps/processor/bundle.mjs <outdir>   (run from the repo root)
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const outdir = process.argv[2];
if (!outdir) {
  process.stderr.write("usage: node apps/processor/bundle.mjs <outdir>\n");
  process.exit(64);
}

await build({
  entryPoints: [fileURLToPath(new URL("./src/main.ts", import.meta.url))],
  outfile: `${outdir}/main.js`,
  bundle: true,
  platform: "node",
  // CommonJS: `node dist/main.js` runs it without a package.json next to it.
  format: "cjs",
  target: "node20",
  minify: false,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
});
