import type { CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { Config } from "../../config/schema.js";
import type { Hop } from "./monitored-resources.js";

/** The alarm thresholds of the configuration. */
export type Thresholds = Config["alarms"];

type MissingData = "breaching" | "notBreaching";
type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";

export interface SingleMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
}

/** One alarm, as data: the `alarms-*.ts` files return these per component and `Alarms` creates them in order. */
export interface AlarmSpec {
  readonly hop: Hop;
  /** Construct id, alarm name suffix and runbook section: choose once. */
  readonly key: string;
  /** What ALARM means, in one sentence. */
  readonly meaning: string;
  readonly threshold: number;
  readonly comparison: Comparison;
  /** One-minute periods looked at, and how many of them must breach. */
  readonly window: readonly [datapoints: number, periods: number];
  /** Per alarm: the reasons are in docs/RUNBOOK.md ("Missing data"). */
  readonly missingData: MissingData;
  readonly metric: SingleMetric | readonly CloudwatchMetricAlarmMetricQuery[];
}

/** All alarms are evaluated on one-minute data points: every metric used here is published at that resolution. */
export const PERIOD = 60;
