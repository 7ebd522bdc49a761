import { spawn, type ChildProcess } from "node:child_process";

/** A service running as a real process, its stdout parsed as JSON log lines. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Every stdout line so far, parsed (a line that is not JSON is kept as `{ msg, unparsed: true }`). */
  readonly lines: Record<string, unknown>[];
  readonly stderr: string[];
  /** Resolves with the exit code (or signal name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Resolves with the first line matching `predicate`; fails (with stderr) on timeout or if the process exits first. */
  waitForLog(
    what: string,
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/**
 * Spawns `node args` (a service's entry point or bundle; `node` is normally the images' Node, kit/image-node.ts) and
 * collects its JSON log lines. `name` names the service in failures.
 */
export function spawnService(
  name: string,
  node: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    readonly user?: { readonly uid?: number; readonly gid?: number };
  },
): ServiceProcess {
  const child = spawn(node, args, {
    cwd: options.cwd,
    ...options.user,
    stdio: ["ignore", "pipe", "pipe"],
    env: options.env,
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  let buffered = "";
  child.stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split("\n");
    buffered = parts.pop() ?? "";
    for (const part of parts) {
      if (!part) continue;
      try {
        lines.push(JSON.parse(part) as Record<string, unknown>);
      } catch {
        lines.push({ msg: part, unparsed: true });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );

  return {
    child,
    lines,
    stderr,
    exited,
    async waitForLog(what, predicate, timeoutMs = 20_000) {
      const found = () => lines.find(predicate);
      let timer: NodeJS.Timeout | undefined;
      let wake = () => {};
      try {
        return await new Promise<Record<string, unknown>>((resolve, reject) => {
          wake = () => {
            const line = found();
            if (line) resolve(line);
          };
          waiters.add(wake);
          wake();
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `timed out after ${timeoutMs} ms waiting for log: ${what}; stderr: ${stderr.join("").slice(-2000)}`,
                ),
              ),
            timeoutMs,
          );
          void exited.then((code) => {
            if (!found())
              reject(
                new Error(`${name} exited (${code}) before logging: ${what}; stderr: ${stderr.join("").slice(-2000)}`),
              );
          });
        });
      } finally {
        clearTimeout(timer);
        waiters.delete(wake);
      }
    },
  };
}
