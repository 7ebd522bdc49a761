// Bundles one service (dependencies included) into a single CommonJS file with esbuild, so its image needs no
// node_modules. The Dockerfiles' build stage and the services' bundle tests both run this script, so what is tested
// is what ships. Usage, from the repository root: node apps/shared/bundle.mjs <api|processor> <outfile>
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const SERVICES = ["api", "processor"];

export async function bundle(service, outfile) {
  if (!SERVICES.includes(service)) throw new Error(`unknown service "${service}" (expected ${SERVICES.join(" or ")})`);
  await build({
    entryPoints: [fileURLToPath(new URL(`../${service}/src/main.ts`, import.meta.url))],
    outfile,
    bundle: true,
    platform: "node",
    // Node 24 is the runtime image; Node 20 (this repo's dev runtime) understands the same output.
    target: "node20",
    // CommonJS: express, pino and the AWS SDK are CommonJS, and `node main.js` needs no package.json beside it.
    format: "cjs",
    minify: false,
    legalComments: "none",
    logLevel: "warning",
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [service, outfile] = process.argv.slice(2);
  if (!service || !outfile) {
    process.stderr.write("usage: node apps/shared/bundle.mjs <api|processor> <outfile>\n");
    process.exit(2);
  }
  await bundle(service, outfile);
}
