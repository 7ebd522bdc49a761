import { Construct } from "constructs";
import {
  CloudwatchMetricAlarm,
  type CloudwatchMetricAlarmMetricQuery,
} from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import type { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import type { Config } from "../config/schema.js";
import { runbookLink } from "./runbook.js";

/** The hops of the request path, in order: the dashboard has one row per hop, each with that hop's alarms. */
export const HOPS = ["ingest", "queue", "processor", "table", "ingress", "api", "query"] as const;
export type Hop = (typeof HOPS)[number];

/**
 * DynamoDB operations the two services call (apps/processor/src/store.ts: a conditional PutItem per item;
 * apps/api/src/requests-table.ts: GetItem). DynamoDB reports throttles and system errors per operation, so the
 * alarms sum exactly these.
 */
export const TABLE_OPERATIONS = ["GetItem", "PutItem"] as const;

export interface RestApiStageRef {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
}

/** The resources the alarms and the dashboard watch. */
export interface MonitoredResources {
  readonly ingestApi: RestApiStageRef;
  readonly queryApi: RestApiStageRef;
  readonly queue: SqsQueue;
  readonly table: DynamodbTable;
  readonly cluster: EcsCluster;
  readonly apiService: EcsService;
  readonly processorService: EcsService;
  readonly alb: Lb;
  /** The ALB's ip target group the api tasks register in. */
  readonly serviceTargetGroup: LbTargetGroup;
  /** The NLB and its target group holding the ALB. @default no NLB in the private path: no NLB alarm or graph */
  readonly nlb?: { readonly loadBalancer: Lb; readonly albTargetGroup: LbTargetGroup } | null;
}

export interface AlarmsProps extends MonitoredResources {
  /** Alarm name prefix, e.g. `orders-prod`. */
  readonly prefix: string;
  /** Every alarm notifies this topic when it goes into ALARM and back to OK. */
  readonly topicArn: string;
  readonly thresholds: Config["alarms"];
}

type MissingData = "breaching" | "notBreaching";
type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold";

interface SingleMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly statistic?: string;
  readonly extendedStatistic?: string;
}

interface AlarmSpec {
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
const PERIOD = 60;

/**
 * The alarm set of the main stack (the DLQ alarm lives with the queue). Each alarm's dimensions are references to
 * the resources it watches, never names typed twice, so a renamed resource cannot leave an alarm watching nothing.
 */
export class Alarms extends Construct {
  /** The alarms of each hop, in creation order (the dashboard's alarm widgets). */
  readonly byHop = Object.fromEntries(HOPS.map((hop) => [hop, []])) as unknown as Record<Hop, CloudwatchMetricAlarm[]>;

