import { describe, expect, it } from "vitest";
import { EnvConfigError } from "../../shared/src/env.js";
import { loadApiConfig } from "../src/config.js";

const MINIMAL = { TABLE_NAME: "requests-prod", AWS_REGION: "eu-west-1" };

function problemsFor(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadApiConfig(env);
  } catch (error) {
    if (error instanceof EnvConfigError) return error.problems;
    throw error;
  }
  throw new Error("expected loadApiConfig to fail");
}

describe("config: environment variables", () => {
  it("config: applies the documented defaults when only TABLE_NAME and AWS_REGION are set", () => {
    expect(loadApiConfig(MINIMAL)).toEqual({
      port: 8080,
      tableName: "requests-prod",
      region: "eu-west-1",
      dynamoEndpoint: undefined,
      logLevel: "info",
      shutdownTimeoutMs: 25_000,
      readConsistency: "eventual_first",
      requestLogSampleRate: 1,
      tracing: { sampleRate: 0, endpoint: "http://127.0.0.1:4318/v1/traces" },
    });
  });

  it("config: TRACE_SAMPLE_RATE is a share from 0 (off) to 1, and a bad one is named", () => {
    expect(loadApiConfig({ ...MINIMAL, TRACE_SAMPLE_RATE: "0.05" }).tracing.sampleRate).toBe(0.05);
    expect(() => loadApiConfig({ ...MINIMAL, TRACE_SAMPLE_RATE: "5%" })).toThrow(/TRACE_SAMPLE_RATE/);
    expect(() => loadApiConfig({ ...MINIMAL, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "collector" })).toThrow(
      /OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/,
    );
  });

  it("config: reads the read consistency, the results' expiry attribute and the request log sample rate", () => {
    const env = { READ_CONSISTENCY: "strong", RESULT_TTL_ATTRIBUTE: "expiresAt", REQUEST_LOG_SAMPLE_RATE: "0.01" };
    expect(loadApiConfig({ ...MINIMAL, ...env })).toMatchObject({
      readConsistency: "strong",
      ttlAttribute: "expiresAt",
      requestLogSampleRate: 0.01,
    });
    expect(loadApiConfig({ ...MINIMAL, REQUEST_LOG_SAMPLE_RATE: "0" }).requestLogSampleRate).toBe(0);
  });

  it("config: reads every variable the ECS task definition sets", () => {
    const config = loadApiConfig({ ...MINIMAL, PORT: "9000", LOG_LEVEL: "warn", SHUTDOWN_TIMEOUT_SECONDS: "10" });
    expect(config).toMatchObject({ port: 9000, logLevel: "warn", shutdownTimeoutMs: 10_000 });
  });

  it("config: prefers AWS_ENDPOINT_URL_DYNAMODB over AWS_ENDPOINT_URL, like the SDK", () => {
    expect(loadApiConfig({ ...MINIMAL, AWS_ENDPOINT_URL: "http://a:1" }).dynamoEndpoint).toBe("http://a:1");
    expect(
      loadApiConfig({ ...MINIMAL, AWS_ENDPOINT_URL: "http://a:1", AWS_ENDPOINT_URL_DYNAMODB: "http://b:2" })
        .dynamoEndpoint,
    ).toBe("http://b:2");
  });

  it("config: accepts an endpoint override with or without a trailing slash", () => {
    expect(loadApiConfig({ ...MINIMAL, AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000/" }).dynamoEndpoint).toBe(
      "http://127.0.0.1:8000/",
    );
    expect(loadApiConfig({ ...MINIMAL, AWS_ENDPOINT_URL_DYNAMODB: "https://dynamodb.local" }).dynamoEndpoint).toBe(
      "https://dynamodb.local",
    );
  });

  it("config: treats an empty variable as unset (defaults apply)", () => {
    expect(loadApiConfig({ ...MINIMAL, PORT: "", LOG_LEVEL: "", AWS_ENDPOINT_URL: "" })).toMatchObject({
      port: 8080,
      logLevel: "info",
      dynamoEndpoint: undefined,
    });
  });

  it("config: LISTEN_HOST is the address to bind; unset, every interface (as ECS needs)", () => {
    expect(loadApiConfig({ ...MINIMAL, LISTEN_HOST: "127.0.0.1" }).listenHost).toBe("127.0.0.1");
    expect(loadApiConfig({ ...MINIMAL, LISTEN_HOST: "" }).listenHost).toBeUndefined();
  });

  it("config: returns a frozen object", () => {
    expect(Object.isFrozen(loadApiConfig(MINIMAL))).toBe(true);
  });

  it.each([
    ["TABLE_NAME", { AWS_REGION: "eu-west-1" }, /TABLE_NAME: is required/],
    ["AWS_REGION", { TABLE_NAME: "requests" }, /AWS_REGION: is required/],
  ])("config: fails when %s is missing, naming it", (_name, env, expected) => {
    expect(problemsFor(env).join("\n")).toMatch(expected);
  });

  it.each([
    ["PORT", "http"],
    ["PORT", "0"],
    ["PORT", "65536"],
    ["PORT", "80.5"],
    ["PORT", " 8080"],
    ["TABLE_NAME", "ab"],
    ["TABLE_NAME", "requests table"],
    ["AWS_REGION", "Europe"],
    ["AWS_REGION", "eu-west"],
    ["AWS_ENDPOINT_URL_DYNAMODB", "localhost:8000"],
    ["AWS_ENDPOINT_URL", "ftp://127.0.0.1:8000"],
    ["AWS_ENDPOINT_URL", "http://localhost:8000/path"],
    ["AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000/?x=1"],
    ["AWS_ENDPOINT_URL_DYNAMODB", "http://localhost:8000#f"],
    ["LOG_LEVEL", "verbose"],
    ["SHUTDOWN_TIMEOUT_SECONDS", "0"],
    ["SHUTDOWN_TIMEOUT_SECONDS", "121"],
    ["SHUTDOWN_TIMEOUT_SECONDS", "ten"],
    ["LISTEN_HOST", "localhost"],
    ["LISTEN_HOST", "127.0.0.256"],
    ["PATH_PREFIX", "v1"],
    ["READ_CONSISTENCY", "eventual"],
    ["REQUEST_LOG_SAMPLE_RATE", "1.5"],
    ["REQUEST_LOG_SAMPLE_RATE", "1%"],
    ["RESULT_TTL_ATTRIBUTE", "9lives"],
    ["PATH_PREFIX", "/v1/requests"],
  ])("config: fails when %s=%j, naming the variable and the value", (name, value) => {
    const problems = problemsFor({ ...MINIMAL, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.startsWith(`${name}: `)).toBe(true);
    expect(problems[0]).toContain(`(got ${JSON.stringify(value)})`);
  });

  it("config: reports every bad variable at once", () => {
    const problems = problemsFor({ PORT: "x", LOG_LEVEL: "loud" });
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual(["AWS_REGION", "LOG_LEVEL", "PORT", "TABLE_NAME"]);
  });
});
