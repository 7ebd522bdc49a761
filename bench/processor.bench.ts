/**
 * Processor benchmark (npm run bench:processor). Starts its own fauxqs (in this process, so its SQS requests are
 * counted) + DynamoDB Local, then measures:
 *   1. ceilings: POLL_CONCURRENCY loops that only receive and batch-delete (SQS), and conditional PutItems with the
 *      processor's concurrency (the chosen write path): their CPU per message gives the "machine bound";
 *   2. three consumers draining the same preloaded queue, interleaved over BENCH_ROUNDS rounds: the processor's
 *      production bundle, and the peer `sqs-consumer` 14 as most users write it (default options) and at its best
 *      (batchSize 10, handleMessageBatch); for each: messages/s, own CPU per message, SQS requests per message,
 *      DynamoDB write units per message (as DynamoDB reports them), log bytes per message, peak RSS and the AWS
 *      variable cost per million messages (cost/prices.json, at the processor's task size);
 *   3. unless BENCH_QUICK=1, the write strategies side by side: CPU and write units per item for conditional PutItem,
 *      TransactWriteItems of 10 (units by AWS's formula: DynamoDB Local under-reports them) and BatchWriteItem
 *      (unconditional: breaks the contract, shown for reference).
 * The consumers and the ceiling loops run on the images' Node (kit/image-node.ts; this Node, with a printed line why,
 * where it is unavailable). Every message is the pinned 768-byte body (a 1 KB item).
 *   4. tracing overhead (bench/processor/tracing.ts): the processor with tracing off, at the default sampling and at
 *      100%, BENCH_TRACING_ROUNDS interleaved rounds of BENCH_TRACING_MESSAGES each; target: the default sampling
 *      costs at most 3% more CPU per message than off (median of the per-round ratios).
 * Env: BENCH_MESSAGES (default 20000; the default-config peer drains a quarter, it is slow), BENCH_POLL_CONCURRENCY
 * (default 4), BENCH_ROUNDS (default 2), BENCH_QUICK=1, BENCH_TRACING_ROUNDS (default 10), BENCH_TRACING_MESSAGES
 * (default 4000), BENCH_TRACING_ONLY=1 (only step 4; writes bench/results/processor-tracing.json).
 * Writes bench/results/processor.json and the processor's figures in docs/cost-inputs.json.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { startSqsLocal } from "../local/sqs-local.js";
import { updateCostInputs } from "./shared/cost-inputs.js";
import { BENCH_BODY_BYTES, drainWithBundle, log, type DrainResult } from "./lib-processor-drain.js";
import { writeResults } from "./shared/results.js";
import { countSqsRequests } from "./shared/sqs-requests.js";
import type { Emulators } from "../kit/emulator-fixtures.js";
import { nodeVersion, serviceNode } from "../kit/image-node.js";
import {
  buildBundles,
  measureSqsCeiling,
  measureWriteCeiling,
  type CeilingContext,
  type CeilingResult,
} from "./processor/ceilings.js";
import { buildReport, CONSUMERS, printTable, type ConsumerName } from "./processor/report.js";
import { commandLineOrExit } from "../kit/cli.js";
import { measureProcessorTracing } from "./processor/tracing.js";
import { overheadLines } from "./shared/tracing-overhead.js";

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const concurrency = Number(process.env.BENCH_POLL_CONCURRENCY ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const quick = process.env.BENCH_QUICK === "1";
const tracingRounds = Number(process.env.BENCH_TRACING_ROUNDS ?? 10);
const tracingMessages = Number(process.env.BENCH_TRACING_MESSAGES ?? 4_000);
const tracingOnly = process.env.BENCH_TRACING_ONLY === "1";

async function main(): Promise<void> {
  commandLineOrExit({
    command: "npm run bench:processor",
    summary:
      "Measures the processor against fauxqs and DynamoDB Local and records its CPU per message (docs/BENCHMARKS.md). Tuned by BENCH_* environment variables.",
  });
  const node = await serviceNode();
  const consumerNode = await nodeVersion(node);
  log(
    `processor bench: ${messages} messages, concurrency ${concurrency}, ${rounds} rounds, ${cpus().length} CPUs, node ${process.version} (consumers on ${consumerNode})`,
  );
  const sqsRequests = countSqsRequests();
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  const emulators: Emulators = { sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint };
  const context: CeilingContext = { emulators, messages, concurrency, dynamoPid: dynamo.pid!, node };
  const bundleDir = await mkdtemp(join(tmpdir(), "processor-bench-"));
  try {
    const bundles = await buildBundles(bundleDir);
    const measureTracing = async () => {
      const tracing = await measureProcessorTracing({
        emulators,
        bundle: bundles.processor,
        node,
        dynamoPid: context.dynamoPid,
        sqsRequests,
        messages: tracingMessages,
        concurrency,
        rounds: tracingRounds,
      });
      const load = loadavg().map((l) => Math.round(l * 100) / 100);
      log(
        `${overheadLines("message", tracing.summary, tracing.spansReceived)}\nload average (1, 5 min) at the end: ${load.slice(0, 2).join(", ")}`,
      );
      return { ...tracing, loadAverage: load };
    };
    // DynamoDB Local is a JVM: the first few thousand writes run cold. Warm the write path up, not measured.
    log("warming up DynamoDB Local (not measured)");
    await measureWriteCeiling(context, "put", 10, Math.min(messages, 10_000));
    if (tracingOnly) {
      const tracing = await measureTracing();
      log(`wrote ${await writeResults("processor-tracing", { date: new Date().toISOString(), ...tracing })}`);
      if (!tracing.summary.target.met) process.exitCode = 1;
      return;
    }
    const sqsCeiling = await measureSqsCeiling(context);
    const putCeiling = await measureWriteCeiling(context, "put");

    const runs: Record<ConsumerName, DrainResult[]> = {
      processor: [],
      "sqs-consumer best": [],
      "sqs-consumer default": [],
    };
    for (let r = 1; r <= rounds; r++) {
      // Alternate the order so drift (load from other sessions, JIT) does not favour one consumer.
      const order = r % 2 ? [...CONSUMERS] : [...CONSUMERS].reverse();
      for (const name of order) {
        const n = name === "sqs-consumer default" ? Math.ceil(messages / 4) : messages;
        log(`round ${r}: ${name}, ${n} messages`);
        runs[name].push(
          await drainWithBundle(emulators, name === "processor" ? bundles.processor : bundles.peer, {
            messages: n,
            concurrency,
            dynamoPid: context.dynamoPid,
            sqsRequests,
            node,
            env: name === "processor" ? {} : { PEER_MODE: name === "sqs-consumer best" ? "best" : "default" },
          }),
        );
      }
    }
    const strategies: Record<string, CeilingResult> = { "conditional PutItem": putCeiling };
    if (!quick) {
      strategies["TransactWriteItems(10)"] = await measureWriteCeiling(context, "transact", 10);
      strategies["BatchWriteItem (no condition)"] = await measureWriteCeiling(context, "batch-write");
    }

    const tracing = tracingRounds > 0 ? await measureTracing() : undefined;
    const report = buildReport({
      messages,
      concurrency,
      rounds,
      consumerNode,
      runs,
      sqsCeiling,
      putCeiling,
      strategies,
    });
    printTable(report);
    await writeResults("processor", { ...report, tracing });
    await updateCostInputs("processor", {
      measured: report.date,
      source: "npm run bench:processor (bench/results/processor.json)",
      bodyBytes: BENCH_BODY_BYTES,
      cpuMsPerMessage: report.consumers.processor.cpuMsPerMessage,
      sqsRequestsPerMessage: report.consumers.processor.sqsRequestsPerMessage,
      writeUnitsPerMessage: report.consumers.processor.writeUnitsPerMessage,
      logBytesPerMessage: report.consumers.processor.logBytesPerMessage,
    });
    log("wrote bench/results/processor.json and docs/cost-inputs.json (processor)");
  } finally {
    sqsRequests.stop();
    await rm(bundleDir, { recursive: true, force: true });
    await Promise.all([dynamo.stop(), sqs.stop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
