/**
 * One processor drain, shared by `bench:processor` and the A/B harness (`bench/lib-processor-ab.ts`): preload the
 * queue, start a production bundle against the emulators, time first poll -> empty queue, then check that every
 * message became exactly one item and nothing reached the DLQ.
 */
import { spawn } from "node:child_process";
import { dirname } from "node:path";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { cpuMeter, memoryMb } from "./proc.js";
import { round as roundTo } from "./stats.js";
import { countItems, createFixture, queueDepth, sendBodies, type Emulators, type Fixture } from "../apps/processor/test/support.js";

export interface DrainSettings {
  readonly messages: number;
  readonly concurrency: number;
  /** DynamoDB Local's pid, to report its CPU time during the drain. */
  readonly dynamoPid: number;
}

export const credentialsEnv = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };

export const benchBodies = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ tag: "bench", index: i, text: "x".repeat(200), nested: { ok: true, list: [i, String(i)] } }));

/** One decimal: the drain's log lines and the processor bench's table. */
export const round = (n: number, digits = 1) => roundTo(n, digits);
export const log = (line: string) => process.stderr.write(`${line}\n`);

export async function drainWithBundle(emulators: Emulators, bundleFile: string, { messages, concurrency, dynamoPid }: DrainSettings) {
  const fixture = await createFixture(emulators, { visibilityTimeoutSeconds: 60 });
  await preload(fixture, messages);
  log("processor: draining with the production bundle");
  const child = spawn(process.execPath, [bundleFile], {
    cwd: dirname(bundleFile),
    stdio: ["ignore", "pipe", "inherit"],
    env: {
      PATH: process.env.PATH ?? "",
      ...credentialsEnv,
      QUEUE_URL: fixture.queueUrl,
      TABLE_NAME: fixture.tableName,
      AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamoEndpoint,
      POLL_CONCURRENCY: String(concurrency),
      WAIT_TIME_SECONDS: "1",
      VISIBILITY_TIMEOUT_SECONDS: "60",
      HEALTH_PORT: "0",
      LOG_LEVEL: "info",
      STATS_INTERVAL_SECONDS: "10",
    },
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  let logs = "";
  const started = new Promise<number>((resolve) => {
    child.stdout.on("data", (chunk: Buffer) => {
      logs += chunk.toString();
      if (logs.includes('"msg":"polling started"')) resolve(performance.now());
    });
  });
  const t0 = await Promise.race([started, exited.then((code) => Promise.reject(new Error(`processor exited ${code}: ${logs}`)))]);
  // `self` is this process, where fauxqs runs (its queue-depth polling every 100 ms is noise next to serving SQS).
  const meter = await cpuMeter({ processor: child.pid!, dynamodb: dynamoPid });
  const deadline = Date.now() + 15 * 60_000;
  while ((await queueDepth(fixture.sqs, fixture.queueUrl)) > 0) {
    if (Date.now() > deadline) throw new Error("processor did not drain the queue within 15 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - t0) / 1_000;
  const cpu = await meter.read();
  const { peakRssMb } = await memoryMb(child.pid!);
  child.kill("SIGTERM");
  const code = await exited;
  if (code !== 0) throw new Error(`processor exited ${code} after SIGTERM`);
  const itemsStored = await countItems(fixture.dynamo, fixture.tableName);
  if (itemsStored !== messages) throw new Error(`processor stored ${itemsStored} of ${messages} items`);
  const dlq = await queueDepth(fixture.sqs, fixture.dlqUrl);
  if (dlq !== 0) throw new Error(`${dlq} messages in the DLQ`);
  const counters = logs.split("\n").filter((l) => l.includes('"msg":"stopped"')).pop();
  log(`  ${round(messages / seconds)} /s (${messages} in ${round(seconds)} s), peak RSS ${round(peakRssMb)} MB`);
  if (counters) log(`  ${counters}`);
  await fixture.dynamo.send(new DeleteTableCommand({ TableName: fixture.tableName }));
  return { perSecond: messages / seconds, seconds, peakRssMb, cpuSeconds: { processor: cpu.processor!, fauxqs: cpu.self!, dynamodb: cpu.dynamodb! }, itemsStored };
}

export async function preload(fixture: Fixture, messages: number): Promise<void> {
  const t = performance.now();
  await sendBodies(fixture.sqs, fixture.queueUrl, benchBodies(messages));
  log(`preloaded ${messages} messages in ${round((performance.now() - t) / 1_000)} s`);
}
