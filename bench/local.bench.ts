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
 * It runs with bench/local/var-file.ts's var file (the example's, with one client and limits sized for this load) and
 * signs every request with the local principal `npm run local` prints (the example's default `iam` mode).
 *
 * Env: BENCH_DURATION (s, default 30), BENCH_WARMUP (s, default 5), BENCH_RATE (req/s, default 100),
 * BENCH_POLL_MS (default 10), BENCH_READ_TIMEOUT_MS (give up on one item, default 30000).
 * Writes bench/results/local.json and prints a table.
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { updateCostInputs } from "./shared/cost-inputs.js";
import { alignedRows, writeResults } from "./shared/results.js";
import { round } from "./shared/stats.js";
import { localLoad } from "./local/load.js";
import { LOGS, startNpmRunLocal, unitsMeter } from "./local/stack.js";
import { summarize, summaryRows, writeUnitsPerItem } from "./local/summary.js";
import { commandLineOrExit } from "../kit/cli.js";

const DURATION_S = Number(process.env.BENCH_DURATION ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 5);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 10);
const READ_TIMEOUT_MS = Number(process.env.BENCH_READ_TIMEOUT_MS ?? 30_000);

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
  const config = {
    durationSeconds: DURATION_S,
    warmupSeconds: WARMUP_S,
    targetRate: RATE,
    pollMs: POLL_MS,
    readTimeoutMs: READ_TIMEOUT_MS,
  };
  const load = localLoad({ ...stack, headers, rate: RATE, pollMs: POLL_MS, readTimeoutMs: READ_TIMEOUT_MS });

  try {
    if (WARMUP_S > 0) {
      process.stdout.write(`warm-up: ${WARMUP_S} s at ${RATE} req/s\n`);
      await load.phase(WARMUP_S, 0);
      load.resetFailures();
    }
    process.stdout.write(`measuring: ${DURATION_S} s at ${RATE} req/s, polling every ${POLL_MS} ms\n`);
    const meter = await unitsMeter(stack.pid);
    const { samples, sent, wallMs } = await load.phase(DURATION_S, 1_000_000);
    const used = await meter();
    const summary = await summarize({ config, startupMs, samples, sent, wallMs, failures: load.failures, used });
    const results = await writeResults("local", summary);
    process.stdout.write(`\n${alignedRows(summaryRows(summary))}\n\nwritten to ${results}\n`);
    await stack.stop();
    const writeUnits = await writeUnitsPerItem(join(LOGS, "processor.log"));
    process.stdout.write(`write units per item (whole run): ${writeUnits}\n`);
    const report = { ...summary, units: { ...summary.units, writeUnitsPerItem: writeUnits } };
    await writeResults("local", report);
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
