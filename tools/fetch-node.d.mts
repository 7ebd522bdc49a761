/** See fetch-node.mjs. */
export type FetchedNode = { readonly path: string } | { readonly unavailable: string };
/** See fetch-node.mjs. */
export function defaultNodeCacheDir(version: string): string;
/** See fetch-node.mjs. */
export function fetchNode(version: string, cacheDir?: string): Promise<FetchedNode>;
