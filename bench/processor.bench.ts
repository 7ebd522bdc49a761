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
 * where it is unavailable). Every message is the pinned 768-byte body (a 1 KB item). Env: BENCH_MESSAGES (default 20000; the default-config
 * peer drains a quarter, it is slow), BENCH_POLL_CONCURRENCY (default 4), BENCH_ROUNDS (default 2), BENCH_QUICK=1.
 * Writes bench/results/processor.json and the processor's figures in docs/cost-inputs.json.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { build } from "esbuild";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { startSqsLocal } from "../local/sqs-local.js";
import { loadDeployConfig } from "../config/load.js";
import { consumerCostPerMillion, loadPrices } from "../cost/prices.js";
import { updateCostInputs } from "./cost-inputs.js";
import { BENCH_BODY_BYTES, drainWithBundle, log, preload, round, type DrainResult } from "./lib-processor-drain.js";
import { cpuMeter } from "./proc.js";
import { countSqsRequests } from "./sqs-requests.js";
import { median } from "./stats.js";
import {
  countItems,
  createFixture,
  createRequestsTable,
  queueDepth,
  TEST_CREDENTIALS_ENV,
  type Emulators,
} from "../kit/emulator-fixtures.js";
import { nodeVersion, serviceNode } from "../kit/image-node.js";
import { REPO_ROOT } from "../kit/repo-root.js";
import { commandLineOrExit } from "../kit/cli.js";

const messages = Number(process.env.BENCH_MESSAGES ?? 20_000);
const concurrency = Number(process.env.BENCH_POLL_CONCURRENCY ?? 4);
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const quick = process.env.BENCH_QUICK === "1";
let dynamoPid = 0;
/** The `node` the consumers and the ceiling loops run on: the images' Node (set by main). */
let node = process.execPath;

interface CeilingResult {
  readonly mode: string;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU seconds per process during the run: the loop itself (`client`), fauxqs and DynamoDB Local. */
  readonly cpuSeconds: Readonly<Record<string, number>>;
  readonly writeUnitsReported?: number;
  readonly writeUnitsFormula?: number;
}

const CONSUMERS = ["processor", "sqs-consumer best", "sqs-consumer default"] as const;
type ConsumerName = (typeof CONSUMERS)[number];

