import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { computeBill, type CostInputs } from "../../cost/bill.js";
import { infraFromSynth, type Infra } from "../../cost/infra.js";
import { COST_COMMAND, costOptions, loadCostInputs, UsageError } from "../../cost/main.js";
import { parseCommandLine } from "../../kit/cli.js";
import { accessLogLineBytes } from "../../cost/logs-line.js";
import { ACCESS_LOG_FORMAT } from "../../stacks/apis/rest-api-stage.js";
import { loadPrices } from "../../cost/prices.js";
import { gatewayTracesPerMonth } from "../../cost/xray-line.js";
import { synthApp } from "../support/synth.js";

const prices = loadPrices();

/** The example configuration's stack as the bill sees it (the synth test below checks infraFromSynth yields this). */
const exampleInfra: Infra = {
  services: {
    api: {
      cpu: 256,
      memory: 512,
      minTasks: 2,
      maxTasks: 2,
      environment: {},
      sidecarCpu: 0,
      cpuArchitecture: "X86_64",
      spot: null,
    },
    processor: {
      cpu: 256,
      memory: 512,
      minTasks: 1,
      maxTasks: 10,
      environment: { POLL_CONCURRENCY: "4", WAIT_TIME_SECONDS: "20" },
      sidecarCpu: 0,
      cpuArchitecture: "X86_64",
      spot: null,
    },
  },
  albs: 1,
  nlbs: 1,
  vpcLinks: 1,
  interfaceEndpoints: 0,
  stages: [
    {
      methods: 1,
      detailedMetrics: true,
      accessLogFormat: '{"requestId":"$context.requestId","status":"$context.status"}',
    },
    {
      methods: 2,
      detailedMetrics: true,
      accessLogFormat: '{"requestId":"$context.requestId","status":"$context.status"}',
    },
  ],
  // No stage traces here: the X-Ray test below turns each source of traces on in turn.
  gatewayTracing: { ingest: false, query: false },
  methodRateLimits: { ingest: 100, query: 100 },
  logRetentionDays: { api: 365, processor: 365, apiGatewayAccess: 365, apiGatewayExecution: 365 },
  logClasses: {
    api: "INFREQUENT_ACCESS",
    processor: "INFREQUENT_ACCESS",
    apiGatewayAccess: "INFREQUENT_ACCESS",
    apiGatewayExecution: "INFREQUENT_ACCESS",
  },
  alarmMetrics: 4,
  containerInsights: "enabled",
  dashboards: 0,
  kmsKeys: 0,
  webAclRules: [],
  pointInTimeRecovery: true,
  onDemandTable: true,
  resultRetentionDays: 7,
};

const inputs: CostInputs = {
  processor: { cpuMsPerMessage: 2, sqsRequestsPerMessage: 0.2, logBytesPerMessage: 0 },
  api: { cpuMsPerRequest: 1, logBytesPerRequest: 200, responseBytesPerRequest: 1_300 },
  itemOverheadBytes: 213,
};

