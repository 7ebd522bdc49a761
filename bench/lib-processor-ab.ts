/**
 * A/B drains of two processor bundles against the same emulators, interleaved A B B A A B ... after one unmeasured
 * warm-up, so machine noise and DynamoDB Local's JIT warm-up hit both sides alike (perf experiments only).
 * Usage: build each bundle with `node apps/shared/bundle.mjs processor <file>`, then
 * AB_A=<bundle.js> AB_B=<bundle.js> [AB_ROUNDS=3] [BENCH_MESSAGES=10000] npx tsx bench/lib-processor-ab.ts
 */
import { resolve } from "node:path";
import { startDynamoDbLocal } from "../local/dynamodb-local.js";
import { startSqsLocal } from "../local/sqs-local.js";
import type { Emulators } from "../kit/emulator-fixtures.js";
import { serviceNode } from "../kit/image-node.js";
import { drainWithBundle, log, round } from "./lib-processor-drain.js";

const messages = Number(process.env.BENCH_MESSAGES ?? 10_000);
const concurrency = Number(process.env.BENCH_POLL_CONCURRENCY ?? 4);

async function main(): Promise<void> {
  const [a, b] = [process.env.AB_A, process.env.AB_B];
  if (!a || !b) throw new Error("set AB_A and AB_B to two processor bundles");
  const rounds = Number(process.env.AB_ROUNDS ?? 3);
  const node = await serviceNode();
  const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startSqsLocal()]);
  const emulators: Emulators = { sqsEndpoint: sqs.endpoint, dynamoEndpoint: dynamo.endpoint };
  try {
    log("warm-up (A, not measured)");
    await drainWithBundle(emulators, resolve(a), { messages, concurrency, dynamoPid: dynamo.pid!, node });
    for (let r = 1; r <= rounds; r++) {
      const order: [string, string][] =
        r % 2
          ? [
              ["A", a],
              ["B", b],
            ]
          : [
              ["B", b],
              ["A", a],
            ];
      for (const [name, bundle] of order) {
        const m = await drainWithBundle(emulators, resolve(bundle), {
          messages,
          concurrency,
          dynamoPid: dynamo.pid!,
          node,
        });
        process.stdout.write(
          `round ${r} ${name} ${round(m.perSecond)} msg/s rss ${round(m.peakRssMb)} MB cpu/1000 ${round((m.cpuSeconds.processor * 1000) / messages, 3)}\n`,
        );
      }
    }
  } finally {
    await Promise.allSettled([dynamo.stop(), sqs.stop()]);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
