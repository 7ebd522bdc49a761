import type { Construct } from "constructs";
import { dependable } from "cdktf";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { PERIOD, type AlarmSpec, type Thresholds } from "./alarm-spec.js";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { MonitoredResources } from "./monitored-resources.js";

/**
 * The alarms that mean "this release is bad", per service: each deployment rolls back when one of them goes into
 * ALARM. Left out on purpose: alarms a Spot reclaim or scaling trips (tasks below desired), alarms that breach on
 * missing data (a new or idle service would roll back its first deployment), and the DLQ alarm (it stays in ALARM
 * until someone redrives the DLQ, so it would roll back every later deployment too). docs/OPERATIONS.md has the why.
 */
export const ROLLBACK_ALARM_KEYS = {
  api: ["alb-target-5xx-rate", "alb-target-p99-latency", "alb-unhealthy-hosts"],
  processor: ["processor-error-rate"],
} as const;

/** The alarm names each service's deployment watches: `<prefix>-<key>`, as `Alarms` names them. */
export function rollbackAlarmNames(prefix: string, service: keyof typeof ROLLBACK_ALARM_KEYS): string[] {
  return ROLLBACK_ALARM_KEYS[service].map((key) => `${prefix}-${key}`);
}

/**
 * Each service is created after the alarms its deployments watch (ECS names them, it does not reference them): a
 * first deployment then never starts before its rollback alarms exist.
 */
export function holdRolloutsToAlarms(
  services: Record<keyof typeof ROLLBACK_ALARM_KEYS, { readonly service: EcsService }>,
  alarmsByKey: Readonly<Record<string, CloudwatchMetricAlarm>>,
) {
  for (const [name, keys] of Object.entries(ROLLBACK_ALARM_KEYS) as [
    keyof typeof ROLLBACK_ALARM_KEYS,
    readonly string[],
  ][]) {
    const service = services[name].service;
    service.dependsOn = [...(service.dependsOn ?? []), ...keys.map((key) => dependable(alarmsByKey[key]!))];
  }
}

/** The processor's error count: one per log line at pino level `error` (50) or worse, 0 for any other line. */
export const PROCESSOR_ERRORS_METRIC = "ProcessorErrors";

/** Counts the processor's error log lines into `<prefix>/ProcessorErrors` (the error-rate alarm's numerator). */
export function processorErrorMetric(scope: Construct, prefix: string, logs: CloudwatchLogGroup): void {
  new CloudwatchLogMetricFilter(scope, "processor-errors", {
    name: `${prefix}-processor-errors`,
    logGroupName: logs.name,
    pattern: "{ $.level >= 50 }",
    metricTransformation: { name: PROCESSOR_ERRORS_METRIC, namespace: prefix, value: "1", unit: "Count" },
  });
}

/** The two release alarms the other alarm files do not have: the api's latency at the ALB, the processor's errors. */
export function releaseAlarms(
  { alb, queue, prefix }: Pick<MonitoredResources, "alb" | "queue"> & { readonly prefix: string },
  t: Thresholds,
): AlarmSpec[] {
  return [
    {
      hop: "api",
      key: "alb-target-p99-latency",
      meaning: `The api tasks' p99 response time at the ALB exceeded ${t.alb_target_p99_latency_ms} ms in 3 of the last 5 minutes`,
      // Load-balancer level: the ALB has no other targets, and a percentile cannot be summed over two target groups.
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName: "TargetResponseTime",
        dimensions: { LoadBalancer: alb.arnSuffix },
        extendedStatistic: "p99",
      },
      threshold: t.alb_target_p99_latency_ms / 1000,
      comparison: "GreaterThanThreshold",
      window: [3, 5],
      missingData: "notBreaching",
    },
    {
      hop: "processor",
      key: "processor-error-rate",
      meaning: `The processor logged errors for more than ${t.processor_error_percent}% of the messages it received in 3 of the last 5 minutes`,
      metric: [
        {
          id: "errors",
          metric: { namespace: prefix, metricName: PROCESSOR_ERRORS_METRIC, stat: "Sum", period: PERIOD },
        },
        {
          id: "received",
          metric: {
            namespace: "AWS/SQS",
            metricName: "NumberOfMessagesReceived",
            dimensions: { QueueName: queue.name },
            stat: "Sum",
            period: PERIOD,
          },
        },
        {
          id: "rate",
          expression: "IF(FILL(received, 0) > 0, 100 * FILL(errors, 0) / received, 0)",
          label: "processor errors per received message %",
          returnData: true,
        },
      ],
      threshold: t.processor_error_percent,
      comparison: "GreaterThanThreshold",
      window: [3, 5],
      missingData: "notBreaching",
    },
  ];
}
