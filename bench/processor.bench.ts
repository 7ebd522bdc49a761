/**
 * Processor benchmark (npm run bench:processor). Starts its own fauxqs + DynamoDB Local, then measures:
 *   1. the SQS ceiling: POLL_CONCURRENCY loops that only receive and batch-delete (no processing, no writes);
 *   2. the DynamoDB ceiling: BatchWriteItem at the same concurrency (and, to justify the write strategy,
 *      parallel conditional PutItems and TransactWriteItems of 10);
 *   3. the processor: the production bundle (what the Dockerfile ships) draining N preloaded messages.
 * Throughput is messages/s from first receive to empty queue; peak RSS is the processor's VmHWM.
 * Env: BENCH_MESSAGES (default 20000), BENCH_POLL_CONCURRENCY (default 4), BENCH_QUICK=1 (skip the write-strategy
 * comparison). Writes bench/results/processor.json.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { startSqsLocal } from "../local/sqs-local.js";
import { credentialsEnv, drainWithBundle, log, preload, round } from "./lib-processor-drain.js";
import { cpuMeter } from "./proc.js";
import {
  countItems,
  createFixture,
  createTable,
  queueDepth,
  repoRoot,
  type Emulators,
} from "../apps/processor/test/support.js";

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const concurrency = Number(process.env.BENCH_POLL_CONCURRENCY ?? 4);
let dynamoPid = 0;

interface CeilingResult {
  readonly mode: string;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU seconds per process during the run: the loop itself (`client`), fauxqs and DynamoDB Local. */
  readonly cpuSeconds: Readonly<Record<string, number>>;
}

async function main(): Promise<void> {
  log(`processor bench: ${messages} messages, concurrency ${concurrency}, ${cpus().length} CPUs, node ${process.version}`);
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  const emulators: Emulators = { sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint };
  dynamoPid = dynamo.pid!;
  const bundleDir = await mkdtemp(join(tmpdir(), "processor-bench-"));
  try {
    // DynamoDB Local is a JVM: the first few thousand writes of each kind run cold. Warm up both write paths (the
    // ceiling's BatchWriteItem and the processor's TransactWriteItems) so every figure is taken warm.
    log("warming up DynamoDB Local (not measured)");
    await measureWriteCeiling(emulators, "batch-write", 10, Math.min(messages, 10_000));
    await measureWriteCeiling(emulators, "transact", 50, Math.min(messages, 10_000));
    // Ceilings first, then the processor right away (each phase drops its table, so DynamoDB Local is in the same
    // state for all of them), then the write-strategy comparison (BENCH_QUICK=1 skips it).
    const sqsCeiling = await measureSqsCeiling(emulators);
    const writes: Record<string, CeilingResult | undefined> = {};
    writes["batch-write"] = await measureWriteCeiling(emulators, "batch-write");
    const processor = await measureProcessor(emulators, bundleDir);
    if (process.env.BENCH_QUICK !== "1") {
      writes.put = await measureWriteCeiling(emulators, "put");
      writes.transact = await measureWriteCeiling(emulators, "transact", 10);
      writes.transact50 = await measureWriteCeiling(emulators, "transact", 50);
    }

    const dynamoCeiling = writes["batch-write"]!.perSecond;
    const ceiling = Math.min(sqsCeiling.perSecond, dynamoCeiling);
    const cpuMsPerMessage: Record<string, Record<string, number>> = {
      sqsCeiling: perMessageMs(sqsCeiling.cpuSeconds, sqsCeiling.messages),
      ...Object.fromEntries(Object.entries(writes).map(([mode, w]) => [mode, perMessageMs(w!.cpuSeconds, w!.messages)])),
      processor: perMessageMs(processor.cpuSeconds, messages),
    };
    // Here the emulators, the SDK clients and the processor all share the machine's cores, and each ceiling alone
    // keeps them busy. Any consumer must at least receive + delete every message (the SQS ceiling's whole CPU per
    // message, client and fauxqs) and write it (a write ceiling's whole CPU per item), so none can beat
    // cores / (the sum of the two): that is the most this machine can drain, whatever the consumer's own code.
    const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
    const pipelineBound = (writeMode: string) =>
      cpuMsPerMessage[writeMode] && round((cpus().length * 1_000) / (total(cpuMsPerMessage.sqsCeiling!) + total(cpuMsPerMessage[writeMode])));
    const bounds = { unconditionalBatchWrite: pipelineBound("batch-write"), conditionalTransactWrite50: pipelineBound("transact50") };
    const report = {
      date: new Date().toISOString(),
      messages,
      concurrency,
      cpus: cpus().length,
      node: process.version,
      sqsCeilingPerSecond: round(sqsCeiling.perSecond),
      dynamoBatchWritePerSecond: round(dynamoCeiling),
      dynamoConditionalPutPerSecond: writes.put && round(writes.put.perSecond),
      dynamoTransactWritePerSecond: writes.transact && round(writes.transact.perSecond),
      dynamoTransactWrite50PerSecond: writes.transact50 && round(writes.transact50.perSecond),
      processorPerSecond: round(processor.perSecond),
      processorSeconds: round(processor.seconds),
      processorPeakRssMb: round(processor.peakRssMb),
      processorCpuSecondsPer1000: cpuMsPerMessage.processor!.processor,
      cpuMsPerMessage,
      machineBoundPerSecond: bounds,
      machineBoundRatio: {
        unconditionalBatchWrite: round(bounds.unconditionalBatchWrite! / ceiling, 3),
        conditionalTransactWrite50: bounds.conditionalTransactWrite50 && round(bounds.conditionalTransactWrite50 / ceiling, 3),
      },
      processorToConditionalBound: bounds.conditionalTransactWrite50 && round(processor.perSecond / bounds.conditionalTransactWrite50, 3),
      ratioToCeiling: round(processor.perSecond / ceiling, 3),
      targetRatio: 0.7,
      targetRssMb: 200,
      meetsThroughputTarget: processor.perSecond >= 0.7 * ceiling,
      meetsRssTarget: processor.peakRssMb < 200,
      itemsStored: processor.itemsStored,
    };
    printTable(report);
    await mkdir(join(repoRoot, "bench/results"), { recursive: true });
    await writeFile(join(repoRoot, "bench/results/processor.json"), `${JSON.stringify(report, null, 2)}\n`);
    log("wrote bench/results/processor.json");
  } finally {
    await rm(bundleDir, { recursive: true, force: true });
    await Promise.all([dynamo.stop(), sqs.stop()]);
  }
}

