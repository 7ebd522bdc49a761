/**
 * `npm run bench:api`: the query API under load, side by side with a bare Express 5 app in the same run.
 *
 * 1. Starts its own DynamoDB Local, creates the table and seeds processor items of the pinned size (the processor
 *    bench's 768-byte body: a 1 KB item).
 * 2. Bundles the API exactly as the Dockerfile does and runs it as a child process (`node dist/main.js` on the images'
 *    Node, kit/image-node.ts, or this one with a printed line why where it is unavailable; the image's NODE_OPTIONS,
 *    production logging on, stdout to a file so its size is the log bytes written).
 * 3. Peer: bench/peer-bare-express.ts, Express 5 with no middleware, the same route, the same DynamoDB client and
 *    read, bundled and run the same way.
 * 4. autocannon, CONNECTIONS connections, GET /requests/:id over the seeded ids, against each in alternating slices.
 * Targets: API throughput >= 0.95 of the peer's, API p99 <= peer p99 + 5 ms, API RSS < 150 MB. Billable units per
 * request: the api's own CPU, read units (a GetItem of a seeded item with ReturnConsumedCapacity), log bytes, and
 * response bytes (what the load balancers process).
 *
 * Env: BENCH_DURATION (s, default 20), BENCH_WARMUP (s, default 10: DynamoDB Local's JIT needs it), BENCH_CONNECTIONS
 * (default 32), BENCH_SLICES (default 4). Writes bench/results/api.json and the api's figures in docs/cost-inputs.json.
 */
import { execFile, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, open, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { BatchWriteItemCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { build } from "esbuild";
import { createRequestsTable, TEST_CLIENT_CONFIG, TEST_CREDENTIALS_ENV } from "../kit/emulator-fixtures.js";
import { imageNodeOptions, nodeVersion, serviceNode } from "../kit/image-node.js";
import { REPO_ROOT as ROOT } from "../kit/repo-root.js";
import { buildItem, parseBody, summarize } from "../apps/processor/src/domain.js";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { freePort } from "../local/free-port.js";
import { updateCostInputs } from "./cost-inputs.js";
import { BENCH_BODY_BYTES, benchBody } from "../cost/payload.js";
import { cpuMeter, memoryMb } from "./proc.js";
import { round } from "./stats.js";
import { commandLineOrExit } from "../kit/cli.js";

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
  on(
    event: "response",
    listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void,
  ): void;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * The measured time per side is split into alternating slices (peer, API, API, peer, ...), so background
 * load on a shared machine hits both sides alike instead of whichever ran second.
 */
const SLICES = Number(process.env.BENCH_SLICES ?? 4);
const ITEMS = 1_000;
const TABLE = "requests-bench";
const RESULTS = join(ROOT, "bench", "results", "api.json");

const TARGETS = { throughputRatio: 0.95, p99SlackMs: 5, rssMb: 150 } as const;

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

/** An item exactly as the processor writes it for the pinned bench body. */
function processedItem(requestId: string, n: number) {
  const body = benchBody(n);
  const parsed = parseBody(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  const result = summarize(parsed.payload, { messageId: requestId, body, signal: new AbortController().signal });
  return buildItem({
    messageId: requestId,
    payload: parsed.payload,
    result,
    sentTimestamp: "1764400000000",
    now: new Date("2026-11-25T08:00:01.250Z"),
  });
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

/** Read units per request: the api's read (strongly consistent GetItem) of seeded items, as DynamoDB reports it. */
async function readUnitsPerRequest(client: DynamoDBClient, ids: string[]): Promise<number> {
  let units = 0;
  const sample = ids.slice(0, 20);
  for (const id of sample) {
    const out = await client.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { requestId: { S: id } },
        ConsistentRead: true,
        ReturnConsumedCapacity: "TOTAL",
      }),
    );
    units += out.ConsumedCapacity?.CapacityUnits ?? Number.NaN;
  }
  return units / sample.length;
}

interface Raw {
  latencies: number[];
  /** Response bytes (headers + body) received. */
  bytes: number;
  errors: number;
  non2xx: number;
  seconds: number;
  /** CPU seconds per process during the slices: `self` is this process (autocannon). */
  cpuSeconds: Record<string, number>;
}

const emptyRaw = (): Raw => ({ latencies: [], bytes: 0, errors: 0, non2xx: 0, seconds: 0, cpuSeconds: {} });

/** Runs one slice of `side` and adds its figures, and the CPU each process used meanwhile, to `into`. */
async function measureSlice(
  into: Raw,
  pids: Record<string, number>,
  side: () => Promise<Omit<Raw, "cpuSeconds">>,
): Promise<void> {
  const meter = await cpuMeter(pids);
  const from = await side();
  for (const [name, seconds] of Object.entries(await meter.read()))
    into.cpuSeconds[name] = (into.cpuSeconds[name] ?? 0) + seconds;
  for (const latency of from.latencies) into.latencies.push(latency);
  into.bytes += from.bytes;
  into.errors += from.errors;
  into.non2xx += from.non2xx;
  into.seconds += from.seconds;
}

/** CPU milliseconds per request for each process. */
function perRequestMs(raw: Raw): Record<string, number> {
  return Object.fromEntries(
    Object.entries(raw.cpuSeconds).map(([name, s]) => [name, round((s * 1_000) / raw.latencies.length, 3)]),
  );
}

async function api(url: string, ids: string[], seconds: number): Promise<Omit<Raw, "cpuSeconds">> {
  const latencies: number[] = [];
  let bytes = 0;
  let next = 0;
  const instance = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [{ method: "GET", setupRequest: (req) => ({ ...req, path: `/requests/${ids[next++ % ids.length]}` }) }],
  });
  instance.on("response", (_client, statusCode, responseBytes, responseTime) => {
    if (statusCode === 200) latencies.push(responseTime);
    bytes += responseBytes;
  });
  const result = await instance;
  return { latencies, bytes, errors: result.errors + result.timeouts, non2xx: result.non2xx, seconds: result.duration };
}

