import { Construct } from "constructs";
import type { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { serviceScalableTarget } from "./scalable-target.js";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { Lb } from "@cdktf/provider-aws/lib/lb";
import type { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { requestsPerTaskMetric } from "./requests-per-task-metric.js";

export interface ApiScalingProps {
  readonly name: string;
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  /** The ALB and the target group the service registers in: the request-count metric is per target of this group. */
  readonly alb: Lb;
  readonly targetGroup: LbTargetGroup;
  /** The second group ECS shifts traffic to, where it does: the request metric then follows the live group. @default none */
  readonly alternateTargetGroup?: LbTargetGroup | undefined;
  readonly minCount: number;
  readonly maxCount: number;
  /** ALB requests per task per minute the service is held at. */
  readonly targetRequestsPerMinutePerTask: number;
  /** Average CPU the service is held at. */
  readonly targetCpuPercent: number;
}

/**
 * Scales the api on two target-tracking policies: requests per task (the load itself, seen before it costs CPU)
 * and CPU (for requests that got more expensive). Application Auto Scaling scales out when either asks for it and
 * scales in only when both allow it.
 */
export class ApiScaling extends Construct {
  readonly target: AppautoscalingTarget;

  constructor(scope: Construct, id: string, props: ApiScalingProps) {
    super(scope, id);
    this.target = serviceScalableTarget(this, props);
    const scalable = {
      serviceNamespace: this.target.serviceNamespace,
      scalableDimension: this.target.scalableDimension,
      resourceId: this.target.resourceId,
    };
    const cooldowns = { scaleOutCooldown: 60, scaleInCooldown: 300 };
    new AppautoscalingPolicy(this, "requests-per-task", {
      name: `${props.name}-requests-per-task`,
      policyType: "TargetTrackingScaling",
      ...scalable,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetRequestsPerMinutePerTask,
        ...requestsPerTaskMetric(props),
        ...cooldowns,
      },
    });
    new AppautoscalingPolicy(this, "cpu", {
      name: `${props.name}-cpu`,
      policyType: "TargetTrackingScaling",
      ...scalable,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: props.targetCpuPercent,
        predefinedMetricSpecification: { predefinedMetricType: "ECSServiceAverageCPUUtilization" },
        ...cooldowns,
      },
    });
  }
}
