/**
 * `npm run bench:local`: end-to-end latency of the local architecture, POST accepted -> item readable.
 *
 * Starts `npm run local` itself (local/main.ts as a child process: in-process synth of terraform.tfvars.json, fauxqs,
 * DynamoDB Local, the api and processor processes, the two local API Gateways) so the load generator does not share
 * an event loop with the gateways and fauxqs; it runs on the images' Node (kit/image-node.ts; this one, with a printed
 * line why, where it is unavailable), and so do the service processes it spawns. Then:
 * - sends POST /requests through the ingest gateway at a steady open-loop rate (RATE per second, scheduled on a
 *   clock, not waiting for responses) for a warm-up, then for DURATION seconds of measurement;
 * - for every 202, polls GET /requests/{id} through the query gateway every POLL_MS until it answers 200.
 * Latency = first 200 received - 202 received, so it includes queue wait, processing, the DynamoDB write and one
 * read through the query path; the poll interval bounds its resolution (+0..POLL_MS).
 *
 * Billable units over the measured phase: the api's and the processor's own CPU (their processes, from /proc) per GET
 * and per message, the processor's SQS requests per message (counted at fauxqs by bench/sqs-requests-preload.ts),
 * its write units per item (its own counters), and the log bytes each service wrote (.local/logs). The POST bodies are
 * the pinned 768-byte payload (cost/payload.ts).
 *
 * Env: BENCH_DURATION (s, default 30), BENCH_WARMUP (s, default 5), BENCH_RATE (req/s, default 100),
 * BENCH_POLL_MS (default 10), BENCH_READ_TIMEOUT_MS (give up on one item, default 30000).
 * Writes bench/results/local.json and prints a table.
 */
import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { serviceNode } from "../kit/image-node.js";
import { REPO_ROOT as ROOT } from "../kit/repo-root.js";
import { httpRequest } from "../local/gateway/http-client.js";
import { benchBody, BENCH_BODY_BYTES } from "../cost/payload.js";
import { updateCostInputs } from "./cost-inputs.js";
import { cpuSeconds } from "./proc.js";
import { percentile, round } from "./stats.js";
import { commandLineOrExit } from "../kit/cli.js";

