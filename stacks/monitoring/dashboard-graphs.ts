import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import {
  TABLE_OPERATIONS,
  wafDimensions,
  type Hop,
  type MonitoredResources,
  type RestApiStageRef,
} from "./monitored-resources.js";

/** A CloudWatch dashboard metric line: namespace, name, dimension pairs, then options. */
type MetricLine = (string | Record<string, unknown>)[];
export interface Graph {
  readonly title: string;
  readonly metrics: MetricLine[];
  readonly stat?: string;
}

export interface GraphedResources extends MonitoredResources {
  readonly deadLetterQueue: SqsQueue;
}

/** The graphs of each hop's row: two or three golden signals (traffic and errors; latency or saturation). */
export function hopGraphs(props: GraphedResources): Record<Hop, Graph[]> {
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
  // Load-balancer level where a sum or percentile over every api target is wanted (ECS may have moved production
  // traffic to the alternate group); per target group where health is shown.
  const albDims = ["LoadBalancer", props.alb.arnSuffix];
  const groups = [
    ["", props.serviceTargetGroup],
    ...(props.alternateTargetGroup ? [[" (alternate group)", props.alternateTargetGroup] as const] : []),
  ] as const;
  const perGroup = (metricName: string, options: Record<string, string>) =>
    groups.map(([suffix, group]) => [
      "AWS/ApplicationELB",
      metricName,
      "TargetGroup",
      group.arnSuffix,
      ...albDims,
      { ...options, label: `${options.label}${suffix}` },
    ]);

  return {
    ingest: [...apiGraphs(props.ingestApi), ...webAclGraphs(props)],
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
          ...perGroup("HealthyHostCount", { label: "ALB: healthy api tasks" }),
          ...perGroup("UnHealthyHostCount", { stat: "Maximum", label: "ALB: unhealthy api tasks" }),
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
}

/** The web ACL's verdicts on both APIs' requests: on the ingest row, the first hop a request meets. */
function webAclGraphs({ webAcl }: Pick<MonitoredResources, "webAcl">): Graph[] {
  if (!webAcl) return [];
  const dims = Object.entries(wafDimensions(webAcl)).flat();
  return [
    {
      title: "WAF (both APIs): allowed / blocked / counted",
      stat: "Sum",
      metrics: ["AllowedRequests", "BlockedRequests", "CountedRequests"].map((name) => ["AWS/WAFV2", name, ...dims]),
    },
  ];
}
