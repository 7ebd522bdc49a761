import { spawnSync } from "node:child_process";
import { describe, expect, inject, it } from "vitest";
import { EnvConfigError } from "../../shared/src/env.js";
import { loadProcessorConfig } from "../src/config.js";
import { pathWithNode, serviceNodePath } from "../../../kit/image-node.js";
import { REPO_ROOT } from "../../../kit/repo-root.js";

const required = {
  QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/requests",
  TABLE_NAME: "requests",
  AWS_REGION: "eu-west-1",
};

function problems(env: Record<string, string>): string[] {
  try {
    loadProcessorConfig(env);
  } catch (error) {
    if (error instanceof EnvConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("processor config", () => {
  it("config: applies the documented defaults when only the required variables are set", () => {
    expect(loadProcessorConfig(required)).toEqual({
      queueUrl: required.QUEUE_URL,
      tableName: "requests",
      region: "eu-west-1",
      logLevel: "info",
      pollConcurrency: 4,
      batchSize: 10,
      waitTimeSeconds: 20,
      visibilityTimeoutSeconds: 60,
      shutdownTimeoutSeconds: 50,
      processTimeoutSeconds: 300,
      healthPort: 8081,
      healthStallSeconds: 120,
      statsIntervalSeconds: 60,
      sqsEndpoint: undefined,
      dynamoEndpoint: undefined,
      resultExpiry: undefined,
      tracing: { sampleRate: 0, endpoint: "http://127.0.0.1:4318/v1/traces" },
    });
  });

  it("config: an expiry needs both its attribute and its retention; days become seconds", () => {
    expect(
      loadProcessorConfig({ ...required, RESULT_TTL_ATTRIBUTE: "expiresAt", RESULT_RETENTION_DAYS: "7" }).resultExpiry,
    ).toEqual({ attribute: "expiresAt", retentionSeconds: 604_800 });
    expect(problems({ ...required, RESULT_TTL_ATTRIBUTE: "expiresAt" })).toEqual([
      expect.stringMatching(/^RESULT_RETENTION_DAYS: must be set together with RESULT_TTL_ATTRIBUTE/),
    ]);
    expect(problems({ ...required, RESULT_TTL_ATTRIBUTE: "1x", RESULT_RETENTION_DAYS: "0" })).toEqual([
      expect.stringMatching(/^RESULT_TTL_ATTRIBUTE: must be an attribute name/),
      expect.stringMatching(/^RESULT_RETENTION_DAYS: .*>=1 \(got "0"\)/),
    ]);
  });

  it("config: the service-specific endpoint override wins over AWS_ENDPOINT_URL", () => {
    const config = loadProcessorConfig({
      ...required,
      AWS_ENDPOINT_URL: "http://127.0.0.1:1",
      AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:2",
    });
    expect(config.sqsEndpoint).toBe("http://127.0.0.1:2");
    expect(config.dynamoEndpoint).toBe("http://127.0.0.1:1");
  });

  it("config: treats an empty variable as unset (defaults apply, a required one is reported missing)", () => {
    expect(
      loadProcessorConfig({ ...required, POLL_CONCURRENCY: "", LOG_LEVEL: "", AWS_ENDPOINT_URL: "" }),
    ).toMatchObject({
      pollConcurrency: 4,
      logLevel: "info",
      sqsEndpoint: undefined,
    });
    expect(problems({ ...required, TABLE_NAME: "" })).toEqual([expect.stringMatching(/^TABLE_NAME: is required/)]);
  });

  it.each(["QUEUE_URL", "TABLE_NAME", "AWS_REGION"])("config: fails when %s is missing, naming it", (name) => {
    const env: Record<string, string> = { ...required };
    delete env[name];
    expect(problems(env)).toEqual([expect.stringMatching(new RegExp(`^${name}: `))]);
  });

  it.each([
    ["QUEUE_URL", "not-a-url"],
    ["TABLE_NAME", "x"],
    ["AWS_REGION", "Europe"],
    ["LOG_LEVEL", "loud"],
    ["POLL_CONCURRENCY", "0"],
    ["BATCH_SIZE", "11"],
    ["WAIT_TIME_SECONDS", "21"],
    ["VISIBILITY_TIMEOUT_SECONDS", "1"],
    ["SHUTDOWN_TIMEOUT_SECONDS", "abc"],
    ["PROCESS_TIMEOUT_SECONDS", "0"],
    ["PROCESS_TIMEOUT_SECONDS", "43201"],
    ["HEALTH_PORT", "70000"],
    ["HEALTH_STALL_SECONDS", "20"],
    ["AWS_ENDPOINT_URL_SQS", "ftp://x"],
    ["AWS_ENDPOINT_URL_DYNAMODB", "nope"],
    ["AWS_ENDPOINT_URL", "http://127.0.0.1:4566/queue"],
  ])("config: fails when %s is %j, naming it and the value", (name, value) => {
    const found = problems({ ...required, [name]: value });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(new RegExp(`^${name}: .*\\(got "${value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"\\)$`));
  });

  it("config: `npm run start:processor` without its variables exits non-zero and names each missing one", () => {
    // GIVEN an environment without the service's variables WHEN started the documented way, on the images' Node
    const run = spawnSync("npm", ["run", "--silent", "start:processor"], {
      cwd: REPO_ROOT,
      env: { PATH: pathWithNode(serviceNodePath(inject("imageNode"))), HOME: process.env.HOME ?? "/tmp" },
      encoding: "utf8",
      timeout: 30_000,
    });
    // THEN it exits with EX_CONFIG and the message names every missing variable
    expect(run.status).toBe(78);
    for (const name of ["QUEUE_URL", "TABLE_NAME", "AWS_REGION"]) expect(run.stderr).toContain(`${name}: `);
  });
});