const DURATION_S = Number(process.env.BENCH_DURATION ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10);
const READ_TIMEOUT_MS = Number(process.env.BENCH_READ_TIMEOUT_MS ?? 30_000);
const RESULTS = join(ROOT, "bench", "results", "local.json");
const LOGS = join(ROOT, ".local", "logs");
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
async function unitsMeter(localPid: number) {
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

interface Sample {
  /** ms from scheduled send to 202 (includes any client-side lag behind the schedule). */
  readonly acceptMs: number;
  /** ms from 202 to the first 200 from the query API; undefined when never readable within READ_TIMEOUT_MS. */
  readonly readableMs: number | undefined;
  readonly polls: number;
  /** ms of each GET through the query gateway (request sent -> response received). */
  readonly getMs: readonly number[];
  /** The item's processedAt - receivedAt (SQS SentTimestamp -> DynamoDB write, by the services' clocks). */
  readonly storedMs: number | undefined;
}

/** `npm run local` on free ports; resolves once it printed its URLs and key. */
async function startNpmRunLocal() {
  // The whole local run on the images' Node, so the service processes it spawns (on its own node) run on it too.
  const child = spawn(
    await serviceNode(),
    [
      "--import",
      "tsx",
      "--import",
      join(ROOT, "bench", "sqs-requests-preload.ts"),
      join(ROOT, "local", "main.ts"),
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
  return {
    ingestUrl: field(/^Ingest API: (\S+)/m)!,
    queryUrl: field(/^Query API:\s+(\S+)/m)!,
    apiKey: field(/^API key:\s+(local-\S+)/m),
    pid: child.pid!,
    /** Ctrl-C, as a user would stop it. */
    stop: async () => {
      child.kill("SIGINT");
      await exited;
    },
  };
}

async function main(): Promise<void> {
  commandLineOrExit({
    command: "npm run bench:local",
    summary:
      "Drives `npm run local` end to end and records its latencies (docs/BENCHMARKS.md). Tuned by BENCH_* environment variables.",
  });
  const started = performance.now();
  const stack = await startNpmRunLocal();
  const startupMs = performance.now() - started;
  const headers = { "content-type": "application/json", ...(stack.apiKey ? { "x-api-key": stack.apiKey } : {}) };
  process.stdout.write(`local stack up in ${round(startupMs / 1000, 1)} s: ${stack.ingestUrl}, ${stack.queryUrl}\n`);

  const failures = { post: 0, postStatus: new Map<string, number>(), unreadable: 0 };

  async function one(seq: number, scheduledAt: number): Promise<Sample | undefined> {
    let response;
    try {
      // node:http keep-alive client (local/gateway/http-client.ts): fetch's CPU cost on Node 20 would skew the figures.
      response = await httpRequest(`${stack.ingestUrl}/requests`, {
        method: "POST",
        headers,
        body: benchBody(seq),
        timeoutMs: 60_000,
      });
    } catch {
      failures.post++;
      return undefined;
    }
    const acceptedAt = performance.now();
    if (response.status !== 202) {
      const key = `${response.status} ${response.body.slice(0, 120)}`.replace(/"requestId":"[^"]*"/, "");
      failures.postStatus.set(key, (failures.postStatus.get(key) ?? 0) + 1);
      return undefined;
    }
    const { requestId } = JSON.parse(response.body) as { requestId: string };
    let polls = 0;
    const getMs: number[] = [];
    while (performance.now() - acceptedAt < READ_TIMEOUT_MS) {
      polls++;
      const sentAt = performance.now();
      const read = await httpRequest(`${stack.queryUrl}/requests/${requestId}`, {
        method: "GET",
        headers,
        timeoutMs: 30_000,
      });
      getMs.push(performance.now() - sentAt);
      if (read.status === 200) {
        const item = JSON.parse(read.body) as { receivedAt?: string; processedAt?: string };
        const storedMs =
          item.receivedAt && item.processedAt ? Date.parse(item.processedAt) - Date.parse(item.receivedAt) : undefined;
        return {
          acceptMs: acceptedAt - scheduledAt,
          readableMs: performance.now() - acceptedAt,
          polls,
          getMs,
          storedMs,
        };
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    failures.unreadable++;
    return { acceptMs: acceptedAt - scheduledAt, readableMs: undefined, polls, getMs, storedMs: undefined };
  }

  /** Open loop: request i is sent at start + i/RATE whatever happened to the earlier ones. */
  async function phase(
    seconds: number,
    firstSeq: number,
  ): Promise<{ samples: Sample[]; sent: number; wallMs: number }> {
    const total = Math.round(seconds * RATE);
    const start = performance.now() + 20;
    const pending: Promise<Sample | undefined>[] = [];
    for (let i = 0; i < total; i++) {
      const at = start + (i * 1000) / RATE;
      const wait = at - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(one(firstSeq + i, at));
    }
    const samples = (await Promise.all(pending)).filter((s): s is Sample => s !== undefined);
    return { samples, sent: total, wallMs: performance.now() - start };
  }

  try {
    if (WARMUP_S > 0) {
      process.stdout.write(`warm-up: ${WARMUP_S} s at ${RATE} req/s\n`);
      await phase(WARMUP_S, 0);
      failures.post = 0;
      failures.postStatus.clear();
      failures.unreadable = 0;
    }
    process.stdout.write(`measuring: ${DURATION_S} s at ${RATE} req/s, polling every ${POLL_MS} ms\n`);
    const meter = await unitsMeter(stack.pid);
    const { samples, sent, wallMs } = await phase(DURATION_S, 1_000_000);
    const used = await meter();
    const readable = samples.flatMap((s) => (s.readableMs === undefined ? [] : [s.readableMs]));
    const accept = samples.map((s) => s.acceptMs);
    const summary = {
      config: {
        durationSeconds: DURATION_S,
        warmupSeconds: WARMUP_S,
        targetRate: RATE,
        pollMs: POLL_MS,
        readTimeoutMs: READ_TIMEOUT_MS,
      },
      machine: { node: process.version, cpus: (await import("node:os")).cpus().length },
      setup:
        "npm run local as a child process (gateways, SQS adapter and fauxqs in it; api, processor, DynamoDB Local as its children); load generator in this process",
      startupSeconds: round(startupMs / 1000, 1),
      sent,
      accepted: samples.length,
      readable: readable.length,
      failures: {
        postErrors: failures.post,
        postStatus: Object.fromEntries(failures.postStatus),
        unreadable: failures.unreadable,
      },
      achievedRate: round(sent / DURATION_S, 1),
      readableThroughput: round(readable.length / (wallMs / 1000), 1),
      acceptedToReadableMs: {
        p50: round(percentile(readable, 50)),
        p90: round(percentile(readable, 90)),
        p99: round(percentile(readable, 99)),
        max: round(Math.max(...readable)),
      },
      postLatencyMs: {
        p50: round(percentile(accept, 50)),
        p99: round(percentile(accept, 99)),
        max: round(Math.max(...accept)),
      },
      enqueuedToStoredMs: (() => {
        const stored = samples.flatMap((s) => (s.storedMs === undefined ? [] : [s.storedMs]));
        return {
          p50: round(percentile(stored, 50)),
          p99: round(percentile(stored, 99)),
          max: round(Math.max(...stored)),
        };
      })(),
      getLatencyMs: (() => {
        const gets = samples.flatMap((s) => s.getMs);
        return { p50: round(percentile(gets, 50)), p99: round(percentile(gets, 99)), max: round(Math.max(...gets)) };
      })(),
      meanPollsPerItem: round(samples.reduce((n, s) => n + s.polls, 0) / Math.max(1, samples.length), 2),
      loadAverage: (await import("node:os")).loadavg().map((l) => round(l, 2)),
      bodyBytes: BENCH_BODY_BYTES,
      // Per accepted request (one message, one item) and per GET through the query API (the bench polls until readable).
      units: (() => {
        const gets = samples.reduce((n, s) => n + s.getMs.length, 0);
        const messages = samples.length;
        const sqsTotal = Object.values(used.sqs).reduce((a, b) => a + b, 0);
        return {
          apiCpuMsPerGet: round(used.apiCpuMs / gets, 3),
          processorCpuMsPerMessage: round(used.processorCpuMs / messages, 3),
          sqsRequestsPerMessage: round(sqsTotal / messages, 3),
          sqsRequestsPerMessageByAction: Object.fromEntries(
            Object.entries(used.sqs).map(([k, v]) => [k, round(v / messages, 3)]),
          ),
          apiLogBytesPerGet: round(used.apiLogBytes / gets, 1),
          processorLogBytesPerMessage: round(used.processorLogBytes / messages, 1),
          getsPerMessage: round(gets / messages, 2),
        };
      })(),
    };
    await mkdir(join(ROOT, "bench", "results"), { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(summary, null, 2)}\n`);
    const rows: [string, string][] = [
      ["sent / accepted / readable", `${summary.sent} / ${summary.accepted} / ${summary.readable}`],
      ["target rate (req/s)", String(RATE)],
      ["readable throughput (items/s)", String(summary.readableThroughput)],
      ["accepted -> readable p50 (ms)", String(summary.acceptedToReadableMs.p50)],
      ["accepted -> readable p90 (ms)", String(summary.acceptedToReadableMs.p90)],
      ["accepted -> readable p99 (ms)", String(summary.acceptedToReadableMs.p99)],
      ["accepted -> readable max (ms)", String(summary.acceptedToReadableMs.max)],
      ["POST (sched. send -> 202) p50/p99 (ms)", `${summary.postLatencyMs.p50} / ${summary.postLatencyMs.p99}`],
      [
        "SQS enqueue -> DynamoDB write p50/p99 (ms)",
        `${summary.enqueuedToStoredMs.p50} / ${summary.enqueuedToStoredMs.p99}`,
      ],
      ["GET through the query API p50/p99 (ms)", `${summary.getLatencyMs.p50} / ${summary.getLatencyMs.p99}`],
      ["mean GET polls per item", String(summary.meanPollsPerItem)],
      ["machine load average (1/5/15 min)", summary.loadAverage.join(" / ")],
      ["failures", JSON.stringify(summary.failures)],
      ["billable units", JSON.stringify(summary.units)],
    ];
    const width = Math.max(...rows.map(([k]) => k.length));
    process.stdout.write(`\n${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n")}\n\nwritten to ${RESULTS}\n`);
    await stack.stop();
    // The processor's final counters carry the write units DynamoDB reported for the whole run (warm-up included).
    const stopped = (await readFile(join(LOGS, "processor.log"), "utf8"))
      .split("\n")
      .filter((l) => l.includes('"msg":"stopped"'))
      .pop();
    const counters = stopped
      ? (JSON.parse(stopped) as { counters?: { writeUnits?: number; processed?: number } }).counters
      : undefined;
    const writeUnitsPerItem = counters?.processed
      ? round((counters.writeUnits ?? Number.NaN) / counters.processed, 3)
      : undefined;
    process.stdout.write(`write units per item (whole run): ${writeUnitsPerItem}\n`);
    const report = { ...summary, units: { ...summary.units, writeUnitsPerItem } };
    await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    await updateCostInputs("local", {
      measured: new Date().toISOString(),
      source: "npm run bench:local (bench/results/local.json)",
      rate: RATE,
      ...report.units,
    });
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:local failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
