import type { AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";

type MetricChoice = Pick<
  AppautoscalingPolicyTargetTrackingScalingPolicyConfiguration,
  "predefinedMetricSpecification" | "customizedMetricSpecification"
>;

/**
 * The api's requests per task per minute, for target tracking. With one target group, AWS's predefined
 * `ALBRequestCountPerTarget` of that group. With two (ECS shifting traffic), the larger of the two groups'
 * `RequestCountPerTarget`: the live group's value between deployments (the idle group has no requests), and the
 * busier side's while traffic is split, so a deployment never looks like a quiet minute and scales the api in.
 */
export function requestsPerTaskMetric(props: {
  readonly alb: Lb;
  readonly targetGroup: LbTargetGroup;
  readonly alternateTargetGroup?: LbTargetGroup | undefined;
}): MetricChoice {
  if (!props.alternateTargetGroup) {
    return {
      predefinedMetricSpecification: {
        predefinedMetricType: "ALBRequestCountPerTarget",
        // app/<alb>/<id>/targetgroup/<group>/<id>: the form AWS requires for this metric.
        resourceLabel: `${props.alb.arnSuffix}/${props.targetGroup.arnSuffix}`,
      },
    };
  }
  const groups = [props.targetGroup, props.alternateTargetGroup];
  return {
    customizedMetricSpecification: {
      metrics: [
        ...groups.map((group, i) => ({
          id: `group${i}`,
          returnData: false,
          metricStat: {
            stat: "Sum",
            metric: {
              namespace: "AWS/ApplicationELB",
              metricName: "RequestCountPerTarget",
              dimensions: [{ name: "TargetGroup", value: group.arnSuffix }],
            },
          },
        })),
        {
          id: "perTask",
          expression: `MAX([${groups.map((_, i) => `FILL(group${i}, 0)`).join(", ")}])`,
          label: "api requests per task per minute",
          returnData: true,
        },
      ],
    },
  };
}
