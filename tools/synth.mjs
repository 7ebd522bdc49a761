#!/usr/bin/env node
/**
 * Fast entry point of `npm run synth` and of cdktf.json's `app` (so `cdktf synth|deploy` run the same code).
 *
 * esbuild bundles our own TypeScript (main.ts and what it imports; npm packages stay external) into one
 * CommonJS file under node_modules/.cache (a folder per checkout: tools/bundle-file.mjs), which plain Node then
 * runs. Running main.ts through tsx instead puts tsx's loader hooks in front of every one of the hundreds of modules cdktf and the provider load,
 * which costs more than the synth itself (see docs/BENCHMARKS.md). Bundling our ~25 files takes ~50 ms.
 */
import { build } from "esbuild";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { APP_BUNDLE_OPTIONS, bundleFile } from "./bundle-file.mjs";

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
// The entry can be overridden for the synth benchmark's barrel-import variant; users never set it. The command line
// belongs to main.ts (--var-file, --help), which reads process.argv itself.
const entry = resolve(REPO_ROOT, process.env.SYNTH_ENTRY ?? "main.ts");
const outfile = bundleFile(REPO_ROOT, entry);

await build({ ...APP_BUNDLE_OPTIONS, entryPoints: [entry], outfile, target: "node20" });
createRequire(import.meta.url)(outfile);
