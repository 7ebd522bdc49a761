/**
 * One consumer drain, shared by `bench:processor` and the A/B harness (`bench/lib-processor-ab.ts`): preload the
 * queue, start a bundled consumer (the processor's production bundle, or the sqs-consumer peer) against the emulators,
 * time first poll -> empty queue, then check that every message became exactly one item and nothing reached the DLQ.
 * Besides throughput it records what AWS would bill for the drain: the consumer's own CPU, its SQS requests (counted
 * at fauxqs, which runs in this process), the write units DynamoDB reported to it, and the log bytes it wrote.
 */
import { spawn } from "node:child_process";
import { dirname } from "node:path";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { cpuMeter, memoryMb } from "./shared/proc.js";
import { round as roundTo } from "./shared/stats.js";
import type { SqsRequestCounter } from "./shared/sqs-requests.js";
import { benchBody } from "../cost/payload.js";
import {
  countItems,
  createFixture,
  queueDepth,
  sendBodies,
  TEST_CREDENTIALS_ENV,
  type Emulators,
  type Fixture,
} from "../kit/emulator-fixtures.js";
import { imageNodeOptions } from "../kit/image-node.js";

export interface DrainSettings {
  readonly messages: number;
  readonly concurrency: number;
  /** DynamoDB Local's pid, to report its CPU time during the drain. */
  readonly dynamoPid: number;
  /** Counts the SQS requests fauxqs serves (it must run in this process); without it, SQS requests are not reported. */
  readonly sqsRequests?: SqsRequestCounter | undefined;
  /** Extra environment for the consumer (the peer's PEER_MODE). */
  readonly env?: Readonly<Record<string, string>>;
  /** Node options before the bundle (e.g. `--cpu-prof`, which NODE_OPTIONS does not allow). */
  readonly nodeArgs?: readonly string[];
  /** The `node` the consumer runs on (the images' Node: `serviceNode()` in kit/image-node.ts). */
  readonly node: string;
}

export interface DrainResult {
  readonly perSecond: number;
  readonly seconds: number;
  readonly peakRssMb: number;
  /** CPU seconds during the drain: the consumer, fauxqs (this process) and DynamoDB Local. */
  readonly cpuSeconds: { readonly processor: number; readonly fauxqs: number; readonly dynamodb: number };
  readonly itemsStored: number;
  /** SQS requests by action during the drain (first poll to empty queue). */
  readonly sqsRequests: Readonly<Record<string, number>>;
  /** Write units DynamoDB reported to the consumer (its final counters line). */
  readonly writeUnits: number | undefined;
  /** Bytes the consumer wrote to stdout/stderr during the drain (its CloudWatch Logs ingestion). */
  readonly logBytes: number;
}

export { BENCH_BODY_BYTES, benchBody } from "../cost/payload.js";

export const benchBodies = (n: number) => Array.from({ length: n }, (_, i) => benchBody(i));

/** One decimal: the drain's log lines and the processor bench's table. */
export const round = (n: number, digits = 1) => roundTo(n, digits);
export const log = (line: string) => process.stderr.write(`${line}\n`);

export async function drainWithBundle(
  emulators: Emulators,
  bundleFile: string,
  settings: DrainSettings,
): Promise<DrainResult> {
  const { messages, concurrency, dynamoPid } = settings;
  const fixture = await createFixture(emulators, { visibilityTimeoutSeconds: 60 });
  await preload(fixture, messages);
  const child = spawn(settings.node, [...(settings.nodeArgs ?? []), bundleFile], {
    cwd: dirname(bundleFile),
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH ?? "",
      ...TEST_CREDENTIALS_ENV,
      QUEUE_URL: fixture.queueUrl,
      TABLE_NAME: fixture.tableName,
      AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
      // The production settings (stacks/main-stack.ts) but for the endpoints and a free health port.
      POLL_CONCURRENCY: String(concurrency),
      WAIT_TIME_SECONDS: "20",
      VISIBILITY_TIMEOUT_SECONDS: "60",
      HEALTH_PORT: "0",
      LOG_LEVEL: "info",
      STATS_INTERVAL_SECONDS: "60",
      // The processor image's heap settings, for every consumer compared (as the api bench does for its peer).
      NODE_OPTIONS: await imageNodeOptions("processor"),
      ...settings.env,
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let logs = "";
  let logBytes = 0;
  let counting = false;
  const onOutput = (chunk: Buffer) => {
    logs += chunk.toString();
    if (counting) logBytes += chunk.length;
  };
  child.stderr.on("data", onOutput);
  const started = new Promise<number>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      onOutput(chunk);
      if (logs.includes('"msg":"polling started"')) resolve(performance.now());
    });
  });
  const t0 = await Promise.race([
    started,
    exited.then((code) => Promise.reject(new Error(`consumer exited ${code}: ${logs}`))),
  ]);
  counting = true;
  settings.sqsRequests?.reset();
  // `self` is this process, where fauxqs runs (its queue-depth polling every 100 ms is noise next to serving SQS).
  const meter = await cpuMeter({ processor: child.pid!, dynamodb: dynamoPid });
  const deadline = Date.now() + 15 * 60_000;
  while ((await queueDepth(fixture.sqs, fixture.queueUrl)) > 0) {
    if (Date.now() > deadline) throw new Error("the consumer did not drain the queue within 15 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - t0) / 1_000;
  const cpu = await meter.read();
  const sqsRequests = settings.sqsRequests?.counts() ?? {};
  counting = false;
  const { peakRssMb } = await memoryMb(child.pid!);
  child.kill("SIGTERM");
  const code = await exited;
  if (code !== 0) throw new Error(`consumer exited ${code} after SIGTERM: ${logs.slice(-2_000)}`);
  const itemsStored = await countItems(fixture.dynamo, fixture.tableName);
  if (itemsStored !== messages) throw new Error(`consumer stored ${itemsStored} of ${messages} items`);
  const dlq = await queueDepth(fixture.sqs, fixture.dlqUrl);
  if (dlq !== 0) throw new Error(`${dlq} messages in the DLQ`);
  const stoppedLine = logs
    .split("\n")
    .filter((l) => l.includes('"msg":"stopped"'))
    .pop();
  const writeUnits = stoppedLine
    ? (JSON.parse(stoppedLine) as { counters?: { writeUnits?: number } }).counters?.writeUnits
    : undefined;
  log(
    `  ${round(messages / seconds)} /s (${messages} in ${round(seconds)} s), peak RSS ${round(peakRssMb)} MB, SQS ${JSON.stringify(sqsRequests)}, write units ${writeUnits}`,
  );
  await fixture.dynamo.send(new DeleteTableCommand({ TableName: fixture.tableName }));
  return {
    perSecond: messages / seconds,
    seconds,
    peakRssMb,
    cpuSeconds: { processor: cpu.processor!, fauxqs: cpu.self!, dynamodb: cpu.dynamodb! },
    itemsStored,
    sqsRequests,
    writeUnits,
    logBytes,
  };
}

export async function preload(fixture: Fixture, messages: number): Promise<void> {
  const t = performance.now();
  await sendBodies(fixture.sqs, fixture.queueUrl, benchBodies(messages));
  log(`preloaded ${messages} messages in ${round((performance.now() - t) / 1_000)} s`);
}