  constructor(scope: Construct, id: string, props: AlarmsProps) {
    super(scope, id);
    const t = props.thresholds;
    const apiDimensions = ({ api, stage }: RestApiStageRef) => ({ ApiName: api.name, Stage: stage.stageName });

    for (const [hop, name, ref, latencyMs] of [
      ["ingest", "ingest", props.ingestApi, t.ingest_p99_latency_ms],
      ["query", "query", props.queryApi, t.query_p99_latency_ms],
    ] as const) {
      this.alarm(props, {
        hop,
        key: `${name}-5xx-rate`,
        meaning: `More than ${t.api_5xx_percent}% of ${name} API requests answered 5xx in 3 of the last 5 minutes`,
        // The Average of 5XXError is the share of requests that failed (each request counts 0 or 1).
        metric: {
          namespace: "AWS/ApiGateway",
          metricName: "5XXError",
          dimensions: apiDimensions(ref),
          statistic: "Average",
        },
        threshold: t.api_5xx_percent / 100,
        comparison: "GreaterThanThreshold",
        window: [3, 5],
        missingData: "notBreaching",
      });
      this.alarm(props, {
        hop,
        key: `${name}-p99-latency`,
        meaning: `The ${name} API's p99 latency stayed above ${latencyMs} ms for 5 minutes`,
        metric: {
          namespace: "AWS/ApiGateway",
          metricName: "Latency",
          dimensions: apiDimensions(ref),
          extendedStatistic: "p99",
        },
        threshold: latencyMs,
        comparison: "GreaterThanThreshold",
        window: [5, 5],
        missingData: "notBreaching",
      });
    }

    const queueMetric = (id: string, metricName: string, stat: string): CloudwatchMetricAlarmMetricQuery => ({
      id,
      metric: { namespace: "AWS/SQS", metricName, dimensions: { QueueName: props.queue.name }, stat, period: PERIOD },
    });
    this.alarm(props, {
      hop: "queue",
      key: "queue-oldest-message",
      meaning: `A message has waited in the request queue for more than ${t.queue_oldest_message_seconds} s`,
      metric: {
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: props.queue.name },
        statistic: "Maximum",
      },
      threshold: t.queue_oldest_message_seconds,
      comparison: "GreaterThanThreshold",
      window: [3, 3],
      missingData: "notBreaching",
    });
    this.alarm(props, {
      hop: "processor",
      key: "processor-stalled",
      meaning: `Messages were waiting and none was deleted (processed) for ${t.processor_stalled_minutes} minutes`,
      metric: [
        queueMetric("visible", "ApproximateNumberOfMessagesVisible", "Maximum"),
        queueMetric("deleted", "NumberOfMessagesDeleted", "Sum"),
        {
          id: "stalled",
          // SQS may skip a zero data point; a missing delete count during a backlog is a stall, not a gap.
          expression: "IF(FILL(visible, 0) > 0 AND FILL(deleted, 0) == 0, 1, 0)",
          label: "backlog with no deletes (1 = stalled)",
          returnData: true,
        },
      ],
      threshold: 1,
      comparison: "GreaterThanOrEqualToThreshold",
      window: [t.processor_stalled_minutes, t.processor_stalled_minutes],
      missingData: "notBreaching",
    });

    for (const [hop, service] of [
      ["processor", props.processorService],
      ["api", props.apiService],
    ] as const) {
      const taskMetric = (id: string, metricName: string, stat: string): CloudwatchMetricAlarmMetricQuery => ({
        id,
        metric: {
          namespace: "ECS/ContainerInsights",
          metricName,
          dimensions: { ClusterName: props.cluster.name, ServiceName: service.name },
          stat,
          period: PERIOD,
        },
      });
      this.alarm(props, {
        hop,
        key: `${hop}-tasks-below-desired`,
        meaning: `The ${hop} service ran fewer tasks than desired for ${t.tasks_below_desired_minutes} minutes`,
        metric: [
          taskMetric("running", "RunningTaskCount", "Minimum"),
          taskMetric("desired", "DesiredTaskCount", "Maximum"),
          { id: "missing", expression: "desired - running", label: "tasks missing", returnData: true },
        ],
        threshold: 0,
        comparison: "GreaterThanThreshold",
        window: [t.tasks_below_desired_minutes, t.tasks_below_desired_minutes],
        // Container Insights reports both counts every minute, busy or idle: no data means no cluster, no service
        // or no Container Insights, and none of those may stay silent.
        missingData: "breaching",
      });
    }

    for (const [key, metricName, threshold, what] of [
      ["table-throttled-requests", "ThrottledRequests", t.dynamodb_throttled_requests, "throttled requests"],
      ["table-system-errors", "SystemErrors", t.dynamodb_system_errors, "system errors (HTTP 500 from DynamoDB)"],
    ] as const) {
      const perOperation = TABLE_OPERATIONS.map((operation, index) => ({
        id: `op${index}`,
        metric: {
          namespace: "AWS/DynamoDB",
          metricName,
          dimensions: { TableName: props.table.name, Operation: operation },
          stat: "Sum",
          period: PERIOD,
        },
      }));
      this.alarm(props, {
        hop: "table",
        key,
        meaning: `More than ${threshold} ${what} per minute on the results table in 3 of the last 5 minutes`,
        metric: [
          ...perOperation,
          {
            id: "total",
            expression: perOperation.map((m) => `FILL(${m.id}, 0)`).join(" + "),
            label: `${metricName}, all operations`,
            returnData: true,
          },
        ],
        threshold,
        comparison: "GreaterThanThreshold",
        window: [3, 5],
        missingData: "notBreaching",
      });
    }

