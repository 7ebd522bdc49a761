/**
 * The ceilings bench:processor measures a consumer against: receive + batch-delete only (SQS), and the write paths
 * alone (DynamoDB), each run by bench/lib-processor-ceiling.ts as a child process on the consumers' Node.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { build } from "esbuild";
import {
  countItems,
  createFixture,
  createRequestsTable,
  queueDepth,
  TEST_CREDENTIALS_ENV,
  type Emulators,
} from "../../kit/emulator-fixtures.js";
import { REPO_ROOT } from "../../kit/repo-root.js";
import { log, preload, round } from "../lib-processor-drain.js";
import { cpuMeter } from "../shared/proc.js";

/** What every ceiling run needs: the emulators, the run's size and the Node the loops run on. */
export interface CeilingContext {
  readonly emulators: Emulators;
  readonly messages: number;
  readonly concurrency: number;
  readonly dynamoPid: number;
  readonly node: string;
}

export interface CeilingResult {
  readonly mode: string;
  readonly messages: number;
  readonly seconds: number;
  readonly perSecond: number;
  /** CPU seconds per process during the run: the loop itself (`client`), fauxqs and DynamoDB Local. */
  readonly cpuSeconds: Readonly<Record<string, number>>;
  readonly writeUnitsReported?: number;
  readonly writeUnitsFormula?: number;
}

/** The processor exactly as the Dockerfile bundles it, and the peer bundled the same way (esbuild, CommonJS). */
export async function buildBundles(dir: string) {
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

export async function measureSqsCeiling(context: CeilingContext): Promise<CeilingResult> {
  const { emulators } = context;
  const fixture = await createFixture(emulators, { visibilityTimeoutSeconds: 60 });
  await preload(fixture, context.messages);
  log("SQS ceiling: receive + batch delete only");
  const result = await runCeiling(context, {
    CEILING_MODE: "sqs",
    QUEUE_URL: fixture.queueUrl,
    AWS_ENDPOINT_URL_SQS: emulators.sqsEndpoint,
  });
  const left = await queueDepth(fixture.sqs, fixture.queueUrl);
  if (left !== 0) throw new Error(`SQS ceiling loop left ${left} messages`);
  return result;
}

export async function measureWriteCeiling(
  context: CeilingContext,
  mode: string,
  group = 10,
  items = context.messages,
): Promise<CeilingResult> {
  const { emulators } = context;
  const fixture = await createFixture(emulators);
  const tableName = `${fixture.tableName}-${mode}-${group}`;
  await createRequestsTable(fixture.dynamo, tableName);
  log(`DynamoDB ${mode}${mode === "transact" ? ` of ${group}` : ""}: ${items} items`);
  const result = await runCeiling(context, {
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

async function runCeiling(context: CeilingContext, env: Record<string, string>): Promise<CeilingResult> {
  const meter = await cpuMeter({ dynamodb: context.dynamoPid });
  const { stdout } = await run(context.node, ["--import", "tsx", "bench/lib-processor-ceiling.ts"], {
    ...TEST_CREDENTIALS_ENV,
    POLL_CONCURRENCY: String(context.concurrency),
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
