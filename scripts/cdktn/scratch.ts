/** What every step of the cdktn check shares: the scratch layout, the child-process runner, the clock and the output. */
import { execFile } from "node:child_process";
import { dirname } from "node:path";
import { promisify } from "node:util";
import type { migratePackageJson } from "./migrate.js";

/** The app's entry point; the sources copied are the files it reaches (type-only imports included). */
export const ENTRY = "main.ts";

/** Files the CLI needs besides the sources: its config, the app command it names, the example var file. */
export const EXTRA_FILES = ["cdktf.json", "tools/synth.mjs", "tools/bundle-file.mjs", "terraform.tfvars.json"];

export const run = promisify(execFile);

/** The environment for a child that must find the fetched Node first on PATH, without inherited CDKTF settings. */
export function withNodeFirst(nodeBin: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${dirname(nodeBin)}:${process.env.PATH ?? ""}`,
    CHECKPOINT_DISABLE: "1",
    ...extra,
  };
  for (const name of ["CDKTF_OUTDIR", "CDKTF_CONTEXT_JSON", "CDKTF_STACK_ID", "TFVARS_FILE"])
    if (!(name in extra)) delete env[name];
  return env;
}

export class Clock {
  private readonly start = performance.now();
  private last = this.start;
  lap(): string {
    const now = performance.now();
    const text = `${((now - this.last) / 1000).toFixed(1)} s`;
    this.last = now;
    return text;
  }
  total(): string {
    return `${((performance.now() - this.start) / 1000).toFixed(1)} s`;
  }
}

export const say = (line = "") => process.stdout.write(`${line}\n`);

/** Where each install lives in the scratch directory. */
export interface Layout {
  readonly scratch: string;
  /** The app as it is, bundled, with a link to the repository's node_modules. */
  readonly plain: string;
  /** The app as it is, bundled, on cdktn installed as `cdktf` with the old bindings. */
  readonly hybrid: string;
  /** The migrated copy, with its own install of the fork and the CLI. */
  readonly migrated: string;
}

export type PackageJson = Parameters<typeof migratePackageJson>[0] & {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
