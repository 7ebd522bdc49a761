import { resolve } from "node:path";

/** The repository's root directory (absolute, no trailing slash), for tests and benches that run its scripts. */
export const REPO_ROOT = resolve(import.meta.dirname, "..");
