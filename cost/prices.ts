import { readFileSync } from "node:fs";

/** The price table (cost/prices.json): one region, every price with its source; read once, frozen. */

export interface Price {
  readonly usd: number;
  readonly unit: string;
  readonly source: string;
}

export interface PriceTable {
  readonly region: string;
  readonly read: string;
  readonly prices: Readonly<Record<PriceName, Price>>;
  readonly assumptions: Readonly<Record<AssumptionName, number>>;
}

export type PriceName =
  | "fargateVcpuHour"
  | "fargateGbHour"
  | "fargateArmPriceRatio"
  | "fargateSpotPriceRatio"
  | "albHour"
  | "albLcuHour"
  | "nlbHour"
  | "nlbNlcuHour"
  | "vpcLinkHour"
  | "interfaceEndpointAzHour"
  | "restApiMillionRequests"
  | "sqsMillionRequests"
  | "dynamoMillionWriteUnits"
  | "dynamoMillionReadUnits"
  | "dynamoStorageGbMonth"
  | "dynamoPitrGbMonth"
  | "logsIngestGb"
  | "logsIngestGbInfrequentAccess"
  | "logsStorageGbMonth"
  | "metricMonth"
  | "alarmMonth"
  | "dashboardMonth"
  | "wafWebAclMonth"
  | "wafRuleMonth"
  | "wafMillionRequests"
  | "kmsKeyMonth"
  | "kmsTenThousandRequests"
  | "xrayMillionTracesRecorded"
  | "xrayMillionTracesRetrieved";

export type AssumptionName =
  | "hoursPerMonth"
  | "secondsPerMonth"
  | "logsCompressionRatio"
  | "containerInsightsMetricsPerCluster"
  | "containerInsightsMetricsPerService"
  | "containerInsightsLogBytesPerTaskMinute"
  | "albLcuNewConnectionsPerSecond"
  | "albLcuActiveConnections"
  | "albLcuRuleEvaluationsPerSecond"
  | "albLcuProcessedGbPerHour"
  | "nlbNlcuNewFlowsPerSecond"
  | "nlbNlcuActiveFlows"
  | "nlbNlcuProcessedGbPerHour"
  | "apiResponseBytes"
  | "apiGatewayConnectionReuse"
  | "accessLogValueBytes"
  | "storedMonthsOfItems"
  | "apiGatewayDetailedMetricsPerMethod"
  | "targetCpuUtilization"
  | "assumedAzs"
  | "dynamoItemOverheadBytes"
  | "ttlDeletionLagDays"
  | "daysPerYear"
  | "xrayScansPerRecordedTrace";

export function loadPrices(file: URL = new URL("./prices.json", import.meta.url)): PriceTable {
  const table = JSON.parse(readFileSync(file, "utf8")) as PriceTable;
  for (const [name, price] of Object.entries(table.prices)) {
    if (typeof price.usd !== "number" || !(price.usd >= 0))
      throw new Error(`cost/prices.json: prices.${name}.usd must be a number >= 0`);
    if (!/^https:\/\//.test(price.source))
      throw new Error(`cost/prices.json: prices.${name}.source must be an https link`);
  }
  return Object.freeze(table);
}

export interface TaskSize {
  /** Fargate CPU units (1024 = 1 vCPU). */
  readonly cpu: number;
  /** MiB. */
  readonly memory: number;
  /** The task definition's runtime platform. @default "X86_64" */
  readonly cpuArchitecture?: string;
}

/** What one task costs per second of its whole allocation. */
export function taskCostPerSecond(prices: PriceTable, task: TaskSize): number {
  const p = prices.prices;
  const ratio = task.cpuArchitecture === "ARM64" ? p.fargateArmPriceRatio.usd : 1;
  return (ratio * ((task.cpu / 1024) * p.fargateVcpuHour.usd + (task.memory / 1024) * p.fargateGbHour.usd)) / 3600;
}

/**
 * The price of one CPU-second of work on a task of this size: a second of one vCPU plus the memory that comes with it
 * (the task's memory per vCPU). Work measured in CPU-ms is priced this way as if the tasks were sized to it.
 */
export function cpuSecondCost(prices: PriceTable, task: TaskSize): number {
  return taskCostPerSecond(prices, task) / (task.cpu / 1024);
}

/** Per-message units a queue consumer is billed for. */
export interface ConsumerUnits {
  readonly cpuMsPerMessage: number;
  readonly sqsRequestsPerMessage: number;
  readonly writeUnitsPerMessage: number;
  readonly logBytesPerMessage: number;
}

/** AWS variable cost of consuming one million messages, by component. */
export function consumerCostPerMillion(prices: PriceTable, task: TaskSize, units: ConsumerUnits) {
  const p = prices.prices;
  const fargate = (units.cpuMsPerMessage / 1_000) * cpuSecondCost(prices, task) * 1e6;
  const sqs = units.sqsRequestsPerMessage * p.sqsMillionRequests.usd;
  const dynamodb = units.writeUnitsPerMessage * p.dynamoMillionWriteUnits.usd;
  const logs =
    ((units.logBytesPerMessage * 1e6) / 1e9) *
    (p.logsIngestGb.usd + prices.assumptions.logsCompressionRatio * p.logsStorageGbMonth.usd);
  return { fargate, sqs, dynamodb, logs, total: fargate + sqs + dynamodb + logs };
}