/**
 * Starts a bundled server (the api, or the peer) on `node` (the images' Node) with the image's settings; its stdout
 * goes to `logFile`.
 */
async function startServer(node: string, bundle: string, dynamoEndpoint: string, port: number, logFile: string) {
  const out = await open(logFile, "w");
  const child = spawn(node, [bundle], {
    cwd: resolve(bundle, ".."),
    stdio: ["ignore", out.fd, "inherit"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      NODE_NO_WARNINGS: "1",
      NODE_OPTIONS: await imageNodeOptions("api"),
      PORT: String(port),
      TABLE_NAME: TABLE,
      ...TEST_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    },
  });
  await out.close();
  const url = `http://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    if (child.exitCode !== null) throw new Error(`${bundle} exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      if (attempt > 100) throw new Error(`${bundle} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url, logBytes: async () => (await stat(logFile)).size };
}

async function buildBundles(dir: string) {
  const apiBundle = join(dir, "api", "dist", "main.js");
  await promisify(execFile)(process.execPath, ["apps/shared/bundle.mjs", "api", apiBundle], { cwd: ROOT });
  const peerBundle = join(dir, "peer", "dist", "main.js");
  await build({
    entryPoints: [join(ROOT, "bench", "peer-bare-express.ts")],
    outfile: peerBundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
  });
  return { apiBundle, peerBundle };
}

async function main() {
  commandLineOrExit({
    command: "npm run bench:api",
    summary:
      "Load-tests the api service against DynamoDB Local and records its CPU per request (docs/BENCHMARKS.md). Tuned by BENCH_* environment variables.",
  });
  const node = await serviceNode();
  console.log(
    `bench:api: ${CONNECTIONS} connections, ${WARMUP_S} s warm-up, ${DURATION_S} s measured per side in ${SLICES} alternating slices, servers on node ${await nodeVersion(node)}`,
  );
  const dynamo = await startDynamoDbLocal();
  const admin = new DynamoDBClient({ ...TEST_CLIENT_CONFIG, endpoint: dynamo.endpoint });
  const dir = await mkdtemp(join(tmpdir(), "api-bench-"));
  const servers: { child: import("node:child_process").ChildProcess }[] = [];
  try {
    const ids = await seed(admin);
    const { apiBundle, peerBundle } = await buildBundles(dir);
    const apiServer = await startServer(node, apiBundle, dynamo.endpoint, await freePort(), join(dir, "api.log"));
    servers.push(apiServer);
    const peerServer = await startServer(node, peerBundle, dynamo.endpoint, await freePort(), join(dir, "peer.log"));
    servers.push(peerServer);

    // Warm both (JIT in the JVM and in Node, connection pools) before measuring either.
    await api(peerServer.url, ids, WARMUP_S / 2);
    await api(apiServer.url, ids, WARMUP_S / 2);

    const peerRaw = emptyRaw();
    const apiRaw = emptyRaw();
    const logBytesBefore = await apiServer.logBytes();
    for (let slice = 0; slice < SLICES; slice++) {
      // Alternate which side goes first, so drift in background load does not favour one.
      const sides = [
        () =>
          measureSlice(peerRaw, { dynamodb: dynamo.pid!, peer: peerServer.child.pid! }, () =>
            api(peerServer.url, ids, DURATION_S / SLICES),
          ),
        () =>
          measureSlice(apiRaw, { dynamodb: dynamo.pid!, api: apiServer.child.pid! }, () =>
            api(apiServer.url, ids, DURATION_S / SLICES),
          ),
      ];
      for (const side of slice % 2 ? sides.reverse() : sides) await side();
    }
    const logBytes = (await apiServer.logBytes()) - logBytesBefore;
    const cpuMsPerRequest = {
      peer: renameSelf(perRequestMs(peerRaw), "autocannon"),
      api: renameSelf(perRequestMs(apiRaw), "autocannon"),
    };
    const peer = { ...summarise(peerRaw.latencies, peerRaw.errors, peerRaw.seconds), non2xx: peerRaw.non2xx };
    const served = { ...summarise(apiRaw.latencies, apiRaw.errors, apiRaw.seconds), non2xx: apiRaw.non2xx };
    const { rssMb, peakRssMb } = await memoryMb(apiServer.child.pid!);
    const peerMemory = await memoryMb(peerServer.child.pid!);
    const memory = { rssMb: round(rssMb), peakRssMb: round(peakRssMb), peerPeakRssMb: round(peerMemory.peakRssMb) };
    const load = (await import("node:os")).loadavg();
    const units = {
      cpuMsPerRequest: cpuMsPerRequest.api.api!,
      readUnitsPerRequest: round(await readUnitsPerRequest(admin, ids), 3),
      logBytesPerRequest: round(logBytes / apiRaw.latencies.length, 1),
      responseBytesPerRequest: round(apiRaw.bytes / apiRaw.latencies.length, 1),
    };

    const ratio = round(served.throughput / peer.throughput);
    const checks = {
      throughput: ratio >= TARGETS.throughputRatio,
      p99: served.p99Ms <= peer.p99Ms + TARGETS.p99SlackMs,
      rss: memory.rssMb < TARGETS.rssMb,
      noErrors: served.errors === 0 && served.non2xx === 0 && peer.errors === 0 && peer.non2xx === 0,
    };
    const rows = [
      ["", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "requests", "errors"],
      [
        "peer (bare Express 5)",
        peer.throughput,
        peer.p50Ms,
        peer.p90Ms,
        peer.p99Ms,
        peer.maxMs,
        peer.requests,
        peer.errors + peer.non2xx,
      ],
      [
        "API (GET /requests/:id)",
        served.throughput,
        served.p50Ms,
        served.p90Ms,
        served.p99Ms,
        served.maxMs,
        served.requests,
        served.errors + served.non2xx,
      ],
    ];
    console.log(rows.map((row) => row.map((cell, i) => String(cell).padStart(i === 0 ? 26 : 10)).join("")).join("\n"));
    console.log(
      `throughput ratio ${ratio} (target >= ${TARGETS.throughputRatio}): ${checks.throughput ? "PASS" : "FAIL"}`,
    );
    console.log(
      `p99 ${served.p99Ms} ms vs peer ${peer.p99Ms} + ${TARGETS.p99SlackMs} ms: ${checks.p99 ? "PASS" : "FAIL"}`,
    );
    console.log(
      `load average (1 min) at the end: ${round(load[0] ?? NaN)} on ${(await import("node:os")).cpus().length} CPUs`,
    );
    for (const [side, cpu] of Object.entries(cpuMsPerRequest)) {
      console.log(
        `CPU ms per request, ${side}: ${Object.entries(cpu)
          .map(([name, ms]) => `${name} ${ms}`)
          .join(", ")}`,
      );
    }
    console.log(`billable units per request: ${JSON.stringify(units)}`);
    console.log(
      `API RSS ${memory.rssMb} MB (peak ${memory.peakRssMb} MB, target < ${TARGETS.rssMb}): ${checks.rss ? "PASS" : "FAIL"}`,
    );

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      serverNode: await nodeVersion(node),
      cpus: (await import("node:os")).cpus().length,
      loadAverage1m: round(load[0] ?? NaN),
      nodeOptions: await imageNodeOptions("api"),
      settings: {
        connections: CONNECTIONS,
        durationS: DURATION_S,
        warmupS: WARMUP_S,
        slices: SLICES,
        items: ITEMS,
        bodyBytes: BENCH_BODY_BYTES,
      },
      peer,
      api: served,
      ratio,
      cpuMsPerRequest,
      units,
      memory,
      targets: TARGETS,
      checks,
    };
    await mkdir(join(ROOT, "bench", "results"), { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(report, null, 2)}\n`);
    await updateCostInputs("api", {
      measured: report.date,
      source: "npm run bench:api (bench/results/api.json)",
      bodyBytes: BENCH_BODY_BYTES,
      ...units,
    });
    console.log(`wrote ${RESULTS} and docs/cost-inputs.json (api)`);
    if (!Object.values(checks).every(Boolean)) process.exitCode = 1;
  } finally {
    for (const server of servers) server.child.kill("SIGTERM");
    admin.destroy();
    await dynamo.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
