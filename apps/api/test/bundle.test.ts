import { type ChildProcessWithoutNullStreams, execFile, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { freePort } from "../../../local/free-port.js";
import { adminDynamoClient, createRequestsTable, deleteTable, processedItem, putItem, uniqueTableName } from "./helpers.js";

// What the Dockerfile's build stage does (same script, same options), then `node dist/main.js` as its CMD does,
// from a directory with no node_modules anywhere above it: proves the image needs no dependencies at run time.
// (No Docker engine here, so the image itself is not built.)
const REPO_ROOT = resolve(import.meta.dirname, "../../..");
const ID = randomUUID();
const tableName = uniqueTableName("bundle");
let workDir: string;
let client: DynamoDBClient;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "api-bundle-"));
  client = adminDynamoClient(inject("dynamoEndpoint"));
  await Promise.all([
    promisify(execFile)(process.execPath, ["apps/shared/bundle.mjs", "api", join(workDir, "dist", "main.js")], { cwd: REPO_ROOT }),
    createRequestsTable(client, tableName).then(() => putItem(client, tableName, processedItem(ID))),
  ]);
});

afterAll(async () => {
  await deleteTable(client, tableName);
  client?.destroy();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** Resolves with the parsed JSON log lines once a line matching `until` appears on stdout. */
function waitForLog(child: ChildProcessWithoutNullStreams, lines: Record<string, unknown>[], until: (line: Record<string, unknown>) => boolean) {
  return new Promise<void>((resolveWait, reject) => {
    let buffer = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      buffer += chunk;
      const complete = buffer.split("\n");
      buffer = complete.pop() ?? "";
      for (const text of complete.filter(Boolean)) {
        const line = JSON.parse(text) as Record<string, unknown>;
        lines.push(line);
        if (until(line)) resolveWait();
      }
    });
    child.on("exit", (code) => reject(new Error(`exited with ${code} before the expected log line`)));
  });
}

describe("esbuild bundle (the image's dist/main.js)", () => {
  it("bundle: starts with plain node and no node_modules, serves items via AWS_ENDPOINT_URL_DYNAMODB, logs JSON, exits 0 on SIGTERM", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["dist/main.js"], {
      cwd: workDir,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: "production",
        PORT: String(port),
        TABLE_NAME: tableName,
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_DYNAMODB: inject("dynamoEndpoint"),
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        SHUTDOWN_TIMEOUT_SECONDS: "5",
      },
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const exited = new Promise<number | null>((resolveExit) => child.on("exit", (code) => resolveExit(code)));
    const lines: Record<string, unknown>[] = [];
    try {
      await waitForLog(child, lines, (line) => line.msg === "listening");
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/health`)).status).toBe(200);
      const item = await fetch(`${base}/requests/${ID}`);
      expect(item.status, await item.clone().text()).toBe(200);
      expect(await item.json()).toEqual(processedItem(ID));
      expect((await fetch(`${base}/requests/${randomUUID()}`)).status).toBe(404);

      child.kill("SIGTERM");
      expect(await exited, stderr).toBe(0);
      const requestLines = lines.filter((line) => line.msg === "request");
      expect(requestLines.map((line) => line.status).sort(), JSON.stringify(lines)).toEqual([200, 200, 404]);
      expect(requestLines[0]).toMatchObject({ level: "info", service: "api", method: "GET", durationMs: expect.any(Number) });
      expect(lines.find((line) => line.msg === "stopped")).toMatchObject({ outcome: "drained" });
    } finally {
      child.kill("SIGKILL");
    }
  });
});
