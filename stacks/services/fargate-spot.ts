import type { Construct } from "constructs";
import type { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";

export interface SpotPlacement {
  /** Tasks always on demand (the first ones placed), which a Spot interruption cannot take away. */
  readonly onDemandBase: number;
  /** Spot tasks per on-demand task above the base. */
  readonly spotWeight: number;
}

/**
 * Places a service's tasks on Fargate Spot above an on-demand base: a capacity provider strategy instead of the
 * launch type. The cluster gets both Fargate capacity providers, which the strategy names.
 *
 * `force_new_deployment`: the provider updates a capacity provider strategy in place only with it (older provider
 * releases replace the service when a strategy first appears: docs/OPERATIONS.md#fargate-spot says how to switch).
 */
export function placeOnFargateSpot(
  scope: Construct,
  cluster: EcsCluster,
  service: EcsService,
  placement: SpotPlacement,
): EcsClusterCapacityProviders {
  const providers = new EcsClusterCapacityProviders(scope, "cluster-capacity-providers", {
    clusterName: cluster.name,
    capacityProviders: ["FARGATE", "FARGATE_SPOT"],
  });
  service.resetLaunchType();
  service.putCapacityProviderStrategy([
    { capacityProvider: "FARGATE", base: placement.onDemandBase, weight: 1 },
    { capacityProvider: "FARGATE_SPOT", weight: placement.spotWeight },
  ]);
  service.forceNewDeployment = true;
  // The strategy names providers the cluster must have first.
  service.dependsOn = [
    ...(service.dependsOn ?? []),
    `${providers.terraformResourceType}.${providers.friendlyUniqueId}`,
  ];
  return providers;
}