describe("cost: npm run cost", () => {
  it("cost: 10 req/s, 768-byte payloads, 1 GET each: every line matches the hand arithmetic", () => {
    const bill = computeBill({ rps: 10, payloadBytes: 768, readsPerRequest: 1 }, inputs, exampleInfra, prices);
    const line = (component: string) => bill.lines.find((l) => l.component === component)!;
    // 730 hours, 2,628,000 s a month; 10 req/s = 26.28 million POSTs and 26.28 million GETs.
    const taskMonth = (0.25 * 0.04048 + 0.5 * 0.004445) * 730; // 0.25 vCPU + 0.5 GB
    expect(line("Fargate api")).toMatchObject({ fixedUsd: expect.closeTo(2 * taskMonth, 6), perRequestUsd: 0 });
    expect(line("Fargate processor")).toMatchObject({ fixedUsd: expect.closeTo(taskMonth, 6), perRequestUsd: 0 });
    // LCU: the larger of 0.1 new connections/s / 25 and 10 x 1,600 bytes x 3,600 s = 0.0576 GB/h
    expect(line("Application Load Balancer")).toMatchObject({
      fixedUsd: expect.closeTo(0.0252 * 730, 6),
      perRequestUsd: expect.closeTo(0.0576 * 0.008 * 730, 6),
    });
    expect(line("Network Load Balancer")).toMatchObject({
      fixedUsd: expect.closeTo(0.0252 * 730, 6),
      perRequestUsd: expect.closeTo(0.0576 * 0.006 * 730, 6),
    });
    expect(line("API Gateway (REST)").perRequestUsd).toBeCloseTo(52.56 * 3.5, 6);
    // idle: 1 task x 4 loops x 2,628,000 s / 20 s = 525,600 empty polls; load: 26.28 M x (1 send + 0.2)
    expect(line("SQS")).toMatchObject({
      fixedUsd: expect.closeTo(0.5256 * 0.4, 6),
      perRequestUsd: expect.closeTo(26.28 * 1.2 * 0.4, 6),
    });
    // 981-byte items: 1 write unit; one GET per request, so every GET finds its item: half a read unit eventually
    // consistent; 26.28 M x 1,081 bytes a month, kept 7 days + 2 days of TTL lag of a 365/12-day month (with PITR)
    const storedGb = 28.40868 * (9 / (365 / 12));
    expect(line("DynamoDB").perRequestUsd).toBeCloseTo(
      26.28 * 0.7068 + 26.28 * 0.5 * 0.1413 + storedGb * (0.283 + 0.224),
      6,
    );
    // api 26.28 M x 200 B (no sampling set) + access logs 52.56 M x 68 B ('{"requestId":"","status":""}' = 28, a
    // UUID 36, a status 3, newline); each GB: 0.285 Infrequent Access ingestion + 12 months x 0.15 x 0.03 storage
    expect(line("CloudWatch Logs").perRequestUsd).toBeCloseTo((5.256 + 3.57408) * (0.285 + 12 * 0.15 * 0.03), 6);
    // 8 + 2 x 11 metrics; 3 tasks x 43,800 minutes x 2,000 bytes of performance events
    expect(line("Container Insights").fixedUsd).toBeCloseTo(30 * 0.3 + 0.2628 * 0.57, 6);
    expect(line("API Gateway detailed metrics").fixedUsd).toBeCloseTo(15 * 0.3, 6);
    expect(line("CloudWatch alarms").fixedUsd).toBeCloseTo(0.4, 6);
    expect(bill.fixedUsd).toBeCloseTo(
      3 * taskMonth + 2 * 0.0252 * 730 + 0.5256 * 0.4 + 30 * 0.3 + 0.2628 * 0.57 + 4.5 + 0.4,
      6,
    );
    expect(bill.totalUsd).toBeCloseTo(bill.fixedUsd + bill.perRequestUsd, 9);
    expect(bill.warnings).toEqual([]);
  });

  it("cost: without result expiry, storage is one month of items and the detail says it grows", () => {
    const profile = { rps: 10, payloadBytes: 768, readsPerRequest: 0 };
    const dynamo = (infra: Infra) =>
      computeBill(profile, inputs, infra, prices).lines.find((l) => l.component === "DynamoDB")!;
    const forever = dynamo({ ...exampleInfra, resultRetentionDays: null });
    expect(forever.perRequestUsd).toBeCloseTo(26.28 * 0.7068 + 28.40868 * (0.283 + 0.224), 6);
    expect(forever.detail).toMatch(/never expire: storage grows every month/);
    expect(dynamo(exampleInfra).detail).toMatch(/expire after 7 days \(\+ 2 days TTL lag\): steady state/);
  });

  it("cost: read units per GET follow the read mode and the hit share; eventual first pays above half hits", () => {
    const reads = (mode: string | undefined, profile: { readsPerRequest: number; hitShare?: number }) => {
      const environment: Record<string, string> = mode ? { READ_CONSISTENCY: mode } : {};
      const api = { ...exampleInfra.services.api, environment };
      const infra = { ...exampleInfra, services: { ...exampleInfra.services, api }, resultRetentionDays: null };
      const bill = computeBill({ rps: 10, payloadBytes: 768, ...profile }, inputs, infra, prices);
      const usd = bill.lines.find((l) => l.component === "DynamoDB")!.perRequestUsd - 26.28 * 0.7068 - 28.40868 * 0.507;
      return usd / (26.28 * profile.readsPerRequest * 0.1413);
    };
    // Strong: one unit per GET whatever the hits.
    expect(reads("strong", { readsPerRequest: 4 })).toBeCloseTo(1, 9);
    // Eventual first: 0.5 per hit, 1.5 per miss. Four GETs per request, read until found: 1 hit in 4.
    expect(reads("eventual_first", { readsPerRequest: 4 })).toBeCloseTo(0.25 * 0.5 + 0.75 * 1.5, 9);
    expect(reads(undefined, { readsPerRequest: 4 })).toBeCloseTo(1.25, 9);
    expect(reads("eventual_first", { readsPerRequest: 4, hitShare: 0.5 })).toBeCloseTo(1, 9);
    expect(reads("eventual_first", { readsPerRequest: 0.5 })).toBeCloseTo(0.5, 9);
  });

  it("cost: logs follow each group's class, the api's sample rate and the access-log format's variables", () => {
    const logsUsd = (infra: Infra) =>
      computeBill({ rps: 10, payloadBytes: 768, readsPerRequest: 1 }, inputs, infra, prices).lines.find(
        (l) => l.component === "CloudWatch Logs",
      )!.perRequestUsd;
    const storage = 12 * 0.15 * 0.03;
    const standard = { ...exampleInfra, logClasses: { ...exampleInfra.logClasses, api: "STANDARD" as const } };
    expect(logsUsd(standard)).toBeCloseTo(5.256 * (0.57 + storage) + 3.57408 * (0.285 + storage), 6);
    const api = { ...exampleInfra.services.api, environment: { REQUEST_LOG_SAMPLE_RATE: "0.01" } };
    const sampled = { ...exampleInfra, services: { ...exampleInfra.services, api } };
    expect(logsUsd(sampled)).toBeCloseTo((0.05256 + 3.57408) * (0.285 + storage), 6);
    // The stack's format: 188 bytes of keys and punctuation, the 11 variables at their expected sizes, a newline.
    expect(accessLogLineBytes(ACCESS_LOG_FORMAT, 14)).toBe(188 + (36 + 13 + 10 + 31 + 3 + 3 + 2 + 3 + 2 + 1 + 1) + 1);
    expect(accessLogLineBytes('{"x":"$context.unlisted"}', 14)).toBe(8 + 14 + 1);
  });

  it("cost: arm64 tasks cost the price ratio of x86_64 ones, read from the task definition", () => {
    const api = { ...exampleInfra.services.api, cpuArchitecture: "ARM64" };
    const infra = { ...exampleInfra, services: { ...exampleInfra.services, api } };
    const fargateApi = computeBill({ rps: 0, payloadBytes: 768, readsPerRequest: 1 }, inputs, infra, prices).lines.find(
      (l) => l.component === "Fargate api",
    )!;
    expect(fargateApi.fixedUsd).toBeCloseTo(2 * 0.8 * (0.25 * 0.04048 + 0.5 * 0.004445) * 730, 6);
    expect(fargateApi.detail).toMatch(/^2 arm64 task\(s\)/);
    const arm = infraFromSynth(synthApp({ cpu_architecture: "arm64" }).main);
    expect([arm.services.api.cpuArchitecture, arm.services.processor.cpuArchitecture]).toEqual(["ARM64", "ARM64"]);
  });

  it("cost: X-Ray traces recorded are the services' samples when no stage traces, each also scanned once", () => {
    const traced = (rate: string, service: "api" | "processor") => ({
      ...exampleInfra.services[service],
      environment: { ...exampleInfra.services[service].environment, TRACE_SAMPLE_RATE: rate },
    });
    const infra = { ...exampleInfra, services: { api: traced("0.05", "api"), processor: traced("0.1", "processor") } };
    const xray = computeBill({ rps: 10, payloadBytes: 768, readsPerRequest: 2 }, inputs, infra, prices).lines.find(
      (l) => l.component === "X-Ray traces",
    )!;
    // 26.28 million POSTs x 0.1 + 52.56 million GETs x 0.05 = 5.256 million traces, at $5 + $0.50 per million.
    expect(xray).toMatchObject({ fixedUsd: 0, perRequestUsd: expect.closeTo(5.256 * 5.5, 6) });
    expect(xray.detail).toBe(
      "5.256 million traces recorded: 0 by API Gateway (an estimate of its default sampling rule: 1 request/s + 5% of the rest, per API), 2.628 more by the processor (POST x 0.1 outside them), each scanned 1x",
    );
    const untraced = computeBill({ rps: 10, payloadBytes: 768, readsPerRequest: 2 }, inputs, exampleInfra, prices);
    expect(untraced.lines.map((l) => l.component)).not.toContain("X-Ray traces");
  });

  it("cost: traced stages add API Gateway's default rule (1/s + 5% of the rest, per API); the api follows it, the processor samples the rest", () => {
    const S = prices.assumptions.secondsPerMonth;
    const withRate = (rate: string, service: "api" | "processor") => ({
      ...exampleInfra.services[service],
      environment: { ...exampleInfra.services[service].environment, TRACE_SAMPLE_RATE: rate },
    });
    const stagesOnly = { ...exampleInfra, gatewayTracing: { ingest: true, query: true } };
    const bill = (infra: Infra, rps: number) =>
      computeBill({ rps, payloadBytes: 768, readsPerRequest: 2 }, inputs, infra, prices).lines.find(
        (l) => l.component === "X-Ray traces",
      );
    // 10 POST/s: 1 + 0.05 x 9 = 1.45 a second; 20 GET/s: 1 + 0.05 x 19 = 1.95 a second. Services off: nothing more.
    expect(bill(stagesOnly, 10)!.perRequestUsd).toBeCloseTo(((3.4 * S) / 1e6) * 5.5, 6);
    expect(bill(stagesOnly, 10)!.detail).toMatch(/^8\.935 million traces recorded: 8\.935 by API Gateway .* 0 more/);
    // Below the reservoir every request is traced: 0.25 POST/s and 0.5 GET/s.
    expect(bill(stagesOnly, 0.25)!.perRequestUsd).toBeCloseTo(((0.75 * S) / 1e6) * 5.5, 6);
    expect(gatewayTracesPerMonth(0, S)).toBe(0);
    expect(gatewayTracesPerMonth(S, S)).toBeCloseTo(S, 6);
    // The processor at 0.1 adds 10% of the 8.55 untraced POSTs a second; the api (at any rate) adds no trace.
    const both = {
      ...stagesOnly,
      services: { api: withRate("0.5", "api"), processor: withRate("0.1", "processor") },
    };
    expect(bill(both, 10)!.perRequestUsd).toBeCloseTo((((3.4 + 0.855) * S) / 1e6) * 5.5, 6);
    // The synthesized stages always trace, whatever tracing.sample_rate says.
    expect(infraFromSynth(synthApp({ tracing: { sample_rate: 0 } }).main).gatewayTracing).toEqual({
      ingest: true,
      query: true,
    });
  });

  it("cost: the trace collector's CPU reservation is not the service's: more tasks for the same work", () => {
    const processor = { ...exampleInfra.services.processor, sidecarCpu: 64 };
    const infra = { ...exampleInfra, services: { ...exampleInfra.services, processor } };
    const fargate = (i: Infra) =>
      computeBill({ rps: 100, payloadBytes: 768, readsPerRequest: 0 }, inputs, i, prices).lines.find(
        (l) => l.component === "Fargate processor",
      )!;
    // 100 req/s x 2 ms = 0.2 vCPU: 2 tasks of 0.25 vCPU at 70% (0.175 each), 2 of the 0.1875 left beside the collector.
    const taskMonth = (0.25 * 0.04048 + 0.5 * 0.004445) * 730;
    expect(fargate(exampleInfra).perRequestUsd).toBeCloseTo(taskMonth, 6);
    // 0.2 / (0.1875 x 0.7 = 0.13125) = 1.52: still 2 tasks; at 150 req/s 0.3 vCPU: 2 without, 3 with the collector.
    const at150 = (i: Infra) =>
      computeBill({ rps: 150, payloadBytes: 768, readsPerRequest: 0 }, inputs, i, prices).lines.find(
        (l) => l.component === "Fargate processor",
      )!;
    expect(at150(exampleInfra).perRequestUsd).toBeCloseTo(taskMonth, 6);
    expect(at150(infra).perRequestUsd).toBeCloseTo(2 * taskMonth, 6);
    expect(at150(infra).detail).toMatch(/of 256 CPU \(64 for the trace collector\) \/ 512 MiB always; 3 at this load/);
    const synthesized = infraFromSynth(synthApp().main);
    expect([synthesized.services.api.sidecarCpu, synthesized.services.processor.sidecarCpu]).toEqual([64, 64]);
    expect(synthesized.services.api.environment.TRACE_SAMPLE_RATE).toBe("0.05");
  });

  it("cost: with Fargate Spot, tasks above the on-demand base are split by weight and Spot ones priced at the ratio", () => {
    const processor = { ...exampleInfra.services.processor, minTasks: 1, spot: { onDemandBase: 1, spotWeight: 3 } };
    const infra = { ...exampleInfra, services: { ...exampleInfra.services, processor } };
    // 500 req/s x 2 ms = 1 vCPU of work: 6 tasks of 0.25 vCPU at 70%; 1 on demand, then 5 split 1:3 (1.25 : 3.75).
    const line = computeBill({ rps: 500, payloadBytes: 768, readsPerRequest: 0 }, inputs, infra, prices).lines.find(
      (l) => l.component === "Fargate processor",
    )!;
    const taskMonth = (0.25 * 0.04048 + 0.5 * 0.004445) * 730;
    expect(line.fixedUsd).toBeCloseTo(taskMonth, 6);
    expect(line.perRequestUsd).toBeCloseTo((1.25 + 3.75 * 0.3) * taskMonth, 6);
    const spot = infraFromSynth(synthApp({ processor_spot_weight: 3 }).main);
    expect([spot.services.processor.spot, spot.services.api.spot]).toEqual([{ onDemandBase: 1, spotWeight: 3 }, null]);
  });

  it("cost: traffic above an API's method limit is flagged, naming the API and the limit", () => {
    const limited = { ...exampleInfra, methodRateLimits: { ingest: 100, query: 150 } };
    const warnings = (rps: number, readsPerRequest: number) =>
      computeBill({ rps, payloadBytes: 768, readsPerRequest }, inputs, limited, prices).warnings;
    expect(warnings(100, 1.5)).toEqual([]);
    expect(warnings(101, 1)).toEqual([
      "ingest API: 101 requests/s is above its method limit of 100/s (throttle_rate_limit): API Gateway answers the rest with 429, and this bill prices every request as served",
    ]);
    expect(warnings(100, 1.51)[0]).toMatch(/^query API: 151 requests\/s is above its method limit of 150\/s/);
    expect(infraFromSynth(synthApp().main).methodRateLimits).toEqual({ ingest: 100, query: 100 });
  });

  it("cost: the same inputs give the same bill", () => {
    const profile = { rps: 500, payloadBytes: 2_000, readsPerRequest: 3 };
    expect(computeBill(profile, inputs, exampleInfra, prices)).toEqual(
      computeBill(profile, inputs, exampleInfra, prices),
    );
  });

  it("cost: a web ACL costs its monthly fee and rules fixed, and every POST and GET inspected", () => {
    const profile = { rps: 10, payloadBytes: 768, readsPerRequest: 1 };
    const bill = computeBill(profile, inputs, { ...exampleInfra, webAclRules: [4] }, prices);
    const waf = bill.lines.find((l) => l.component === "WAF")!;
    const calls = (10 + 10) * prices.assumptions.secondsPerMonth;
    expect(waf.fixedUsd).toBeCloseTo(5 + 4 * 1, 6);
    expect(waf.perRequestUsd).toBeCloseTo((calls / 1e6) * 0.6, 6);
    expect(computeBill(profile, inputs, exampleInfra, prices).lines.map((l) => l.component)).not.toContain("WAF");
  });

  it("cost: a load beyond the tasks the stack allows is flagged, naming the service", () => {
    const bill = computeBill(
      { rps: 500, payloadBytes: 768, readsPerRequest: 1 },
      { ...inputs, api: { ...inputs.api, cpuMsPerRequest: 5 } },
      exampleInfra,
      prices,
    );
    expect(bill.warnings.join("\n")).toMatch(
      /api: this load needs 15 tasks .* above the 2 the stack allows \(services\.api\)/,
    );
  });

  it("cost: reads the example stack's billable resources from the synthesized JSON", () => {
    const infra = infraFromSynth(synthApp().main);
    // What the operations add: alarms (some on several metrics), one dashboard, the alarm topic's KMS key.
    expect(infra).toMatchObject({
      ...exampleInfra,
      alarmMetrics: 29,
      dashboards: 1,
      kmsKeys: 1,
      // The example's web ACL: three managed rule groups and the rate rule.
      webAclRules: [4],
      services: expect.anything(),
      stages: expect.any(Array),
      // Both stages trace (API Gateway's own X-Ray traces).
      gatewayTracing: { ingest: true, query: true },
    });
    expect(infra.services.api).toMatchObject({ cpu: 256, memory: 512, minTasks: 2, maxTasks: 10 });
    expect(infra.services.processor).toMatchObject({ cpu: 256, memory: 512, minTasks: 1, maxTasks: 10 });
    expect(infra.services.processor.environment).toMatchObject({ POLL_CONCURRENCY: "4", WAIT_TIME_SECONDS: "20" });
    expect(infra.stages.map((s) => [s.methods, s.detailedMetrics])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("cost: fails when an option is missing or malformed, naming each flag and what it expects", () => {
    const problems = (argv: string[]) => {
      const line = parseCommandLine(COST_COMMAND, argv);
      if (line.kind !== "run") return [line.text.split("\n")[0]];
      try {
        costOptions(line);
      } catch (error) {
        if (error instanceof UsageError) return error.problems;
        throw error;
      }
      throw new Error("costOptions accepted bad arguments");
    };
    expect(problems(["--rps", "ten", "--payload-bytes", "768.5"])).toEqual([
      '--rps: got "ten", expected a number from 0 to 100000',
      '--payload-bytes: got "768.5", expected a whole number from 2 to 262144',
      "--reads-per-request: required",
    ]);
    expect(problems(["--rps", "1", "--bogus", "1"])).toEqual([
      "npm run cost: unknown option --bogus; unexpected argument 1",
    ]);
    const line = parseCommandLine(COST_COMMAND, [
      "--rps=0",
      "--payload-bytes",
      "768",
      "--reads-per-request",
      "2",
      "--json",
    ]);
    expect(line.kind === "run" && costOptions(line)).toEqual({
      profile: { rps: 0, payloadBytes: 768, readsPerRequest: 2 },
      json: true,
      varFile: "terraform.tfvars.json",
    });
    // --hit-share is optional, and checked like the others when given.
    const shared = (share: string) =>
      problems(["--rps", "1", "--payload-bytes", "2", "--reads-per-request", "1", "--hit-share", share]);
    expect(shared("1.5")).toEqual(['--hit-share: got "1.5", expected a number from 0 to 1']);
    const withShare = parseCommandLine(COST_COMMAND, [
      "--rps",
      "1",
      "--payload-bytes",
      "2",
      "--reads-per-request",
      "1",
      "--hit-share",
      "0.25",
    ]);
    expect(withShare.kind === "run" && costOptions(withShare).profile).toEqual({
      rps: 1,
      payloadBytes: 2,
      readsPerRequest: 1,
      hitShare: 0.25,
    });
  });

  it("cost: fails when docs/cost-inputs.json lacks a figure, naming the field and the bench that writes it", () => {
    const dir = mkdtempSync(join(tmpdir(), "cost-inputs-"));
    try {
      const file = join(dir, "cost-inputs.json");
      writeFileSync(
        file,
        JSON.stringify({
          processor: { cpuMsPerMessage: 1, sqsRequestsPerMessage: 0.2, logBytesPerMessage: 0 },
          api: { cpuMsPerRequest: "fast" },
        }),
      );
      expect(() => loadCostInputs(pathToFileURL(file))).toThrow(
        /api\.cpuMsPerRequest: got "fast", expected a number >= 0 \(npm run bench:api writes it\)/,
      );
      expect(() => loadCostInputs(pathToFileURL(file))).toThrow(/api\.responseBytesPerRequest: got null/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("cost: the tracked docs/cost-inputs.json is complete, so the bill works on a fresh clone", () => {
    expect(() => loadCostInputs()).not.toThrow();
  });
});
