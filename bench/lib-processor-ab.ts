/**
 * A/B drains of two processor bundles against the same emulators, interleaved A B B A A B ... after one unmeasured
 * warm-up, so machine noise and DynamoDB Local's JIT warm-up hit both sides alike (perf experiments only).
 * Usage: build each bundle with `node apps/shared/bundle.mjs processor <file>`, then
 * AB_A=<bundle.js> AB_B=<bundle.js> [AB_ROUNDS=3] [BENCH_MESSAGES=10000] npx tsx bench/lib-processor-ab.ts
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { startDynamoDbLocal } from "../test/support/dynamodb-local.js";
import { startSqsLocal } from "../test/support/sqs-local.js";
import { countItems, createFixture, queueDepth, repoRoot, sendBodies, type Emulators, type Fixture } from "../apps/processor/test/support.js";

const messages = Number(process.env.BENCH_MESSAGES ?? 10_000);
const concurrency = Number(process.env.BENCH_POLL_CONCURRENCY ?? 4);
const credentialsEnv = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_REGION: "us-east-1" };
const benchBodies = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ tag: "bench", index: i, text: "x".repeat(200), nested: { ok: true, list: [i, String(i)] } }));

async function main(): Promise<void> {
  const [a, b] = [process.env.AB_A, process.env.AB_B];
  if (!a || !b) throw new Error("set AB_A and AB_B to two processor bundles");
  const rounds = Number(process.env.AB_ROUNDS ?? 3);
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  const emulators: Emulators = { sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint };
  try {
    log("warm-up (A, not measured)");
    await measureProcessor(emulators, a);
    for (let r = 1; r <= rounds; r++) {
      const order: [string, string][] = r % 2 ? [["A", a], ["B", b]] : [["B", b], ["A", a]];
      for (const [name, bundle] of order) {
        const m = await measureProcessor(emulators, bundle);
        process.stdout.write(`round ${r} ${name} ${round(m.perSecond)} msg/s rss ${round(m.peakRssMb)} MB cpu/1000 ${round((m.cpuSeconds * 1000) / messages, 3)}\n`);
      }
    }
  } finally {
    await Promise.allSettled([dynamo.stop(), sqs.stop()]);
  }
}

async function measureProcessor(emulators: Emulators, bundle: string) {
  const fixture = await createFixture(emulators, { visibilityTimeoutSeconds: 60 });
  await preload(fixture);
  
  const child = spawn(process.execPath, [bundle], {
    cwd: tmpdir(),
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
  const deadline = Date.now() + 15 * 60_000;
  while ((await queueDepth(fixture.sqs, fixture.queueUrl)) > 0) {
    if (Date.now() > deadline) throw new Error("processor did not drain the queue within 15 minutes");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - t0) / 1_000;
  const peakRssMb = await peakRss(child.pid!);
  const cpuSeconds = await cpuTime(child.pid!);
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
  return { perSecond: messages / seconds, seconds, peakRssMb, cpuSeconds, itemsStored };
}

async function preload(fixture: Fixture): Promise<void> {
  const t = performance.now();
  await sendBodies(fixture.sqs, fixture.queueUrl, benchBodies(messages));
  log(`preloaded ${messages} messages in ${round((performance.now() - t) / 1_000)} s`);
}

/** User + system CPU seconds a live process has used (Linux /proc; clock ticks are 100 Hz). */
async function cpuTime(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Peak resident set size (VmHWM) of a live process, in MB (Linux /proc). */
async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

function run(command: string, args: string[], env: Record<string, string>): Promise<{ stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"], env: { PATH: process.env.PATH ?? "", ...env } });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.once("exit", (code) => (code === 0 ? resolve({ stdout }) : reject(new Error(`${args.join(" ")} exited ${code}`))));
  });
}


const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const log = (line: string) => process.stderr.write(`${line}\n`);

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
