import type { CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { PERIOD, type AlarmSpec, type Thresholds } from "./alarm-spec.js";
import type { MonitoredResources } from "./monitored-resources.js";

/**
 * The private path to the api tasks (hop `ingress`: the NLB if any, the ALB's target 5xx and unhealthy tasks) and
 * the api's heartbeat (hop `api`: no healthy task behind the ALB).
 */
export function ingressAlarms(
  { nlb, alb, serviceTargetGroup }: Pick<MonitoredResources, "nlb" | "alb" | "serviceTargetGroup">,
  t: Thresholds,
): AlarmSpec[] {
  const albDimensions = { TargetGroup: serviceTargetGroup.arnSuffix, LoadBalancer: alb.arnSuffix };
  const albMetric = (id: string, metricName: string): CloudwatchMetricAlarmMetricQuery => ({
    id,
    metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: albDimensions, stat: "Sum", period: PERIOD },
  });
  const nlbAlarms: AlarmSpec[] = nlb
    ? [
        {
          hop: "ingress",
          key: "nlb-alb-unhealthy",
          meaning: "The NLB sees no healthy ALB behind it: every query API request fails",
          metric: {
            namespace: "AWS/NetworkELB",
            metricName: "HealthyHostCount",
            dimensions: { TargetGroup: nlb.albTargetGroup.arnSuffix, LoadBalancer: nlb.loadBalancer.arnSuffix },
            statistic: "Minimum",
          },
          threshold: 1,
          comparison: "LessThanThreshold",
          window: [2, 2],
          // Health checks run (and are reported) every minute with or without traffic: no data is a broken path.
          missingData: "breaching",
        },
      ]
    : [];
  return [
    ...nlbAlarms,
    {
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
    },
    {
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
    },
    {
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
    },
  ];
}
