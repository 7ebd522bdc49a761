import type { Construct } from "constructs";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { HTTPS_PORT } from "../shared/defaults.js";
import { allowHop } from "../network/security-groups.js";
import type { AwsApiEgress } from "../network/vpc-endpoints.js";

/**
 * The egress of a service's task security group: HTTPS to AWS APIs, anywhere (through NAT) or only to the VPC
 * endpoints. The rules are created in the service's scope, so their addresses are the service's.
 */
export function allowAwsApiEgress(scope: Construct, group: SecurityGroup, name: string, egress?: AwsApiEgress): void {
  if (!egress) {
    // Tasks call AWS APIs (ECR, CloudWatch Logs, SQS, DynamoDB) over HTTPS, through NAT or VPC endpoints.
    new VpcSecurityGroupEgressRule(scope, "egress-https", {
      securityGroupId: group.id,
      cidrIpv4: "0.0.0.0/0",
      ipProtocol: "tcp",
      fromPort: HTTPS_PORT,
      toPort: HTTPS_PORT,
      description: "HTTPS to AWS APIs",
    });
  } else {
    // With VPC endpoints, HTTPS goes to the interface endpoints' group and the gateway endpoints' prefix lists only.
    if (egress.endpointSecurityGroup) {
      allowHop(scope, "to-endpoints", {
        from: group,
        to: egress.endpointSecurityGroup,
        port: HTTPS_PORT,
        description: `${name} tasks to VPC endpoints, HTTPS`,
      });
    } else {
      egress.endpointSecurityGroupIds.forEach((groupId, i) => {
        new VpcSecurityGroupEgressRule(scope, `to-endpoints-${i}-egress`, {
          securityGroupId: group.id,
          referencedSecurityGroupId: groupId,
          ipProtocol: "tcp",
          fromPort: HTTPS_PORT,
          toPort: HTTPS_PORT,
          description: `${name} tasks to the VPC's endpoints, HTTPS`,
        });
      });
    }
    egress.prefixListIds.forEach((prefixListId, i) => {
      new VpcSecurityGroupEgressRule(scope, `to-gateway-endpoint-${i}`, {
        securityGroupId: group.id,
        prefixListId,
        ipProtocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        description: `${name} tasks to S3/DynamoDB gateway endpoints, HTTPS`,
      });
    });
  }
}
