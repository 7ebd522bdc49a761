import type { Config } from "./schema.js";
import { accessWarnings } from "./capacity.js";

/**
 * Valid settings that are likely to hurt later: printed as warnings (synth, policy, cost and local still run), since
 * each has a legitimate use.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.private_integration === "alb" && config.load_balancer_subnet_ids === null)
    warnings.push(
      'private_integration "alb" without load_balancer_subnet_ids: the VPC Link v2 takes, per AZ, the tagged private subnet with the lowest id, and cannot change subnets in place, so tagging another subnet later replaces it. Pin them: docs/PRIVATE-NETWORKING.md#pin-the-load-balancer-subnets',
    );
  warnings.push(...accessWarnings(config));
  const collector = collectorImageWarning(config);
  if (collector) warnings.push(collector);
  return warnings;
}

/**
 * With `vpc_endpoints` the tasks' egress reaches only the endpoints, so a trace collector image outside this region's
 * ECR cannot be pulled: the collector (not essential) never starts, the services run on, and no trace reaches X-Ray.
 */
export function collectorImageWarning(config: Config): string | undefined {
  const { sample_rate: rate, collector_image: image } = config.tracing;
  if (!config.vpc_endpoints || rate <= 0) return undefined;
  const registry = new RegExp(`^\\d{12}\\.dkr\\.ecr\\.${config.region}\\.amazonaws\\.com(\\.cn)?/`);
  if (registry.test(image)) return undefined;
  return `tracing.collector_image ${image} is not in this account's ECR in ${config.region}, and with vpc_endpoints the tasks have no internet to pull it: no trace will reach X-Ray. Point it at an ECR pull-through cache of ECR Public or a copy (docs/OPERATIONS.md#traces), or set tracing.sample_rate to 0`;
}
