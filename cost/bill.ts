import { defaultHitShare, dynamoLine } from "./dynamodb-line.js";
import { logsLine } from "./logs-line.js";
import { xrayLine } from "./xray-line.js";
import type { Infra } from "./infra.js";
import { tasksCostPerSecond } from "./fargate.js";
import type { PriceTable } from "./prices.js";

/**
 * The monthly bill for one traffic profile: pure arithmetic over the measured per-request figures
 * (docs/cost-inputs.json), the synthesized stack (cost/infra.ts) and the price table (cost/prices.json). Same inputs,
 * same bill. Each component has a fixed part (paid at zero traffic) and a part that grows with the requests.
 */

export interface Profile {
  /** Requests accepted per second (POST /requests: one message, one item each). */
  readonly rps: number;
  /** Request body bytes. */
  readonly payloadBytes: number;
  /** GET /requests/{id} calls per accepted request. */
  readonly readsPerRequest: number;
  /** Share of those GETs that find their item. @default each client reads until found: 1 / readsPerRequest, at most 1 */
  readonly hitShare?: number;
}

/** The measured figures the bill uses (docs/cost-inputs.json), per message and per GET. */
export interface CostInputs {
  readonly processor: {
    readonly cpuMsPerMessage: number;
    readonly sqsRequestsPerMessage: number;
    readonly logBytesPerMessage: number;
  };
  readonly api: {
    readonly cpuMsPerRequest: number;
    readonly logBytesPerRequest: number;
    readonly responseBytesPerRequest: number;
  };
  /** Stored item bytes minus body bytes (ids, timestamps, status, summary, DynamoDB's map overhead). */
  readonly itemOverheadBytes: number;
}

export interface BillLine {
  readonly component: string;
  readonly fixedUsd: number;
  readonly perRequestUsd: number;
  readonly detail: string;
}

export interface Bill {
  readonly profile: Profile;
  readonly region: string;
  readonly pricesRead: string;
  readonly lines: readonly BillLine[];
  readonly fixedUsd: number;
  readonly perRequestUsd: number;
  readonly totalUsd: number;
  readonly warnings: readonly string[];
}

const GB = 1e9;
const MILLION = 1e6;
const SQS_CHUNK_BYTES = 64 * 1024;

