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
 * Targets: API throughput >= 0.95 of the peer's, API p99 <= peer p99 + 5 ms, API RSS < 150 MB, at most 0.5 read
 * units per GET that finds its item. Billable units per request: the api's own CPU, read units per GET that finds its
 * item and per GET that does not (the api's read path with ReturnConsumedCapacity), log bytes, and response bytes
 * (what the load balancers process).
 *
 * 5. Tracing overhead (bench/api/tracing.ts): three more api processes, tracing off, at the default sampling and at 100%,
 *    in BENCH_TRACING_ROUNDS interleaved rounds of BENCH_TRACING_SLICE seconds each; target: the default sampling costs
 *    at most 3% more CPU per request than off (median of the per-round ratios).
 * Env: BENCH_DURATION (s, default 20), BENCH_WARMUP (s, default 10: DynamoDB Local's JIT needs it), BENCH_CONNECTIONS
 * (default 32), BENCH_SLICES (default 4), BENCH_TRACING_ROUNDS (default 12), BENCH_TRACING_SLICE (s, default 4),
 * BENCH_TRACING_ONLY=1 (only step 5; writes bench/results/api-tracing.json). Writes bench/results/api.json and the
 * api's figures in docs/cost-inputs.json.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { parseConfig } from "../config/load.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { TEST_CLIENT_CONFIG } from "../kit/emulator-fixtures.js";
import { imageNodeOptions, nodeVersion, serviceNode } from "../kit/image-node.js";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { freePort } from "../local/free-port.js";
import { BENCH_BODY_BYTES } from "../cost/payload.js";
import { updateCostInputs } from "./shared/cost-inputs.js";
import { memoryMb } from "./shared/proc.js";
import { writeResults } from "./shared/results.js";
import { round } from "./shared/stats.js";
import { api, emptyRaw, measureSlice, perRequestMs, renameSelf, summarise } from "./api/load.js";
import { printReport, TARGETS } from "./api/report.js";
import { ITEMS, readUnitsPerGet, seed } from "./api/seed.js";
import { buildBundles, startServer } from "./api/servers.js";
import { measureApiTracing } from "./api/tracing.js";
import { overheadLines } from "./shared/tracing-overhead.js";
import { commandLineOrExit } from "../kit/cli.js";

const DURATION_S = Number(process.env.BENCH_DURATION ?? 20);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/**
 * The measured time per side is split into alternating slices (peer, API, API, peer, ...), so background
 * load on a shared machine hits both sides alike instead of whichever ran second.
 */
const SLICES = Number(process.env.BENCH_SLICES ?? 4);
const TRACING_ROUNDS = Number(process.env.BENCH_TRACING_ROUNDS ?? 12);
const TRACING_SLICE_S = Number(process.env.BENCH_TRACING_SLICE ?? 4);
const TRACING_ONLY = process.env.BENCH_TRACING_ONLY === "1";
/** The api's read mode, as the example config deploys it (query_read_consistency). */
const READ_CONSISTENCY = parseConfig(
  JSON.parse(await readFile("terraform.tfvars.json", "utf8")),
).query_read_consistency;

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
    const measureTracing = async () => {
      const tracing = await measureApiTracing({
        node,
        bundle: apiBundle,
        dynamoEndpoint: dynamo.endpoint,
        dir,
        ids,
        rounds: TRACING_ROUNDS,
        sliceSeconds: TRACING_SLICE_S,
        warmupSeconds: WARMUP_S / 2,
        connections: CONNECTIONS,
      });
      console.log(overheadLines("request", tracing.summary, tracing.spansReceived));
      console.log(
        `load average (1 min, 5 min) at the end: ${(await import("node:os"))
          .loadavg()
          .slice(0, 2)
          .map((l) => round(l))
          .join(", ")}`,
      );
      return tracing;
    };
    if (TRACING_ONLY) {
      const tracing = await measureTracing();
      const file = await writeResults("api-tracing", {
        date: new Date().toISOString(),
        loadAverage: (await import("node:os")).loadavg(),
        ...tracing,
      });
      console.log(`wrote ${file}`);
      if (!tracing.summary.target.met) process.exitCode = 1;
      return;
    }
    const apiServer = await startServer(node, apiBundle, dynamo.endpoint, await freePort(), join(dir, "api.log"));
    servers.push(apiServer);
    const peerServer = await startServer(node, peerBundle, dynamo.endpoint, await freePort(), join(dir, "peer.log"));
    servers.push(peerServer);

    // Warm both (JIT in the JVM and in Node, connection pools) before measuring either.
    await api(peerServer.url, ids, WARMUP_S / 2, CONNECTIONS);
    await api(apiServer.url, ids, WARMUP_S / 2, CONNECTIONS);

    const peerRaw = emptyRaw();
    const apiRaw = emptyRaw();
    const logBytesBefore = await apiServer.logBytes();
    for (let slice = 0; slice < SLICES; slice++) {
      // Alternate which side goes first, so drift in background load does not favour one.
      const sides = [
        () =>
          measureSlice(peerRaw, { dynamodb: dynamo.pid!, peer: peerServer.child.pid! }, () =>
            api(peerServer.url, ids, DURATION_S / SLICES, CONNECTIONS),
          ),
        () =>
          measureSlice(apiRaw, { dynamodb: dynamo.pid!, api: apiServer.child.pid! }, () =>
            api(apiServer.url, ids, DURATION_S / SLICES, CONNECTIONS),
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
    const tracing = TRACING_ROUNDS > 0 ? await measureTracing() : undefined;
    const reads = await readUnitsPerGet(admin, ids, READ_CONSISTENCY);
    const units = {
      cpuMsPerRequest: cpuMsPerRequest.api.api!,
      // Every GET of the load finds its item.
      readUnitsPerRequest: round(reads.hit, 3),
      readUnitsPerHit: round(reads.hit, 3),
      readUnitsPerMiss: round(reads.miss, 3),
      logBytesPerRequest: round(logBytes / apiRaw.latencies.length, 1),
      responseBytesPerRequest: round(apiRaw.bytes / apiRaw.latencies.length, 1),
    };

    const ratio = round(served.throughput / peer.throughput);
    const checks = {
      throughput: ratio >= TARGETS.throughputRatio,
      p99: served.p99Ms <= peer.p99Ms + TARGETS.p99SlackMs,
      rss: memory.rssMb < TARGETS.rssMb,
      readUnitsPerHit: units.readUnitsPerHit <= TARGETS.readUnitsPerHit,
      noErrors: served.errors === 0 && served.non2xx === 0 && peer.errors === 0 && peer.non2xx === 0,
      tracingOverhead: tracing?.summary.target.met ?? true,
    };
    const cpus = (await import("node:os")).cpus().length;
    printReport({
      peer,
      served,
      ratio,
      checks,
      cpuMsPerRequest,
      units,
      memory,
      loadAverage1m: round(load[0] ?? NaN),
      cpus,
    });

    const report = {
      date: new Date().toISOString(),
      node: process.version,
      serverNode: await nodeVersion(node),
      cpus,
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
      tracing,
    };
    const results = await writeResults("api", report);
    await updateCostInputs("api", {
      measured: report.date,
      source: "npm run bench:api (bench/results/api.json)",
      bodyBytes: BENCH_BODY_BYTES,
      ...units,
    });
    console.log(`wrote ${results} and docs/cost-inputs.json (api)`);
    if (!Object.values(checks).every(Boolean)) process.exitCode = 1;
  } finally {
    for (const server of servers) server.child.kill("SIGTERM");
    admin.destroy();
    await dynamo.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
