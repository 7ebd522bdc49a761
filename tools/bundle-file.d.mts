/** See bundle-file.mjs. */
export function bundleFile(root: string, entry: string): string;
/** See bundle-file.mjs. */
export const APP_BUNDLE_OPTIONS: {
  bundle: true;
  packages: "external";
  platform: "node";
  format: "cjs";
  logLevel: "warning";
};
