import type { Construct } from "constructs";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";

export interface ServiceScalingBounds {
  readonly cluster: EcsCluster;
  readonly service: EcsService;
  readonly minCount: number;
  readonly maxCount: number;
}

/** The desired count of one ECS service as an Application Auto Scaling target (`target` under `scope`). */
export function serviceScalableTarget(scope: Construct, bounds: ServiceScalingBounds): AppautoscalingTarget {
  return new AppautoscalingTarget(scope, "target", {
    serviceNamespace: "ecs",
    scalableDimension: "ecs:service:DesiredCount",
    resourceId: `service/${bounds.cluster.name}/${bounds.service.name}`,
    minCapacity: bounds.minCount,
    maxCapacity: bounds.maxCount,
  });
}