    if (props.nlb) {
      this.alarm(props, {
        hop: "ingress",
        key: "nlb-alb-unhealthy",
        meaning: "The NLB sees no healthy ALB behind it: every query API request fails",
        metric: {
          namespace: "AWS/NetworkELB",
          metricName: "HealthyHostCount",
          dimensions: {
            TargetGroup: props.nlb.albTargetGroup.arnSuffix,
            LoadBalancer: props.nlb.loadBalancer.arnSuffix,
          },
          statistic: "Minimum",
        },
        threshold: 1,
        comparison: "LessThanThreshold",
        window: [2, 2],
        // Health checks run (and are reported) every minute with or without traffic: no data is a broken path.
        missingData: "breaching",
      });
    }
    const albDimensions = { TargetGroup: props.serviceTargetGroup.arnSuffix, LoadBalancer: props.alb.arnSuffix };
    const albMetric = (id: string, metricName: string): CloudwatchMetricAlarmMetricQuery => ({
      id,
      metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: albDimensions, stat: "Sum", period: PERIOD },
    });
    this.alarm(props, {
      hop: "ingress",
      key: "alb-target-5xx-rate",
      meaning: `More than ${t.alb_target_5xx_percent}% of the ALB's requests got a 5xx from the api tasks in 3 of the last 5 minutes`,
      metric: [
        albMetric("errors", "HTTPCode_Target_5XX_Count"),
        albMetric("requests", "RequestCount"),
        // The ALB publishes the 5xx count only when there is one: FILL makes a quiet minute 0%, not no data.
        { id: "rate", expression: "100 * FILL(errors, 0) / requests", label: "target 5xx %", returnData: true },
      ],
      threshold: t.alb_target_5xx_percent,
      comparison: "GreaterThanThreshold",
      window: [3, 5],
      missingData: "notBreaching",
    });
    this.alarm(props, {
      hop: "ingress",
      key: "alb-unhealthy-hosts",
      meaning: `More than ${t.alb_unhealthy_hosts} api task(s) failed the ALB health check for 3 minutes`,
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "UnHealthyHostCount",
        dimensions: albDimensions,
        statistic: "Maximum",
      },
      threshold: t.alb_unhealthy_hosts,
      comparison: "GreaterThanThreshold",
      window: [3, 3],
      // The zero-healthy case is api-no-healthy-hosts' job (it treats no data as breaching).
      missingData: "notBreaching",
    });
    this.alarm(props, {
      hop: "api",
      key: "api-no-healthy-hosts",
      meaning: "No api task passes the ALB health check: the query API cannot answer",
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "HealthyHostCount",
        dimensions: albDimensions,
        statistic: "Minimum",
      },
      threshold: 1,
      comparison: "LessThanThreshold",
      window: [2, 2],
      // The api's heartbeat: health checks run every 15 s with or without traffic, so silence means dead, not idle.
      missingData: "breaching",
    });
  }

  private alarm(props: AlarmsProps, spec: AlarmSpec): CloudwatchMetricAlarm {
    const [datapoints, periods] = spec.window;
    const metric = Array.isArray(spec.metric)
      ? { metricQuery: spec.metric as CloudwatchMetricAlarmMetricQuery[] }
      : { ...(spec.metric as SingleMetric), period: PERIOD };
    const alarm = new CloudwatchMetricAlarm(this, spec.key, {
      alarmName: `${props.prefix}-${spec.key}`,
      alarmDescription: `${spec.meaning}. ${runbookLink(spec.key)}`,
      ...metric,
      threshold: spec.threshold,
      comparisonOperator: spec.comparison,
      evaluationPeriods: periods,
      datapointsToAlarm: datapoints,
      treatMissingData: spec.missingData,
      alarmActions: [props.topicArn],
      okActions: [props.topicArn],
    });
    this.byHop[spec.hop].push(alarm);
    return alarm;
  }
}
