import { Construct } from "constructs";
import { DataResource } from "cdktf";
import { DataAwsVpcEndpointService } from "@cdktf/provider-aws/lib/data-aws-vpc-endpoint-service";
import { DataAwsPrefixList } from "@cdktf/provider-aws/lib/data-aws-prefix-list";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { Network } from "./network.js";
import { securityGroup } from "./security-groups.js";

/**
 * Interface endpoints for every AWS API the tasks call over HTTPS:
 * - `sqs`: the processor (apps/processor/src/queue.ts: ReceiveMessage, DeleteMessageBatch, ChangeMessageVisibility);
 * - `ecr.api`, `ecr.dkr`: the execution role pulling images (the layers themselves come from S3: a gateway endpoint);
 * - `logs`: the awslogs driver;
 * - `xray` (with tracing on): the trace collector beside each task (stacks/services/trace-export.ts, PutTraceSegments).
 * DynamoDB (both services) and S3 (ECR layers) have free gateway endpoints, which go on the route tables instead.
 */
export const INTERFACE_ENDPOINT_SERVICES = ["sqs", "ecr.api", "ecr.dkr", "logs"] as const;
/** Only when tracing is on: its hourly price per AZ is paid for nothing otherwise. */
export const TRACING_ENDPOINT_SERVICE = "xray";
export const GATEWAY_ENDPOINT_SERVICES = ["s3", "dynamodb"] as const;

export interface VpcEndpointsProps {
  readonly name: string;
  readonly network: Network;
  /** The region, for the gateway services' prefix list names. */
  readonly region: string;
  /** The partition's reverse DNS prefix (`com.amazonaws`, `cn.com.amazonaws`), for the same names. */
  readonly reverseDnsPrefix: string;
  /** Tracing on (`tracing.sample_rate` > 0): the collectors call X-Ray, so an `xray` endpoint is created too. */
  readonly tracing: boolean;
  /**
   * `create`: interface and gateway endpoints with an endpoint security group. `existing`: the VPC already has them;
   * only these groups (the existing interface endpoints' groups) and the gateway prefix lists are looked up.
   */
  readonly mode:
    { readonly mode: "create" } | { readonly mode: "existing"; readonly security_group_ids: readonly string[] };
}

/** Where tasks send HTTPS for AWS APIs when endpoints are on: the task security groups egress only to these. */
export interface AwsApiEgress {
  /** Security groups of the interface endpoints. */
  readonly endpointSecurityGroupIds: readonly string[];
  /** The endpoint group this stack owns, which admits each task group on 443. @default none (existing endpoints) */
  readonly endpointSecurityGroup?: SecurityGroup;
  /** Prefix lists of the S3 and DynamoDB gateway endpoints. */
  readonly prefixListIds: readonly string[];
}

/**
 * VPC endpoints so that no task needs internet egress: interface endpoints with private DNS (so the SDKs' default
 * hostnames resolve to them) in the load balancer subnets (one per AZ, where the service is offered), gateway
 * endpoints on the private subnets' route tables, and an endpoint security group admitting 443 only from the tasks.
 * The plan stops unless the VPC has DNS support and DNS hostnames on: private DNS names need both.
 */
export class VpcEndpoints extends Construct {
  readonly egress: AwsApiEgress;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const { vpc } = props.network;
    new DataResource(this, "vpc-dns", {
      input: { vpc: vpc.id },
      lifecycle: {
        precondition: [
          {
            condition: `\${${vpc.fqn}.enable_dns_support && ${vpc.fqn}.enable_dns_hostnames}`,
            errorMessage: `vpc_endpoints needs DNS support and DNS hostnames on in the VPC (enableDnsSupport, enableDnsHostnames): without them the endpoints' private DNS names do not resolve and every AWS call leaves through NAT or fails. Turn both on, or set vpc_endpoints to null.`,
          },
        ],
      },
    });

    if (props.mode.mode === "existing") {
      // Existing gateway endpoints are reached through the regional prefix lists, whoever created the endpoints.
      const prefixListIds = GATEWAY_ENDPOINT_SERVICES.map(
        (service) =>
          new DataAwsPrefixList(this, `${service}-prefix-list`, {
            name: `${props.reverseDnsPrefix}.${props.region}.${service}`,
          }).id,
      );
      this.egress = { endpointSecurityGroupIds: [...props.mode.security_group_ids], prefixListIds };
      return;
    }

    const endpointSecurityGroup = securityGroup(
      this,
      "sg",
      `${props.name}-endpoints`,
      vpc.id,
      "VPC endpoints: HTTPS from the tasks only",
    );
    const interfaces = [...INTERFACE_ENDPOINT_SERVICES, ...(props.tracing ? [TRACING_ENDPOINT_SERVICE] : [])];
    for (const service of interfaces) {
      const id = service.replace(".", "-");
      const offered = new DataAwsVpcEndpointService(this, `${id}-service`, { service, serviceType: "Interface" });
      new VpcEndpoint(this, id, {
        vpcId: vpc.id,
        serviceName: offered.serviceName,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: props.network.loadBalancerSubnetsIn(`${offered.fqn}.availability_zones`),
        securityGroupIds: [endpointSecurityGroup.id],
        tags: { Name: `${props.name}-${id}` },
      });
    }
    const routeTableIds = props.network.privateRouteTableIds();
    const prefixListIds = GATEWAY_ENDPOINT_SERVICES.map((service) => {
      const offered = new DataAwsVpcEndpointService(this, `${service}-service`, { service, serviceType: "Gateway" });
      return new VpcEndpoint(this, service, {
        vpcId: vpc.id,
        serviceName: offered.serviceName,
        vpcEndpointType: "Gateway",
        routeTableIds,
        tags: { Name: `${props.name}-${service}` },
      }).prefixListId;
    });
    this.egress = { endpointSecurityGroupIds: [endpointSecurityGroup.id], endpointSecurityGroup, prefixListIds };
  }
}
