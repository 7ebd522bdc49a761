import { Construct } from "constructs";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { HOPS, TABLE_OPERATIONS, type Hop, type MonitoredResources, type RestApiStageRef } from "./alarms.js";

export interface DashboardProps extends MonitoredResources {
  readonly name: string;
  readonly region: string;
  readonly deadLetterQueue: SqsQueue;
  /** Each hop's alarms, shown at the end of its row. */
  readonly alarms: Readonly<Record<Hop, readonly CloudwatchMetricAlarm[]>>;
}

/** Titles of the rows, in request-path order (the runbook's "which widget" names these). */
export const HOP_TITLES: Readonly<Record<Hop, string>> = {
  ingest: "1. Ingest API (POST /requests)",
  queue: "2. SQS request queue and DLQ",
  processor: "3. processor (ECS)",
  table: "4. DynamoDB results table",
  ingress: "5. NLB -> ALB",
  api: "6. api (ECS)",
  query: "7. Query API (GET /requests/{id})",
};

/** Row 5's title when the private path has no NLB (`private_integration: "alb"`). */
export const ALB_ONLY_INGRESS_TITLE = "5. VPC Link v2 -> ALB";

/** A CloudWatch dashboard metric line: namespace, name, dimension pairs, then options. */
type MetricLine = (string | Record<string, unknown>)[];
interface Graph {
  readonly title: string;
  readonly metrics: MetricLine[];
  readonly stat?: string;
}

const ROW_HEIGHT = 6;

/**
 * One dashboard, one row per hop of the request path (ingest API -> SQS -> processor -> DynamoDB -> NLB/ALB -> api
 * -> query API). Each row: the hop's name, two graphs of its golden signals (traffic and errors; latency or
 * saturation) and the state of its alarms, so a red alarm sits next to the graph that explains it.
 */
