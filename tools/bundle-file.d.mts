/** See bundle-file.mjs. */
export function bundleFile(root: string, entry: string): string;
