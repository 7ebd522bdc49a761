import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { References } from "./references.js";
import { resources, type TfJson } from "../tfjson/index.js";
import { COLLECTOR_CONTAINER } from "../stacks/services/trace-export.js";

/**
 * The ECS services of the synth, run as local Node processes: one process per aws_ecs_service, started from
 * `apps/<container name>/src/main.ts` (what `npm run start:<name>` runs) with the container's environment from the
 * synthesized task definition, Terraform references resolved to the emulators' values, plus the local overrides
 * (ports, emulator endpoints, dummy credentials).
 */
export interface ServiceSpec {
  /** Container name: `api`, `processor`. */
  readonly name: string;
  readonly ecsService: string;
  /** The container's environment from the task definition, resolved. */
  readonly environment: Readonly<Record<string, string>>;
  /** Port the container serves traffic on (first port mapping), if any. */
  readonly containerPort: number | undefined;
  /** True when a load balancer sends traffic to it (the service the VPC link reaches). */
  readonly behindLoadBalancer: boolean;
}

export function serviceSpecs(doc: TfJson, refs: References): ServiceSpec[] {
  return resources(doc, "aws_ecs_service").map(({ name: ecsService, body: service }) => {
    const taskRef = /^\$\{aws_ecs_task_definition\.([^.]+)\.arn\}$/.exec(String(service.task_definition))?.[1];
    const task = taskRef ? doc.resource?.aws_ecs_task_definition?.[taskRef] : undefined;
    if (!task)
      throw new Error(`local: aws_ecs_service.${ecsService} does not reference a task definition of this stack`);
    const containers = JSON.parse(String(task.container_definitions)) as {
      name: string;
      environment?: { name: string; value: string }[];
      portMappings?: { containerPort: number }[];
    }[];
    // The trace collector beside a service is AWS's part: locally the services send to the local trace receiver.
    const own = containers.filter((c) => c.name !== COLLECTOR_CONTAINER);
    if (own.length !== 1)
      throw new Error(`local: task ${taskRef} has ${own.length} service containers; the local stack runs exactly one`);
    const container = own[0]!;
    const where = `aws_ecs_task_definition.${taskRef} (container ${container.name})`;
    return {
      name: container.name,
      ecsService,
      environment: Object.fromEntries(
        (container.environment ?? []).map((e) => [e.name, refs.resolveString(e.value, `${where} ${e.name}`)]),
      ),
      containerPort: container.portMappings?.[0]?.containerPort,
      behindLoadBalancer: Array.isArray(service.load_balancer) && service.load_balancer.length > 0,
    };
  });
}

export interface RunningService {
  readonly name: string;
  readonly pid: number;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  recentOutput(): string[];
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const KEPT_LINES = 40;

export async function startService(options: {
  readonly name: string;
  readonly repoRoot: string;
  /** @default this process's node */
  readonly node?: string;
  readonly environment: Readonly<Record<string, string>>;
  /** Polled until it answers 200. */
  readonly readyUrl: string;
  /** Append the process's output to `<logDir>/<name>.log`. @default kept in memory only (last lines) */
  readonly logDir?: string;
  /** Called if the process exits after start-up without `stop()` having been called. @default none */
  readonly onUnexpectedExit?: (
    name: string,
    code: number | null,
    signal: string | null,
    recentOutput: string[],
  ) => void;
}): Promise<RunningService> {
  const entry = join(options.repoRoot, "apps", options.name, "src", "main.ts");
  if (!existsSync(entry))
    throw new Error(`local: the synth runs a container named "${options.name}", but ${entry} does not exist`);
  // The parent's AWS settings (a real profile, region or endpoint) must not leak into a local service.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("AWS_")));
  // `node --import tsx` rather than the tsx CLI: one process, so SIGTERM reaches the service itself.
  const dnsPreload = join(options.repoRoot, "local", "localhost-dns.ts");
  const child = spawn(options.node ?? process.execPath, ["--import", "tsx", "--import", dnsPreload, entry], {
    cwd: options.repoRoot,
    env: { ...inherited, ...options.environment },
    stdio: ["ignore", "pipe", "pipe"],
    // Own process group: a terminal's Ctrl-C reaches only `npm run local`, which then stops the gateways before
    // the services (in order) instead of every process dying at once.
    detached: true,
  });
  // ...and never outlive this process, whatever way it exits (a hard kill -9 excepted).
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  const recent: string[] = [];
  let log: WriteStream | undefined;
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    log = createWriteStream(join(options.logDir, `${options.name}.log`), { flags: "a" });
  }
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => {
      recent.push(line);
      if (recent.length > KEPT_LINES) recent.shift();
      log?.write(`${line}\n`);
    });
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  let stopping = false;
  let ready = false;
  child.once("exit", (code, signal) => {
    if (ready && !stopping) options.onUnexpectedExit?.(options.name, code, signal, [...recent]);
  });
  const service: RunningService = {
    name: options.name,
    pid: child.pid ?? -1,
    recentOutput: () => [...recent],
    stop: async (graceMs = 10_000) => {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log?.end();
    },
  };
  try {
    await waitUntilReady(child, options.readyUrl, options.name, recent);
    ready = true;
  } catch (error) {
    await service.stop(1_000);
    throw error;
  }
  return service;
}

async function waitUntilReady(child: ChildProcess, url: string, name: string, recent: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `local: ${name} exited (${child.exitCode ?? child.signalCode}) during start-up. Last output:\n${recent.join("\n")}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `local: ${name} did not answer 200 on ${url} within ${READY_TIMEOUT_MS} ms. Last output:\n${recent.join("\n")}`,
  );
}
