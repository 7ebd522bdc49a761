/**
 * `npm run bench:api`: the query API under load versus the ceiling set by its data store.
 *
 * 1. Starts its own DynamoDB Local, creates the table and seeds items shaped like the processor's.
 * 2. Bundles the API exactly as the Dockerfile does and runs it as a child process (`node dist/main.js`,
 *    production logging on, stdout to /dev/null), so its RSS is the service's own.
 * 3. Ceiling: CONNECTIONS concurrent loops of raw GetItem (same client factory, same settings, same
 *    strongly consistent read) straight to the emulator.
 * 4. API: autocannon, CONNECTIONS connections, GET /requests/:id over the seeded ids.
 * The measured time per side is split into alternating slices (BENCH_SLICES, default 4). Both after a warm-up; latencies for both are recorded per request with sub-ms precision and summarised the
 * same way. Targets: API throughput >= 85% of ceiling, API p99 <= ceiling p99 + 3 ms, API RSS < 150 MB.
 *
 * Env: BENCH_DURATION (s, default 20), BENCH_WARMUP (s, default 10: DynamoDB Local's JIT needs it), BENCH_CONNECTIONS (default 32).
 * Writes bench/results/api.json.
 */
import { execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { createRequestsTable } from "../test/support/requests-table.js";
import { marshall } from "@aws-sdk/util-dynamodb";
import { createDynamoClient } from "../apps/api/src/requests-table.js";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { freePort } from "../local/free-port.js";
import { cpuMeter, memoryMb } from "./proc.js";
import { round } from "./stats.js";

/** The slice of autocannon's API used here (the package ships no types; loaded via require to stay untyped-free). */
interface AutocannonRequest {
  method: string;
  path?: string;
  setupRequest?: (req: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonResult {
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: "response", listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}
type Autocannon = (options: { url: string; connections: number; duration: number; requests: AutocannonRequest[] }) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * The measured time per side is split into alternating slices (ceiling, API, ceiling, API, ...), so background
 * load on a shared machine hits both sides alike instead of whichever ran second.
 */
const SLICES = Number(process.env.BENCH_SLICES ?? 4);
const ITEMS = 1_000;
const TABLE = "requests-bench";
const REGION = "us-east-1";
const CREDENTIALS = { accessKeyId: "bench", secretAccessKey: "bench" };
const ROOT = resolve(import.meta.dirname, "..");
const RESULTS = join(ROOT, "bench", "results", "api.json");

const TARGETS = { throughputRatio: 0.85, p99SlackMs: 3, rssMb: 150 } as const;

interface Summary {
  readonly requests: number;
  readonly errors: number;
  readonly throughput: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function summarise(latencies: number[], errors: number, seconds: number): Summary {
  const sorted = Float64Array.from(latencies).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN);
  return {
    requests: sorted.length,
    errors,
    throughput: Math.round(sorted.length / seconds),
    p50Ms: at(0.5),
    p90Ms: at(0.9),
    p99Ms: at(0.99),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
  };
}

const renameSelf = (cpu: Record<string, number>, name: string) => {
  const { self, ...others } = cpu;
  return { [name]: self!, ...others };
};

function processedItem(requestId: string, n: number) {
  return {
    requestId,
    status: "processed",
    payload: { orderId: `order-${n}`, amount: n * 1.25, items: [{ sku: "A-1", qty: 2 }, { sku: "B-7", qty: 1 }], note: "bench item" },
    result: { summary: "3 keys", keys: 4 },
    receivedAt: "2026-11-25T08:00:00.000Z",
    processedAt: "2026-11-25T08:00:01.250Z",
  };
}

async function seed(client: DynamoDBClient): Promise<string[]> {
  await createRequestsTable(client, TABLE);
  const ids = Array.from({ length: ITEMS }, () => randomUUID());
  for (let i = 0; i < ids.length; i += 25) {
    const batch = ids.slice(i, i + 25).map((id, j) => ({ PutRequest: { Item: marshall(processedItem(id, i + j)) } }));
    await client.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
  }
  return ids;
}

interface Raw {
  latencies: number[];
  errors: number;
  non2xx: number;
  seconds: number;
  /** CPU seconds per process during the slices: `self` is this process (the ceiling's loops, or autocannon). */
  cpuSeconds: Record<string, number>;
}

const emptyRaw = (): Raw => ({ latencies: [], errors: 0, non2xx: 0, seconds: 0, cpuSeconds: {} });

/** Runs one slice of `side` and adds its figures, and the CPU each process used meanwhile, to `into`. */
async function measureSlice(into: Raw, pids: Record<string, number>, side: () => Promise<Omit<Raw, "cpuSeconds">>): Promise<void> {
  const meter = await cpuMeter(pids);
  const from = await side();
  for (const [name, seconds] of Object.entries(await meter.read())) into.cpuSeconds[name] = (into.cpuSeconds[name] ?? 0) + seconds;
  for (const latency of from.latencies) into.latencies.push(latency);
  into.errors += from.errors;
  into.non2xx += from.non2xx;
  into.seconds += from.seconds;
}

/** CPU milliseconds per request for each process. */
function perRequestMs(raw: Raw): Record<string, number> {
  return Object.fromEntries(Object.entries(raw.cpuSeconds).map(([name, s]) => [name, round((s * 1_000) / raw.latencies.length, 3)]));
}

/** CONNECTIONS loops, each awaiting one GetItem at a time, like 32 keep-alive connections each with one request. */
async function ceiling(client: DynamoDBClient, ids: string[], seconds: number): Promise<Omit<Raw, "cpuSeconds">> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  let next = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const id = ids[next++ % ids.length]!;
      const started = performance.now();
      try {
        const out = await client.send(
          new GetItemCommand({ TableName: TABLE, Key: { requestId: { S: id } }, ConsistentRead: true }),
        );
        if (!out.Item) errors++;
        else latencies.push(performance.now() - started);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return { latencies, errors, non2xx: 0, seconds: (performance.now() - started) / 1000 };
}

async function api(url: string, ids: string[], seconds: number): Promise<Omit<Raw, "cpuSeconds">> {
  const latencies: number[] = [];
  let next = 0;
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/requests/${ids[next++ % ids.length]}` }) }],
  });
  instance.on("response", (_client, statusCode, _bytes, responseTime) => {
    if (statusCode === 200) latencies.push(responseTime);
  });
  const result = await instance;
  return { latencies, errors: result.errors + result.timeouts, non2xx: result.non2xx, seconds: result.duration };
}

/** The image's NODE_OPTIONS (heap bound), so the bench runs the bundle the way the container does. */
async function imageNodeOptions(): Promise<string> {
  const dockerfile = await readFile(join(ROOT, "apps", "api", "Dockerfile"), "utf8");
  return /NODE_OPTIONS=(\S+)/.exec(dockerfile)?.[1] ?? "";
}

async function startApi(bundleDir: string, dynamoEndpoint: string, port: number) {
  await promisify(execFile)(process.execPath, ["apps/shared/bundle.mjs", "api", join(bundleDir, "dist", "main.js")], { cwd: ROOT });
  const child = spawn(process.execPath, ["dist/main.js"], {
    cwd: bundleDir,
    // Production logging (one line per request) goes to /dev/null: the cost of formatting is measured, not a terminal.
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      NODE_NO_WARNINGS: "1",
      NODE_OPTIONS: await imageNodeOptions(),
      PORT: String(port),
      TABLE_NAME: TABLE,
      AWS_REGION: REGION,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    },
  });
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`API exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (attempt > 100) throw new Error("API did not start");
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url };
}

async function main() {
  console.log(`bench:api: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ${DURATION_S} s measured per side in ${SLICES} alternating slices`);
  const dynamo = await startDynamoDbLocal();
  const admin = new DynamoDBClient({ region: REGION, endpoint: dynamo.endpoint, credentials: CREDENTIALS });
  const bundleDir = await mkdtemp(join(tmpdir(), "api-bench-"));
  const client = createDynamoClient({ region: REGION, endpoint: dynamo.endpoint, credentials: CREDENTIALS });
  let apiProcess: Awaited<ReturnType<typeof startApi>> | undefined;
  try {
    const ids = await seed(admin);
    apiProcess = await startApi(bundleDir, dynamo.endpoint, await freePort());

    // Warm both paths (JIT in the JVM and in Node, connection pools) before measuring either.
    await ceiling(client, ids, WARMUP_S);
    await api(apiProcess.url, ids, WARMUP_S);

    const ceilRaw = emptyRaw();
    const apiRaw = emptyRaw();
    const { url, child } = apiProcess;
    for (let slice = 0; slice < SLICES; slice++) {
      await measureSlice(ceilRaw, { dynamodb: dynamo.pid! }, () => ceiling(client, ids, DURATION_S / SLICES));
      await measureSlice(apiRaw, { dynamodb: dynamo.pid!, api: child.pid! }, () => api(url, ids, DURATION_S / SLICES));
    }
    // Each side is bound by one Node thread (the ceiling's loops, or the API process): its CPU per request sets the
    // throughput, so these explain the ratio.
    const cpuMsPerRequest = {
      ceiling: renameSelf(perRequestMs(ceilRaw), "client"),
      api: renameSelf(perRequestMs(apiRaw), "autocannon"),
    };
    const ceil = summarise(ceilRaw.latencies, ceilRaw.errors, ceilRaw.seconds);
    const served = { ...summarise(apiRaw.latencies, apiRaw.errors, apiRaw.seconds), non2xx: apiRaw.non2xx };
    const { rssMb, peakRssMb } = await memoryMb(child.pid!);
    const memory = { rssMb: round(rssMb), peakRssMb: round(peakRssMb) };
    const load = (await import("node:os")).loadavg();

    const ratio = round(served.throughput / ceil.throughput);
    const checks = {
      throughput: ratio >= TARGETS.throughputRatio,
      p99: served.p99Ms <= ceil.p99Ms + TARGETS.p99SlackMs,
      rss: memory.rssMb < TARGETS.rssMb,
      noErrors: served.errors === 0 && served.non2xx === 0 && ceil.errors === 0,
    };
    const rows = [
      ["", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "requests", "errors"],
      ["ceiling (raw GetItem)", ceil.throughput, ceil.p50Ms, ceil.p90Ms, ceil.p99Ms, ceil.maxMs, ceil.requests, ceil.errors],
      ["API (GET /requests/:id)", served.throughput, served.p50Ms, served.p90Ms, served.p99Ms, served.maxMs, served.requests, served.errors + served.non2xx],
    ];
    console.log(rows.map((row) => row.map((cell, i) => String(cell).padStart(i === 0 ? 26 : 10)).join("")).join("\n"));
    console.log(`throughput ratio ${ratio} (target >= ${TARGETS.throughputRatio}): ${checks.throughput ? "PASS" : "FAIL"}`);
    console.log(`p99 ${served.p99Ms} ms vs ceiling ${ceil.p99Ms} + ${TARGETS.p99SlackMs} ms: ${checks.p99 ? "PASS" : "FAIL"}`);
    console.log(`load average (1 min) at the end: ${round(load[0] ?? NaN)} on ${(await import("node:os")).cpus().length} CPUs`);
    for (const [side, cpu] of Object.entries(cpuMsPerRequest)) {
      console.log(`CPU ms per request, ${side}: ${Object.entries(cpu).map(([name, ms]) => `${name} ${ms}`).join(", ")}`);
    }
    console.log(`API RSS ${memory.rssMb} MB (peak ${memory.peakRssMb} MB, target < ${TARGETS.rssMb}): ${checks.rss ? "PASS" : "FAIL"}`);

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: (await import("node:os")).cpus().length,
      loadAverage1m: round(load[0] ?? NaN),
      nodeOptions: await imageNodeOptions(),
      settings: { connections: CONNECTIONS, durationS: DURATION_S, warmupS: WARMUP_S, slices: SLICES, items: ITEMS },
      ceiling: ceil,
      api: served,
      ratio,
      cpuMsPerRequest,
      memory,
      targets: TARGETS,
      checks,
    };
    await mkdir(join(ROOT, "bench", "results"), { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`wrote ${RESULTS}`);
    if (!Object.values(checks).every(Boolean)) process.exitCode = 1;
  } finally {
    apiProcess?.child.kill("SIGTERM");
    client.destroy();
    admin.destroy();
    await dynamo.stop();
    await rm(bundleDir, { recursive: true, force: true });
  }
}

await main();
