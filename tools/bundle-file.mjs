import { createHash } from "node:crypto";
import { join, relative } from "node:path";

/**
 * Where `npm run synth` writes its bundle of `entry`: under node_modules/.cache, in a folder per checkout (a hash of
 * its path), so that two checkouts sharing one node_modules (a symlink, a worktree) never run each other's code.
 */
export function bundleFile(root, entry) {
  const checkout = createHash("sha256").update(root).digest("hex").slice(0, 16);
  return join(
    root,
    "node_modules",
    ".cache",
    "apigw-vpclink",
    checkout,
    `${relative(root, entry).replaceAll("/", "_")}.cjs`,
  );
}

/** esbuild options of the app bundle: our TypeScript in one CommonJS file, npm packages left to Node to load. */
export const APP_BUNDLE_OPTIONS = {
  bundle: true,
  packages: "external",
  platform: "node",
  format: "cjs",
  logLevel: "warning",
};
