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
  return warnings;
}
