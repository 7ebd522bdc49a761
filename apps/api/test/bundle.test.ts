import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { freePort } from "../../../local/free-port.js";
import { bundleRuntime, dockerfileNodeMajor, nodeMajor } from "../../../kit/image-node.js";
import { spawnService } from "../../../test/support/service-process.js";
import { unprivileged } from "../../../test/support/unprivileged.js";
import { adminDynamoClient, processedItem, putItem, startDynamoStandIn, uniqueTableName } from "./helpers.js";
import { createRequestsTable, deleteTable, TEST_CREDENTIALS_ENV } from "../../../kit/emulator-fixtures.js";
import { REPO_ROOT } from "../../../kit/repo-root.js";

// What the Dockerfile's build stage does (same script, same options), then `node dist/main.js` as its CMD does,
// from a directory with no node_modules anywhere above it: proves the image needs no dependencies at run time.
// It runs on the images' Node (kit/image-node.ts), from a directory that, with HOME and TMPDIR, is read-only
// as under the task definition's read-only root filesystem.
// (No Docker engine here, so the image itself is not built.)
const ID = randomUUID();
const tableName = uniqueTableName("bundle");
let workDir: string;
let runtime: string;
let client: DynamoDBClient;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "api-bundle-"));
  client = adminDynamoClient(inject("dynamoEndpoint"));
  await Promise.all([
    promisify(execFile)(process.execPath, ["apps/shared/bundle.mjs", "api", join(workDir, "dist", "main.js")], {
      cwd: REPO_ROOT,
    }),
    createRequestsTable(client, tableName).then(() => putItem(client, tableName, processedItem(ID))),
  ]);
  runtime = await bundleRuntime(inject("imageNode"), workDir);
  await setWritable(false);
});

afterAll(async () => {
  await deleteTable(client, tableName);
  client?.destroy();
  if (workDir) {
    await setWritable(true);
    await rm(workDir, { recursive: true, force: true });
  }
});

async function setWritable(writable: boolean): Promise<void> {
  const mode = writable ? 0o755 : 0o555;
  await chmod(join(workDir, "dist"), mode);
  await chmod(workDir, mode);
}

/** `node dist/main.js` from the bundle directory, as the image's CMD runs it, with read-only HOME and TMPDIR. */
function startBundle(port: number, dynamoEndpoint: string) {
  const service = spawnService("api bundle", runtime, ["dist/main.js"], {
    cwd: workDir,
    user: unprivileged,
    env: {
      PATH: process.env.PATH,
      HOME: workDir,
      TMPDIR: workDir,
      NODE_ENV: "production",
      PORT: String(port),
      TABLE_NAME: tableName,
      ...TEST_CREDENTIALS_ENV,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
      SHUTDOWN_TIMEOUT_SECONDS: "5",
    },
  });
  const listening = service.waitForLog("listening", (line) => line.msg === "listening", 30_000);
  const stderr = () => service.stderr.join("");
  return { ...service, listening, stderr, base: `http://127.0.0.1:${port}` };
}

describe("esbuild bundle (the image's dist/main.js)", () => {
  const imageNode = inject("imageNode");
  it.skipIf("unavailable" in imageNode)("bundle: runs on the Node.js major of the Dockerfile's FROM line", async () => {
    expect(await nodeMajor(runtime)).toBe(await dockerfileNodeMajor(join(REPO_ROOT, "apps", "api", "Dockerfile")));
  });
  // Where it is unavailable, the bundle runs on this Node and the global setup has printed why.

  it("bundle: starts with plain node and no node_modules on a read-only filesystem, serves items via AWS_ENDPOINT_URL_DYNAMODB, logs JSON, exits 0 on SIGTERM", async () => {
    const { child, exited, lines, listening, stderr, base } = startBundle(await freePort(), inject("dynamoEndpoint"));
    try {
      await listening;
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const item = await fetch(`${base}/requests/${ID}`);
      expect(item.status, await item.clone().text()).toBe(200);
      expect(await item.json()).toEqual(processedItem(ID));
      expect((await fetch(`${base}/requests/${randomUUID()}`)).status).toBe(404);

      child.kill("SIGTERM");
      expect(await exited, stderr()).toBe(0);
      const requestLines = lines.filter((line) => line.msg === "request");
      expect(requestLines.map((line) => line.status).sort(), JSON.stringify(lines)).toEqual([200, 200, 404]);
      expect(requestLines[0]).toMatchObject({
        level: "info",
        service: "api",
        method: "GET",
        durationMs: expect.any(Number),
      });
      expect(lines.find((line) => line.msg === "stopped")).toMatchObject({ outcome: "drained" });
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("bundle: on SIGTERM (and a second one) with a read in flight, refuses new connections, answers the read with Connection: close, exits 0", async () => {
    // DynamoDB that holds the read until the test lets it answer, so the request is in flight when SIGTERM arrives.
    let answerRead!: () => void;
    let readArrived!: () => void;
    const arrived = new Promise<void>((resolveArrived) => (readArrived = resolveArrived));
    const dynamo = await startDynamoStandIn((_req, res) => {
      answerRead = () =>
        res
          .writeHead(200, { "Content-Type": "application/x-amz-json-1.0" })
          .end(JSON.stringify({ Item: { requestId: { S: ID } } }));
      readArrived();
    });
    const { child, exited, lines, listening, stderr, base } = startBundle(await freePort(), dynamo.endpoint);
    try {
      await listening;
      const inFlight = fetch(`${base}/requests/${ID}`);
      await arrived;

      child.kill("SIGTERM");
      await vi.waitFor(() => expect(lines.some((line) => String(line.msg).startsWith("shutting down"))).toBe(true), {
        timeout: 15_000,
      });
      await expect(fetch(`${base}/health`)).rejects.toThrow();
      // An impatient operator or a runtime resending SIGTERM must not cut the drain short.
      child.kill("SIGTERM");
      await vi.waitFor(
        () => expect(lines.some((line) => line.msg === "shutdown already in progress; signal ignored")).toBe(true),
        { timeout: 15_000 },
      );

      answerRead();
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ requestId: ID });
      expect(response.headers.get("connection")).toBe("close");
      expect(await exited, stderr()).toBe(0);
      expect(lines.find((line) => line.msg === "stopped")).toMatchObject({ outcome: "drained" });
    } finally {
      child.kill("SIGKILL");
      await dynamo.close();
    }
  });
});