export function computeBill(profile: Profile, inputs: CostInputs, infra: Infra, prices: PriceTable): Bill {
  const p = prices.prices;
  const a = prices.assumptions;
  const S = a.secondsPerMonth;
  const H = a.hoursPerMonth;
  const messages = profile.rps * S;
  const getsPerSecond = profile.rps * profile.readsPerRequest;
  const gets = getsPerSecond * S;
  const itemBytes = profile.payloadBytes + inputs.itemOverheadBytes;
  const warnings: string[] = [];
  const lines: BillLine[] = [];
  const line = (component: string, fixedUsd: number, perRequestUsd: number, detail: string) =>
    lines.push({ component, fixedUsd, perRequestUsd, detail });
  // The same limits synth checks against capacity: traffic above them is refused (429), not billed as served.
  for (const [api, rate] of [
    ["ingest", profile.rps],
    ["query", getsPerSecond],
  ] as const) {
    const limit = infra.methodRateLimits[api];
    if (limit !== null && rate > limit)
      warnings.push(
        `${api} API: ${round(rate, 3)} requests/s is above its method limit of ${limit}/s (throttle_rate_limit): API Gateway answers the rest with 429, and this bill prices every request as served`,
      );
  }

  // Fargate: the tasks always running are fixed; the load adds whole tasks once CPU demand passes the target share.
  for (const [name, cpuMsPerUnit, unitsPerSecond] of [
    ["api", inputs.api.cpuMsPerRequest, getsPerSecond],
    ["processor", inputs.processor.cpuMsPerMessage, profile.rps],
  ] as const) {
    const svc = infra.services[name];
    const month = (tasks: number) => tasksCostPerSecond(prices, svc, tasks) * S;
    const demandVcpu = (unitsPerSecond * cpuMsPerUnit) / 1_000;
    // The trace collector's reservation is not the service's to use.
    const serviceVcpu = (svc.cpu - svc.sidecarCpu) / 1024;
    const needed = Math.max(svc.minTasks, Math.ceil(demandVcpu / (serviceVcpu * a.targetCpuUtilization)));
    if (needed > svc.maxTasks) {
      warnings.push(
        `${name}: this load needs ${needed} tasks of ${svc.cpu} CPU units, above the ${svc.maxTasks} the stack allows (services.${name})`,
      );
    }
    line(
      `Fargate ${name}`,
      month(svc.minTasks),
      month(needed) - month(svc.minTasks),
      `${svc.minTasks} ${svc.cpuArchitecture === "ARM64" ? "arm64 " : ""}task(s)${svc.spot ? ` (Fargate Spot above ${svc.spot.onDemandBase} on demand, ${svc.spot.spotWeight}:1)` : ""} of ${svc.cpu} CPU${svc.sidecarCpu ? ` (${svc.sidecarCpu} for the trace collector)` : ""} / ${svc.memory} MiB always; ${needed} at this load (${round(demandVcpu, 3)} vCPU of work at ${cpuMsPerUnit} ms each)`,
    );
  }

  const lbGbPerHour = (getsPerSecond * (inputs.api.responseBytesPerRequest + 300) * 3600) / GB;
  const newConnections = getsPerSecond * (1 - a.apiGatewayConnectionReuse);
  const lcu = Math.max(newConnections / a.albLcuNewConnectionsPerSecond, lbGbPerHour / a.albLcuProcessedGbPerHour);
  const nlcu = Math.max(newConnections / a.nlbNlcuNewFlowsPerSecond, lbGbPerHour / a.nlbNlcuProcessedGbPerHour);
  line(
    "Application Load Balancer",
    infra.albs * p.albHour.usd * H,
    infra.albs * lcu * p.albLcuHour.usd * H,
    `${infra.albs} ALB; ${round(lcu, 4)} LCU at this load`,
  );
  line(
    "Network Load Balancer",
    infra.nlbs * p.nlbHour.usd * H,
    infra.nlbs * nlcu * p.nlbNlcuHour.usd * H,
    `${infra.nlbs} NLB; ${round(nlcu, 4)} NLCU at this load`,
  );
  line(
    "API Gateway VPC link",
    infra.vpcLinks * p.vpcLinkHour.usd * H,
    0,
    `${infra.vpcLinks} link(s); REST API VPC links are not billed (the NLB is)`,
  );
  if (infra.interfaceEndpoints > 0) {
    line(
      "VPC interface endpoints",
      infra.interfaceEndpoints * a.assumedAzs * p.interfaceEndpointAzHour.usd * H,
      0,
      `${infra.interfaceEndpoints} endpoint(s) x ${a.assumedAzs} AZs`,
    );
  }
  line(
    "API Gateway (REST)",
    0,
    ((messages + gets) / MILLION) * p.restApiMillionRequests.usd,
    `${round((messages + gets) / MILLION, 3)} million calls (POST + GET)`,
  );
  if (infra.webAclRules.length > 0) {
    const rules = infra.webAclRules.reduce((n, count) => n + count, 0);
    line(
      "WAF",
      infra.webAclRules.length * p.wafWebAclMonth.usd + rules * p.wafRuleMonth.usd,
      ((messages + gets) / MILLION) * p.wafMillionRequests.usd,
      `${infra.webAclRules.length} web ACL(s), ${rules} rules; every call inspected`,
    );
  }

  const sendsPerMessage = Math.max(1, Math.ceil(profile.payloadBytes / SQS_CHUNK_BYTES));
  const wait = Number(infra.services.processor.environment.WAIT_TIME_SECONDS ?? 20);
  const loops = Number(infra.services.processor.environment.POLL_CONCURRENCY ?? 4);
  // Idle, each poll loop of each task returns an empty long poll every WAIT_TIME_SECONDS: billed requests.
  const idlePolls = (infra.services.processor.minTasks * loops * S) / wait;
  line(
    "SQS",
    (idlePolls / MILLION) * p.sqsMillionRequests.usd,
    ((messages * (sendsPerMessage + inputs.processor.sqsRequestsPerMessage)) / MILLION) * p.sqsMillionRequests.usd,
    `${round(idlePolls / MILLION, 3)} million empty long polls idle; ${sendsPerMessage} send + ${inputs.processor.sqsRequestsPerMessage} consumer requests per message`,
  );

  if (!infra.onDemandTable) warnings.push("the table is not on-demand: DynamoDB is priced as if it were");
  const dynamo = dynamoLine(
    { items: messages, gets, itemBytes, hitShare: profile.hitShare ?? defaultHitShare(profile.readsPerRequest) },
    infra,
    prices,
  );
  line("DynamoDB", 0, dynamo.usd, dynamo.detail);

  const logs = logsLine(
    {
      gets,
      messages,
      apiBytesPerLoggedGet: inputs.api.logBytesPerRequest,
      processorBytesPerMessage: inputs.processor.logBytesPerMessage,
    },
    infra,
    prices,
  );
  line("CloudWatch Logs", 0, logs.usd, logs.detail);
  const xray = xrayLine({ messages, gets, secondsPerMonth: S }, infra, prices);
  if (xray) line("X-Ray traces", 0, xray.usd, xray.detail);

  const tasks = infra.services.api.minTasks + infra.services.processor.minTasks;
  const insightsMetrics = a.containerInsightsMetricsPerCluster + 2 * a.containerInsightsMetricsPerService;
  const insightsLogGb = (tasks * (S / 60) * a.containerInsightsLogBytesPerTaskMinute) / GB;
  if (infra.containerInsights !== "disabled") {
    line(
      "Container Insights",
      insightsMetrics * p.metricMonth.usd + insightsLogGb * p.logsIngestGb.usd,
      0,
      `${infra.containerInsights}: ~${insightsMetrics} metrics and ${round(insightsLogGb, 3)} GB of performance events for ${tasks} tasks (estimate; enhanced observability is priced differently)`,
    );
  }
  const detailedMetrics = infra.stages
    .filter((s) => s.detailedMetrics)
    .reduce((n, s) => n + s.methods * a.apiGatewayDetailedMetricsPerMethod, 0);
  line(
    "API Gateway detailed metrics",
    detailedMetrics * p.metricMonth.usd,
    0,
    `${detailedMetrics} metrics (per method and stage)`,
  );
  line("CloudWatch alarms", infra.alarmMetrics * p.alarmMonth.usd, 0, `${infra.alarmMetrics} alarm metrics`);
  line("CloudWatch dashboards", infra.dashboards * p.dashboardMonth.usd, 0, `${infra.dashboards} dashboard(s)`);
  line(
    "KMS keys",
    infra.kmsKeys * p.kmsKeyMonth.usd,
    0,
    `${infra.kmsKeys} key(s) created by the stack (SQS and DynamoDB use AWS-owned/managed keys)`,
  );

  const fixedUsd = lines.reduce((n, l) => n + l.fixedUsd, 0);
  const perRequestUsd = lines.reduce((n, l) => n + l.perRequestUsd, 0);
  return {
    profile,
    region: prices.region,
    pricesRead: prices.read,
    lines,
    fixedUsd,
    perRequestUsd,
    totalUsd: fixedUsd + perRequestUsd,
    warnings,
  };
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
