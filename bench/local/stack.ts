/**
 * `npm run local` as bench:local drives it: started as a child on free ports, its service processes found, and what
 * they used and wrote (CPU, log bytes, SQS requests counted by bench/sqs-requests-preload.ts) metered.
 */
import { spawn } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { serviceNode } from "../../kit/image-node.js";
import { REPO_ROOT as ROOT } from "../../kit/repo-root.js";
import { cpuSeconds } from "../shared/proc.js";
import { writeBenchVarFile } from "./var-file.js";

export const LOGS = join(ROOT, ".local", "logs");

const SQS_COUNTS = join(tmpdir(), `bench-local-sqs-${process.pid}.json`);

/** The api and processor processes: children of `npm run local`, recognised by their entry point. */
async function servicePids(localPid: number): Promise<Record<"api" | "processor", number>> {
  const found: Partial<Record<"api" | "processor", number>> = {};
  const children = (await readFile(`/proc/${localPid}/task/${localPid}/children`, "utf8"))
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  for (const pid of children) {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "")).split("\0").join(" ");
    for (const name of ["api", "processor"] as const)
      if (cmdline.includes(`apps/${name}/src/main.ts`)) found[name] = Number(pid);
  }
  if (!found.api || !found.processor)
    throw new Error(`bench:local: could not find the api and processor processes under ${localPid}`);
  return found as Record<"api" | "processor", number>;
}

const fileBytes = (file: string) =>
  stat(file).then(
    (s) => s.size,
    () => 0,
  );

const sqsCounts = async (): Promise<Record<string, number>> =>
  JSON.parse(await readFile(SQS_COUNTS, "utf8").catch(() => "{}")) as Record<string, number>;

/** What the services used and wrote since `start()`. */
export async function unitsMeter(localPid: number) {
  const pids = await servicePids(localPid);
  const sample = async () => ({
    apiCpu: await cpuSeconds(pids.api),
    processorCpu: await cpuSeconds(pids.processor),
    apiLog: await fileBytes(join(LOGS, "api.log")),
    processorLog: await fileBytes(join(LOGS, "processor.log")),
    sqs: await sqsCounts(),
  });
  const start = await sample();
  return async () => {
    // The preload flushes its counts every second: wait for one flush after the phase.
    await new Promise((r) => setTimeout(r, 1_100));
    const end = await sample();
    const sqs = Object.fromEntries(Object.entries(end.sqs).map(([k, v]) => [k, v - (start.sqs[k] ?? 0)]));
    return {
      apiCpuMs: (end.apiCpu - start.apiCpu) * 1_000,
      processorCpuMs: (end.processorCpu - start.processorCpu) * 1_000,
      apiLogBytes: end.apiLog - start.apiLog,
      processorLogBytes: end.processorLog - start.processorLog,
      sqs,
    };
  };
}

/**
 * `npm run local` on free ports with the bench's var file (var-file.ts); resolves once it printed its URLs, key and
 * the signing credentials of the local principal the resource policy admits.
 */
export async function startNpmRunLocal() {
  const varFile = await writeBenchVarFile();
  // The whole local run on the images' Node, so the service processes it spawns (on its own node) run on it too.
  const child = spawn(
    await serviceNode(),
    [
      "--import",
      "tsx",
      "--import",
      join(ROOT, "bench", "sqs-requests-preload.ts"),
      join(ROOT, "local", "main.ts"),
      "--var-file",
      varFile,
      "--ingest-port",
      "0",
      "--query-port",
      "0",
    ],
    {
      cwd: ROOT,
      env: { ...process.env, BENCH_SQS_COUNTS_FILE: SQS_COUNTS },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  const output: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const banner = await new Promise<string>((resolve, reject) => {
    const lines: string[] = [];
    const timer = setTimeout(
      () => reject(new Error(`npm run local did not start within 120 s:\n${lines.join("\n")}${output.join("")}`)),
      120_000,
    );
    createInterface({ input: child.stdout }).on("line", (line) => {
      lines.push(line);
      if (line.startsWith("Ctrl-C stops everything")) {
        clearTimeout(timer);
        resolve(lines.join("\n"));
      }
    });
    child.once("exit", (code) =>
      reject(new Error(`npm run local exited (${code}) during start-up:\n${lines.join("\n")}${output.join("")}`)),
    );
  });
  const field = (pattern: RegExp) => pattern.exec(banner)?.[1];
  // The "Try it" lines sign as the principal the resource policy admits (local/access-setup.ts, credentialArgs).
  const signer = /^Try it:\n.*--aws-sigv4 "aws:amz:([^:"]+):execute-api" --user '([^:']+):([^']+)'/m.exec(banner);
  return {
    ingestUrl: field(/^Ingest API: (\S+)/m)!,
    queryUrl: field(/^Query API:\s+(\S+)/m)!,
    apiKey: field(/^API key:\s+(local-\S+)/m),
    /** SigV4 credentials and region when the APIs use the `iam` mode. */
    signing: signer
      ? { region: signer[1]!, credentials: { accessKeyId: signer[2]!, secretAccessKey: signer[3]! } }
      : undefined,
    pid: child.pid!,
    /** Ctrl-C, as a user would stop it. */
    stop: async () => {
      child.kill("SIGINT");
      await exited;
    },
  };
}
