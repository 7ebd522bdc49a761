import type { Construct } from "constructs";
import { albCertificateTypes, lookupCertificate } from "./network/certificates.js";
import { API_CONTAINER_PORT } from "./shared/defaults.js";
import { albAccessLogsPrefix } from "../config/naming.js";
import type { MainContext } from "./main-context.js";
import { Network } from "./network/network.js";
import { PrivateIngress } from "./network/private-ingress.js";
import { checkPrivateSubnetsArePrivate } from "./network/subnet-exposure.js";
import { VpcEndpoints, type AwsApiEgress } from "./network/vpc-endpoints.js";

export interface NetworkAndIngress {
  readonly network: Network;
  /** The private path from API Gateway to the api tasks: internal ALB, and the NLB or VPC Link v2 in front of it. */
  readonly ingress: PrivateIngress;
  /** How the tasks reach AWS APIs when the stack has VPC endpoints. @default through the VPC's NAT */
  readonly awsApiEgress?: AwsApiEgress;
}

/** The existing VPC and its subnets, the private ingress to the api, and the VPC endpoints if configured. */
export function addNetworkAndIngress(
  scope: Construct,
  { config, prefix, region, reverseDnsPrefix }: MainContext,
): NetworkAndIngress {
  const network = new Network(scope, "network", {
    vpcId: config.vpc_id,
    loadBalancerSubnetIds: config.load_balancer_subnet_ids,
  });
  checkPrivateSubnetsArePrivate(network);
  const albCertificate = lookupCertificate(
    scope,
    "alb-certificate",
    config.alb_certificate_domain,
    albCertificateTypes(config.alb_certificate_issuer),
  );
  const ingress = new PrivateIngress(scope, "ingress", {
    name: prefix,
    vpcId: config.vpc_id,
    subnetIds: network.loadBalancerSubnetIds,
    certificateArn: albCertificate.arn,
    targetPort: API_CONTAINER_PORT,
    deletionProtection: config.deletion_protection,
    accessLogs: config.alb_access_logs_bucket
      ? { bucket: config.alb_access_logs_bucket, prefix: albAccessLogsPrefix(config) }
      : null,
    mode: config.private_integration,
    keepNlb: config.keep_nlb_during_migration,
  });
  const endpoints = config.vpc_endpoints
    ? new VpcEndpoints(scope, "endpoints", {
        name: prefix,
        network,
        region,
        reverseDnsPrefix,
        tracing: config.tracing.sample_rate > 0,
        mode: config.vpc_endpoints,
      })
    : undefined;
  return { network, ingress, ...(endpoints ? { awsApiEgress: endpoints.egress } : {}) };
}