export class Dashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    const apiGraphs = ({ api, stage }: RestApiStageRef): Graph[] => {
      const dims = ["ApiName", api.name, "Stage", stage.stageName];
      return [
        {
          title: "Requests and errors",
          stat: "Sum",
          metrics: [
            ["AWS/ApiGateway", "Count", ...dims],
            ["AWS/ApiGateway", "4XXError", ...dims],
            ["AWS/ApiGateway", "5XXError", ...dims],
          ],
        },
        {
          title: "Latency p50 / p99 (ms)",
          metrics: [
            ["AWS/ApiGateway", "Latency", ...dims, { stat: "p50" }],
            ["AWS/ApiGateway", "Latency", ...dims, { stat: "p99" }],
            ["AWS/ApiGateway", "IntegrationLatency", ...dims, { stat: "p99" }],
          ],
        },
      ];
    };
    const queueDims = ["QueueName", props.queue.name];
    const tasks = (service: EcsService): Graph => {
      const dims = ["ClusterName", props.cluster.name, "ServiceName", service.name];
      return {
        title: "Tasks running / desired",
        metrics: [
          ["ECS/ContainerInsights", "RunningTaskCount", ...dims, { stat: "Minimum" }],
          ["ECS/ContainerInsights", "DesiredTaskCount", ...dims, { stat: "Maximum" }],
        ],
      };
    };
    const cpuMemory = (service: EcsService): Graph => {
      const dims = ["ClusterName", props.cluster.name, "ServiceName", service.name];
      return {
        title: "CPU and memory (% of reservation)",
        stat: "Average",
        metrics: [
          ["AWS/ECS", "CPUUtilization", ...dims],
          ["AWS/ECS", "MemoryUtilization", ...dims],
        ],
      };
    };
    const albDims = ["TargetGroup", props.serviceTargetGroup.arnSuffix, "LoadBalancer", props.alb.arnSuffix];

    const graphs: Record<Hop, Graph[]> = {
      ingest: apiGraphs(props.ingestApi),
      queue: [
        {
          title: "Sent / deleted per minute, DLQ depth",
          stat: "Sum",
          metrics: [
            ["AWS/SQS", "NumberOfMessagesSent", ...queueDims],
            ["AWS/SQS", "NumberOfMessagesDeleted", ...queueDims],
            [
              "AWS/SQS",
              "ApproximateNumberOfMessagesVisible",
              "QueueName",
              props.deadLetterQueue.name,
              { stat: "Maximum", label: "DLQ visible" },
            ],
          ],
        },
        {
          title: "Backlog: visible, in flight, oldest age (s)",
          stat: "Maximum",
          metrics: [
            ["AWS/SQS", "ApproximateNumberOfMessagesVisible", ...queueDims],
            ["AWS/SQS", "ApproximateNumberOfMessagesNotVisible", ...queueDims],
            ["AWS/SQS", "ApproximateAgeOfOldestMessage", ...queueDims, { yAxis: "right" }],
          ],
        },
      ],
      processor: [
        tasks(props.processorService),
        cpuMemory(props.processorService),
        {
          title: "Backlog per task (the scaling metric)",
          metrics: [
            [{ expression: "visible / running", label: "messages visible per running task", id: "backlog" }],
            [
              "AWS/SQS",
              "ApproximateNumberOfMessagesVisible",
              ...queueDims,
              { id: "visible", stat: "Sum", visible: false },
            ],
            [
              "ECS/ContainerInsights",
              "RunningTaskCount",
              "ClusterName",
              props.cluster.name,
              "ServiceName",
              props.processorService.name,
              { id: "running", stat: "Average", visible: false },
            ],
          ],
        },
      ],
      table: [
        {
          title: "Consumed capacity, throttles, system errors",
          stat: "Sum",
          metrics: [
            ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", props.table.name],
            ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", props.table.name],
            ...TABLE_OPERATIONS.flatMap((operation) => [
              ["AWS/DynamoDB", "ThrottledRequests", "TableName", props.table.name, "Operation", operation],
              ["AWS/DynamoDB", "SystemErrors", "TableName", props.table.name, "Operation", operation],
            ]),
          ],
        },
        {
          title: "Request latency by operation (ms)",
          stat: "Average",
          metrics: TABLE_OPERATIONS.map((operation) => [
            "AWS/DynamoDB",
            "SuccessfulRequestLatency",
            "TableName",
            props.table.name,
            "Operation",
            operation,
          ]),
        },
      ],
      ingress: [
        {
          title: "ALB requests, target and ALB 5xx",
          stat: "Sum",
          metrics: [
            ["AWS/ApplicationELB", "RequestCount", ...albDims],
            ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", ...albDims],
            ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", props.alb.arnSuffix],
          ],
        },
        {
          title: props.nlb
            ? "Healthy targets: ALB behind the NLB, tasks behind the ALB"
            : "Healthy targets: tasks behind the ALB",
          stat: "Minimum",
          metrics: [
            ...(props.nlb
              ? [
                  [
                    "AWS/NetworkELB",
                    "HealthyHostCount",
                    "TargetGroup",
                    props.nlb.albTargetGroup.arnSuffix,
                    "LoadBalancer",
                    props.nlb.loadBalancer.arnSuffix,
                    { label: "NLB: healthy ALB" },
                  ],
                ]
              : []),
            ["AWS/ApplicationELB", "HealthyHostCount", ...albDims, { label: "ALB: healthy api tasks" }],
            [
              "AWS/ApplicationELB",
              "UnHealthyHostCount",
              ...albDims,
              { stat: "Maximum", label: "ALB: unhealthy api tasks" },
            ],
          ],
        },
      ],
      api: [
        tasks(props.apiService),
        cpuMemory(props.apiService),
        {
          title: "Response time seen by the ALB, p50 / p99 (s)",
          metrics: [
            ["AWS/ApplicationELB", "TargetResponseTime", ...albDims, { stat: "p50" }],
            ["AWS/ApplicationELB", "TargetResponseTime", ...albDims, { stat: "p99" }],
          ],
        },
      ],
      query: apiGraphs(props.queryApi),
    };

    const widgets = HOPS.flatMap((hop, row) => {
      const y = row * ROW_HEIGHT;
      const rowGraphs = graphs[hop];
      const graphWidth = Math.floor(14 / rowGraphs.length);
      return [
        {
          type: "text",
          x: 0,
          y,
          width: 4,
          height: ROW_HEIGHT,
          properties: { markdown: `## ${hop === "ingress" && !props.nlb ? ALB_ONLY_INGRESS_TITLE : HOP_TITLES[hop]}` },
        },
        ...rowGraphs.map((graph, index) => ({
          type: "metric",
          x: 4 + index * graphWidth,
          y,
          width: graphWidth,
          height: ROW_HEIGHT,
          properties: {
            title: graph.title,
            region: props.region,
            view: "timeSeries",
            period: 60,
            ...(graph.stat ? { stat: graph.stat } : {}),
            metrics: graph.metrics,
          },
        })),
        {
          type: "alarm",
          x: 18,
          y,
          width: 6,
          height: ROW_HEIGHT,
          properties: { title: "Alarms", alarms: props.alarms[hop].map((alarm) => alarm.arn) },
        },
      ];
    });
    this.dashboard = new CloudwatchDashboard(this, "dashboard", {
      dashboardName: props.name,
      dashboardBody: JSON.stringify({ widgets }),
    });
  }
}
