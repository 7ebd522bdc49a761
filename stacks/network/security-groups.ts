import { Construct } from "constructs";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";

/**
 * A security group with no inline rules: every rule is its own resource, so plans show rule-level changes.
 * Replace-before-destroy keeps attached ENIs valid when the group must be recreated, so the group is named by prefix
 * (AWS appends a unique suffix): with a fixed name the replacement would be refused as a duplicate. The `Name` tag
 * carries the readable name.
 */
export function securityGroup(
  scope: Construct,
  id: string,
  name: string,
  vpcId: string,
  description: string,
): SecurityGroup {
  return new SecurityGroup(scope, id, {
    namePrefix: `${name}-`,
    description,
    vpcId,
    tags: { Name: name },
    lifecycle: { createBeforeDestroy: true },
  });
}

export interface HopProps {
  readonly from: SecurityGroup;
  readonly to: SecurityGroup;
  readonly port: number;
  readonly description: string;
}

/**
 * One network hop: `to` admits only `from` on `port`, and `from` may send only to `to` on that port.
 * Both sides are written together so a hop can never be half-open.
 */
export function allowHop(
  scope: Construct,
  id: string,
  props: HopProps,
): { ingress: VpcSecurityGroupIngressRule; egress: VpcSecurityGroupEgressRule } {
  const ingress = new VpcSecurityGroupIngressRule(scope, `${id}-ingress`, {
    securityGroupId: props.to.id,
    referencedSecurityGroupId: props.from.id,
    ipProtocol: "tcp",
    fromPort: props.port,
    toPort: props.port,
    description: props.description,
  });
  const egress = new VpcSecurityGroupEgressRule(scope, `${id}-egress`, {
    securityGroupId: props.from.id,
    referencedSecurityGroupId: props.to.id,
    ipProtocol: "tcp",
    fromPort: props.port,
    toPort: props.port,
    description: props.description,
  });
  return { ingress, egress };
}
