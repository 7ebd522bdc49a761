import { TerraformStack } from "cdktf";
import { DataAwsRouteTables } from "@cdktf/provider-aws/lib/data-aws-route-tables";
import { PRIVATE_TIER_TAG, type Network } from "./network.js";

/** The check's name, as `terraform plan` warns with it and the plan JSON's `checks` list it. */
export const PRIVATE_SUBNETS_CHECK = "private_subnets_are_private";

const tagged = `${PRIVATE_TIER_TAG.key}=${PRIVATE_TIER_TAG.value}`;

/**
 * Warns when a subnet tagged `tier=private` is in fact public: it gives instances public IPs
 * (`map_public_ip_on_launch`), or its route table (its own, else the VPC's main one) routes to an internet gateway.
 * The tasks get no public IP either way, but a mistagged subnet usually means the tags are wrong, and so are the
 * places the load balancers and tasks land. A Terraform `check` (cdktf has no construct for it): the plan goes on and
 * shows the warning, so a VPC whose owner decided otherwise is not blocked.
 */
export function checkPrivateSubnetsArePrivate(network: Network): void {
  const details = network.privateSubnetDetails.fqn;
  const routeTables = network.privateRouteTables();
  const internetRouted = new DataAwsRouteTables(network, "internet-route-table", {
    vpcId: network.vpc.id,
    // EC2 filters take wildcards: any route whose target is an internet gateway.
    filter: [{ name: "route.gateway-id", values: ["igw-*"] }],
  });
  const publicIpSubnets = `[for subnet in ${details} : subnet.id if subnet.map_public_ip_on_launch]`;
  const exposedTables = `setintersection(${routeTables}, ${internetRouted.fqn}.ids)`;
  TerraformStack.of(network).addOverride(`check.${PRIVATE_SUBNETS_CHECK}`, {
    assert: [
      {
        condition: `\${length(${publicIpSubnets}) == 0}`,
        error_message: `Subnets tagged ${tagged} give instances public IPs (map_public_ip_on_launch): \${join(", ", ${publicIpSubnets})}. Turn that off or retag them.`,
      },
      {
        condition: `\${length(${exposedTables}) == 0}`,
        error_message: `Route tables of subnets tagged ${tagged} route to an internet gateway, so those subnets are public: \${join(", ", ${exposedTables})}. Retag the subnets or route them through a NAT gateway.`,
      },
    ],
  });
}
