import { spawn } from "node:child_process";

export interface NpmResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A Node stack trace in a command's output: what a user error must never print. */
export const STACK_TRACE = /\n\s+at /;

/** `npm run --silent <args>` in `cwd`, with its exit code and everything it printed. */
export function runNpm(args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<NpmResult> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", ...args], { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}