async function main(): Promise<void> {
  commandLineOrExit({
    command: "npm run bench:processor",
    summary:
      "Measures the processor against fauxqs and DynamoDB Local and records its CPU per message (docs/BENCHMARKS.md). Tuned by BENCH_* environment variables.",
  });
  node = await serviceNode();
  const consumerNode = await nodeVersion(node);
  log(
    `processor bench: ${messages} messages, concurrency ${concurrency}, ${rounds} rounds, ${cpus().length} CPUs, node ${process.version} (consumers on ${consumerNode})`,
  );
  const sqsRequests = countSqsRequests();
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  const emulators: Emulators = { sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint };
  dynamoPid = dynamo.pid!;
  const bundleDir = await mkdtemp(join(tmpdir(), "processor-bench-"));
  try {
    const bundles = await buildBundles(bundleDir);
    // DynamoDB Local is a JVM: the first few thousand writes run cold. Warm the write path up, not measured.
    log("warming up DynamoDB Local (not measured)");
    await measureWriteCeiling(emulators, "put", 10, Math.min(messages, 10_000));
    const sqsCeiling = await measureSqsCeiling(emulators);
    const putCeiling = await measureWriteCeiling(emulators, "put");

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
            dynamoPid,
            sqsRequests,
            node,
            env: name === "processor" ? {} : { PEER_MODE: name === "sqs-consumer best" ? "best" : "default" },
          }),
        );
      }
    }
    const strategies: Record<string, CeilingResult> = { "conditional PutItem": putCeiling };
    if (!quick) {
      strategies["TransactWriteItems(10)"] = await measureWriteCeiling(emulators, "transact", 10);
      strategies["BatchWriteItem (no condition)"] = await measureWriteCeiling(emulators, "batch-write");
    }

    const prices = loadPrices();
    const processorTask = loadDeployConfig(join(REPO_ROOT, "terraform.tfvars.json")).services.processor;
    const consumers = Object.fromEntries(
      CONSUMERS.map((name) => {
        const list = runs[name];
        const n = list[0]!.itemsStored;
        const perMessage = (f: (d: DrainResult) => number) => round(median(list.map(f)) / n, 4);
        const sqsByAction: Record<string, number> = {};
        for (const d of list)
          for (const [action, count] of Object.entries(d.sqsRequests))
            sqsByAction[action] = (sqsByAction[action] ?? 0) + count / list.length / n;
        const units = {
          cpuMsPerMessage: perMessage((d) => d.cpuSeconds.processor * 1_000),
          sqsRequestsPerMessage: perMessage((d) => Object.values(d.sqsRequests).reduce((a, b) => a + b, 0)),
          writeUnitsPerMessage: perMessage((d) => d.writeUnits ?? Number.NaN),
          logBytesPerMessage: perMessage((d) => d.logBytes),
        };
        const cost = consumerCostPerMillion(prices, processorTask, units);
        return [
          name,
          {
            messages: n,
            perSecondRuns: list.map((d) => round(d.perSecond)),
            perSecond: round(median(list.map((d) => d.perSecond))),
            ...units,
            sqsRequestsPerMessageByAction: Object.fromEntries(
              Object.entries(sqsByAction).map(([k, v]) => [k, round(v, 4)]),
            ),
            peakRssMb: round(Math.max(...list.map((d) => d.peakRssMb))),
            emulatorCpuMsPerMessage: {
              fauxqs: perMessage((d) => d.cpuSeconds.fauxqs * 1_000),
              dynamodb: perMessage((d) => d.cpuSeconds.dynamodb * 1_000),
            },
            awsCostPerMillionUsd: Object.fromEntries(Object.entries(cost).map(([k, v]) => [k, round(v, 4)])),
          },
        ];
      }),
    ) as unknown as Record<ConsumerName, ConsumerReport>;

    const cpuMsPerItem = (c: CeilingResult) =>
      Object.fromEntries(Object.entries(c.cpuSeconds).map(([k, v]) => [k, round((v * 1_000) / c.messages, 3)]));
    const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
    // Any consumer must receive + delete every message (the SQS ceiling's whole CPU per message, client and fauxqs)
    // and write it (the put ceiling's whole CPU per item), and here all of it shares the machine's cores: no consumer
    // can beat cores / (the sum of the two), whatever its own code costs.
    const machineBound = round(
      (cpus().length * 1_000) / (total(cpuMsPerItem(sqsCeiling)) + total(cpuMsPerItem(putCeiling))),
    );
    const p = consumers.processor;
    const best = consumers["sqs-consumer best"];
    const dflt = consumers["sqs-consumer default"];
    const ratios = {
      throughputVsDefaultPeer: round(p.perSecond / dflt.perSecond, 2),
      throughputVsBestPeer: round(p.perSecond / best.perSecond, 2),
      costVsDefaultPeer: round(p.awsCostPerMillionUsd.total! / dflt.awsCostPerMillionUsd.total!, 3),
      costVsBestPeer: round(p.awsCostPerMillionUsd.total! / best.awsCostPerMillionUsd.total!, 3),
      cpuVsBestPeer: round(p.cpuMsPerMessage / best.cpuMsPerMessage, 3),
      toMachineBound: round(p.perSecond / machineBound, 3),
    };
    const targets = {
      writeUnitsPerMessageIsOne: p.writeUnitsPerMessage === 1,
      costAtMost055xDefaultPeer: ratios.costVsDefaultPeer <= 0.55,
      costAtMostBestPeer: ratios.costVsBestPeer <= 1,
      throughputAtLeast2xDefaultPeer: ratios.throughputVsDefaultPeer >= 2,
      throughputAtLeast13xBestPeer: ratios.throughputVsBestPeer >= 1.3,
      cpuAtMostBestPeer: ratios.cpuVsBestPeer <= 1,
      atLeast08OfMachineBound: ratios.toMachineBound >= 0.8,
      peakRssUnder200Mb: p.peakRssMb < 200,
    };
    const report = {
      date: new Date().toISOString(),
      messages,
      bodyBytes: BENCH_BODY_BYTES,
      concurrency,
      rounds,
      cpus: cpus().length,
      node: process.version,
      consumerNode,
      consumers,
      ratios,
      targets,
      machineBoundPerSecond: machineBound,
      ceilings: {
        sqsReceiveDeletePerSecond: round(sqsCeiling.perSecond),
        sqsCpuMsPerMessage: cpuMsPerItem(sqsCeiling),
      },
      writeStrategies: Object.fromEntries(
        Object.entries(strategies).map(([name, c]) => [
          name,
          {
            itemsPerSecond: round(c.perSecond),
            cpuMsPerItem: cpuMsPerItem(c),
            writeUnitsPerItemReported: round((c.writeUnitsReported ?? Number.NaN) / c.messages, 3),
            writeUnitsPerItemAws: round((c.writeUnitsFormula ?? Number.NaN) / c.messages, 3),
            clientCostPerMillionUsd: round(
              consumerCostPerMillion(prices, processorTask, {
                cpuMsPerMessage: cpuMsPerItem(c).client!,
                sqsRequestsPerMessage: 0,
                writeUnitsPerMessage: (c.writeUnitsFormula ?? 0) / c.messages,
                logBytesPerMessage: 0,
              }).total,
              4,
            ),
          },
        ]),
      ),
    };
    printTable(report);
    await mkdir(join(REPO_ROOT, "bench/results"), { recursive: true });
    await writeFile(join(REPO_ROOT, "bench/results/processor.json"), `${JSON.stringify(report, null, 2)}\n`);
    await updateCostInputs("processor", {
      measured: report.date,
      source: "npm run bench:processor (bench/results/processor.json)",
      bodyBytes: BENCH_BODY_BYTES,
      cpuMsPerMessage: p.cpuMsPerMessage,
      sqsRequestsPerMessage: p.sqsRequestsPerMessage,
      writeUnitsPerMessage: p.writeUnitsPerMessage,
      logBytesPerMessage: p.logBytesPerMessage,
    });
    log("wrote bench/results/processor.json and docs/cost-inputs.json (processor)");
  } finally {
    sqsRequests.stop();
    await rm(bundleDir, { recursive: true, force: true });
    await Promise.all([dynamo.stop(), sqs.stop()]);
  }
}