async function measureSqsCeiling(emulators: Emulators): Promise<CeilingResult> {
  const fixture = await createFixture(emulators, { visibilityTimeoutSeconds: 60 });
  await preload(fixture, messages);
  log("SQS ceiling: receive + batch delete only");
  const result = await runCeiling({ CEILING_MODE: "sqs", QUEUE_URL: fixture.queueUrl, AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint });
  const left = await queueDepth(fixture.sqs, fixture.queueUrl);
  if (left !== 0) throw new Error(`SQS ceiling loop left ${left} messages`);
  return result;
}

async function measureWriteCeiling(emulators: Emulators, mode: string, group = 10, items = messages): Promise<CeilingResult> {
  const fixture = await createFixture(emulators);
  const tableName = `${fixture.tableName}-${mode}-${group}`;
  await createTable(fixture.dynamo, tableName);
  log(`DynamoDB ${mode}${mode === "transact" ? ` of ${group}` : ""}: ${items} items`);
  const result = await runCeiling({
    CEILING_MODE: mode,
    CEILING_GROUP: String(group),
    TABLE_NAME: tableName,
    CEILING_ITEMS: String(items),
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
  });
  const stored = await countItems(fixture.dynamo, tableName);
  if (stored !== items) throw new Error(`${mode} stored ${stored} of ${items} items`);
  await fixture.dynamo.send(new DeleteTableCommand({ TableName: tableName }));
  await fixture.dynamo.send(new DeleteTableCommand({ TableName: fixture.tableName }));
  return result;
}

async function runCeiling(env: Record<string, string>): Promise<CeilingResult> {
  const meter = await cpuMeter({ dynamodb: dynamoPid });
  const { stdout } = await run(process.execPath, ["--import", "tsx", "bench/lib-processor-ceiling.ts"], {
    ...credentialsEnv,
    POLL_CONCURRENCY: String(concurrency),
    ...env,
  });
  const { self: fauxqs, dynamodb } = await meter.read();
  const loop = JSON.parse(stdout.trim().split("\n").pop() ?? "") as Omit<CeilingResult, "cpuSeconds"> & { cpuSeconds: number };
  const result = { ...loop, cpuSeconds: { client: loop.cpuSeconds, fauxqs: fauxqs!, dynamodb: dynamodb! } };
  log(`  ${round(result.perSecond)} /s (${result.messages} in ${round(result.seconds)} s)`);
  return result;
}

/** Bundles the processor exactly as the Dockerfile does, then drains the preloaded queue with it. */
async function measureProcessor(emulators: Emulators, bundleDir: string) {
  const bundleFile = join(bundleDir, "main.js");
  await run(process.execPath, ["apps/shared/bundle.mjs", "processor", bundleFile], {});
  return drainWithBundle(emulators, bundleFile, { messages, concurrency, dynamoPid });
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolve({ stdout }) : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}

/** CPU milliseconds per message (or item) for each process, from CPU seconds over a run of `count`. */
function perMessageMs(cpuSeconds: Readonly<Record<string, number>>, count: number): Record<string, number> {
  return Object.fromEntries(Object.entries(cpuSeconds).map(([name, seconds]) => [name, round((seconds * 1_000) / count, 3)]));
}

function printTable(r: Record<string, unknown>): void {
  const rows: [string, unknown][] = [
    ["messages", r.messages],
    ["poll concurrency", r.concurrency],
    ["SQS ceiling (receive+delete) msg/s", r.sqsCeilingPerSecond],
    ["DynamoDB BatchWriteItem ceiling items/s", r.dynamoBatchWritePerSecond],
    ["DynamoDB conditional PutItem (x10 per loop) items/s", r.dynamoConditionalPutPerSecond],
    ["DynamoDB TransactWriteItems(10) items/s", r.dynamoTransactWritePerSecond],
    ["DynamoDB TransactWriteItems(50) items/s", r.dynamoTransactWrite50PerSecond],
    ["processor drain msg/s", r.processorPerSecond],
    ["processor / min(ceilings)", r.ratioToCeiling],
    ["processor peak RSS MB", r.processorPeakRssMb],
    ["processor CPU s per 1,000 messages", r.processorCpuSecondsPer1000],
    ...Object.entries(r.cpuMsPerMessage as Record<string, Record<string, number>>).map(
      ([phase, cpu]): [string, unknown] => [`  CPU ms/message during ${phase}`, Object.entries(cpu).map(([k, v]) => `${k} ${v}`).join(", ")],
    ),
    ["machine bound msg/s (cores / CPU per message of SQS + write ceilings)", JSON.stringify(r.machineBoundPerSecond)],
    ["machine bound / min(ceilings)", JSON.stringify(r.machineBoundRatio)],
    ["processor / conditional machine bound", r.processorToConditionalBound],
    ["meets 70% target", r.meetsThroughputTarget],
    ["meets RSS < 200 MB", r.meetsRssTarget],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) process.stdout.write(`${k.padEnd(width)}  ${String(v)}\n`);
}


main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
