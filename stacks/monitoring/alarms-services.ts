import type { CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { PERIOD, type AlarmSpec, type Thresholds } from "./alarm-spec.js";
import type { MonitoredResources } from "./monitored-resources.js";

/** The two ECS services (hops `processor` and `api`): fewer tasks running than desired. */
export function serviceAlarms(
  { cluster, processorService, apiService }: Pick<MonitoredResources, "cluster" | "processorService" | "apiService">,
  t: Thresholds,
): AlarmSpec[] {
  return (
    [
      ["processor", processorService],
      ["api", apiService],
    ] as const
  ).map(([hop, service]): AlarmSpec => {
    const taskMetric = (id: string, metricName: string, stat: string): CloudwatchMetricAlarmMetricQuery => ({
      id,
      metric: {
        namespace: "ECS/ContainerInsights",
        metricName,
        dimensions: { ClusterName: cluster.name, ServiceName: service.name },
        stat,
        period: PERIOD,
      },
    });
    return {
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
    };
  });
}