interface ConsumerReport {
  readonly perSecond: number;
  readonly cpuMsPerMessage: number;
  readonly sqsRequestsPerMessage: number;
  readonly writeUnitsPerMessage: number;
  readonly logBytesPerMessage: number;
  readonly peakRssMb: number;
  readonly awsCostPerMillionUsd: Record<string, number>;
  readonly sqsRequestsPerMessageByAction: Record<string, number>;
}

/** The processor exactly as the Dockerfile bundles it, and the peer bundled the same way (esbuild, CommonJS). */
async function buildBundles(dir: string) {
  const processor = join(dir, "processor", "main.js");
  await run(process.execPath, ["apps/shared/bundle.mjs", "processor", processor], {});
  const peer = join(dir, "peer", "main.js");
  await build({
    entryPoints: [join(REPO_ROOT, "bench/peer-sqs-consumer.ts")],
    outfile: peer,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
  });
  return { processor, peer };
}

async function measureSqsCeiling(emulators: Emulators): Promise<CeilingResult> {
  const fixture = await createFixture(emulators, { visibilityTimeoutSeconds: 60 });
  await preload(fixture, messages);
  log("SQS ceiling: receive + batch delete only");
  const result = await runCeiling({
    CEILING_MODE: "sqs",
    QUEUE_URL: fixture.queueUrl,
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
  });
  const left = await queueDepth(fixture.sqs, fixture.queueUrl);
  if (left !== 0) throw new Error(`SQS ceiling loop left ${left} messages`);
  return result;
}

async function measureWriteCeiling(
  emulators: Emulators,
  mode: string,
  group = 10,
  items = messages,
): Promise<CeilingResult> {
  const fixture = await createFixture(emulators);
  const tableName = `${fixture.tableName}-${mode}-${group}`;
  await createRequestsTable(fixture.dynamo, tableName);
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
  const { stdout } = await run(node, ["--import", "tsx", "bench/lib-processor-ceiling.ts"], {
    ...TEST_CREDENTIALS_ENV,
    POLL_CONCURRENCY: String(concurrency),
    ...env,
  });
  const { self: fauxqs, dynamodb } = await meter.read();
  const loop = JSON.parse(stdout.trim().split("\n").pop() ?? "") as Omit<CeilingResult, "cpuSeconds"> & {
    cpuSeconds: number;
  };
  const result = { ...loop, cpuSeconds: { client: loop.cpuSeconds, fauxqs: fauxqs!, dynamodb: dynamodb! } };
  log(`  ${round(result.perSecond)} /s (${result.messages} in ${round(result.seconds)} s)`);
  return result;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "inherit"],
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.once("exit", (code) =>
      code === 0 ? resolve({ stdout }) : reject(new Error(`${args.join(" ")} exited ${code}`)),
    );
  });
}

function printTable(r: {
  consumers: Record<ConsumerName, ConsumerReport>;
  ratios: Record<string, number>;
  targets: Record<string, boolean>;
  machineBoundPerSecond: number;
  writeStrategies: Record<string, unknown>;
}): void {
  const names = [...CONSUMERS];
  const rows: [string, ...string[]][] = [
    ["", ...names],
    ["messages/s (median)", ...names.map((n) => String(r.consumers[n].perSecond))],
    ["own CPU ms/message", ...names.map((n) => String(r.consumers[n].cpuMsPerMessage))],
    ["SQS requests/message", ...names.map((n) => String(r.consumers[n].sqsRequestsPerMessage))],
    ["write units/message", ...names.map((n) => String(r.consumers[n].writeUnitsPerMessage))],
    ["log bytes/message", ...names.map((n) => String(r.consumers[n].logBytesPerMessage))],
    ["peak RSS MB", ...names.map((n) => String(r.consumers[n].peakRssMb))],
    ["AWS $ per million messages", ...names.map((n) => String(r.consumers[n].awsCostPerMillionUsd.total))],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  for (const row of rows) process.stdout.write(`${row.map((c, i) => c.padEnd(widths[i]!)).join("  ")}\n`);
  process.stdout.write(`machine bound (conditional PutItem) msg/s: ${r.machineBoundPerSecond}\n`);
  process.stdout.write(`ratios: ${JSON.stringify(r.ratios)}\n`);
  process.stdout.write(`targets: ${JSON.stringify(r.targets)}\n`);
  process.stdout.write(`write strategies: ${JSON.stringify(r.writeStrategies, null, 1)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
