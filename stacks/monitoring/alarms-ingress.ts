import type { CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { PERIOD, type AlarmSpec, type Thresholds } from "./alarm-spec.js";
import type { MonitoredResources } from "./monitored-resources.js";

/**
 * The private path to the api tasks (hop `ingress`: the NLB if any, the ALB's target 5xx and unhealthy tasks) and
 * the api's heartbeat (hop `api`: no healthy task behind the ALB). Where ECS shifts traffic between two target
 * groups, each alarm adds up both, so it watches whichever group is live (and both while traffic moves).
 */
export function ingressAlarms(
  resources: Pick<MonitoredResources, "nlb" | "alb" | "serviceTargetGroup" | "alternateTargetGroup">,
  t: Thresholds,
): AlarmSpec[] {
  const { nlb } = resources;
  const { queries, sum } = targetGroupSum(resources);
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
        ...queries("errors", "HTTPCode_Target_5XX_Count", "Sum"),
        ...queries("requests", "RequestCount", "Sum"),
        // The ALB publishes the 5xx count only when there is one, and an idle group publishes nothing: FILL makes
        // those 0, and a minute without requests 0%.
        {
          id: "rate",
          expression: `IF((${sum("requests")}) > 0, 100 * (${sum("errors")}) / (${sum("requests")}), 0)`,
          label: "target 5xx %",
          returnData: true,
        },
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
      metric: [
        ...queries("unhealthy", "UnHealthyHostCount", "Maximum"),
        { id: "total", expression: sum("unhealthy"), label: "unhealthy api targets", returnData: true },
      ],
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
      metric: [
        ...queries("healthy", "HealthyHostCount", "Minimum"),
        { id: "total", expression: sum("healthy"), label: "healthy api targets", returnData: true },
      ],
      threshold: 1,
      comparison: "LessThanThreshold",
      window: [2, 2],
      // The api's heartbeat: health checks run every 15 s with or without traffic, so silence means dead, not idle.
      missingData: "breaching",
    },
  ];
}

/** One metric query per api target group (`<id>0`, `<id>1`) and the FILLed sum of a set of them. */
function targetGroupSum({
  alb,
  serviceTargetGroup,
  alternateTargetGroup,
}: Pick<MonitoredResources, "alb" | "serviceTargetGroup" | "alternateTargetGroup">) {
  const groups = [serviceTargetGroup, ...(alternateTargetGroup ? [alternateTargetGroup] : [])];
  const queries = (id: string, metricName: string, stat: string): CloudwatchMetricAlarmMetricQuery[] =>
    groups.map((group, i) => ({
      id: `${id}${i}`,
      metric: {
        namespace: "AWS/ApplicationELB",
        metricName,
        dimensions: { TargetGroup: group.arnSuffix, LoadBalancer: alb.arnSuffix },
        stat,
        period: PERIOD,
      },
    }));
  const sum = (id: string) => groups.map((_, i) => `FILL(${id}${i}, 0)`).join(" + ");
  return { queries, sum };
}
