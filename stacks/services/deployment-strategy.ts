import type { EcsServiceConfig, EcsServiceDeploymentConfiguration } from "@cdktf/provider-aws/lib/ecs-service";
import type { Deployment } from "../../config/deployment-fields.js";

/** What `FargateService` sets on the ECS service for a rollout: the strategy and the alarms that roll it back. */
export type ServiceRollout = Required<Pick<EcsServiceConfig, "deploymentConfiguration" | "alarms" | "timeouts">>;

/** The provider's own update timeout of an ECS service. */
const PROVIDER_UPDATE_MINUTES = 20;

/** Minutes a deployment runs after its new tasks are up: the strategy's traffic steps and bake times. */
export function rolloutMinutes(deployment: Deployment): number {
  switch (deployment.strategy) {
    case "rolling":
      return 0;
    case "blue_green":
      return deployment.bake_minutes;
    case "canary":
      return deployment.canary_bake_minutes + deployment.bake_minutes;
    case "linear":
      return Math.ceil(100 / deployment.step_percent) * deployment.step_bake_minutes + deployment.bake_minutes;
  }
}

/** Strategies that move traffic between two target groups (and so need an `ApiTrafficShift`). */
export function shiftsTraffic(deployment: Deployment): boolean {
  return deployment.strategy !== "rolling";
}

/**
 * The ECS `deployment_configuration` of a configured deployment. `rolling` is written out too: the provider keeps
 * the block's values when it is left out (Optional and Computed), so leaving it out would not switch a service back.
 */
export function deploymentConfiguration(deployment: Deployment): EcsServiceDeploymentConfiguration {
  switch (deployment.strategy) {
    case "rolling":
      return { strategy: "ROLLING" };
    case "blue_green":
      return { strategy: "BLUE_GREEN", bakeTimeInMinutes: String(deployment.bake_minutes) };
    case "canary":
      return {
        strategy: "CANARY",
        bakeTimeInMinutes: String(deployment.bake_minutes),
        canaryConfiguration: {
          canaryPercent: deployment.canary_percent,
          canaryBakeTimeInMinutes: String(deployment.canary_bake_minutes),
        },
      };
    case "linear":
      return {
        strategy: "LINEAR",
        bakeTimeInMinutes: String(deployment.bake_minutes),
        linearConfiguration: {
          stepPercent: deployment.step_percent,
          stepBakeTimeInMinutes: String(deployment.step_bake_minutes),
        },
      };
  }
}

/** The service's rollout settings: the strategy, and a rollback whenever one of `alarmNames` goes into ALARM. */
export function serviceRollout(deployment: Deployment, alarmNames: readonly string[]): ServiceRollout {
  return {
    deploymentConfiguration: deploymentConfiguration(deployment),
    alarms: { alarmNames: [...alarmNames], enable: true, rollback: true },
    // Where an apply waits for steady state (alb mode), it waits through the steps and bake times too.
    timeouts: { update: `${PROVIDER_UPDATE_MINUTES + rolloutMinutes(deployment)}m` },
  };
}
