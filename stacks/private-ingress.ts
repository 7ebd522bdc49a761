import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { ApiGatewayVpcLink } from "@cdktf/provider-aws/lib/api-gateway-vpc-link";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { ALB_SSL_POLICY, HEALTH_CHECK_PATH, HTTPS_PORT } from "./defaults.js";
import { allowHop, securityGroup } from "./security-groups.js";

export interface PrivateIngressProps {
  /** Name prefix for the load balancers, groups and link; at most 28 characters (the config enforces it): ELB names stop at 32. */
  readonly name: string;
  readonly vpcId: string;
  /** Private subnets for both load balancers: one per AZ, in two or more AZs (AWS refuses two in one AZ). */
  readonly subnetIds: string[];
  /** ACM certificate the ALB listener presents; its domain is what API Gateway verifies. */
  readonly certificateArn: string;
  /** Port the api containers listen on. */
  readonly targetPort: number;
  /** Refuse deletion of both load balancers. @default true */
  readonly deletionProtection?: boolean;
  /** S3 bucket for the ALB's access logs. @default no access logs */
  readonly accessLogsBucket?: string | null;
}

/**
 * The private path from API Gateway to the api tasks:
 * VPC Link -> internal NLB (TCP 443, TLS passes through) -> internal ALB (HTTPS 443, terminates TLS) -> ip targets.
 * API Gateway REST VPC Links can only target an NLB; the ALB behind it adds TLS termination with an ACM
 * certificate, HTTP health checks and header hygiene.
 */
export class PrivateIngress extends Construct {
  readonly nlb: Lb;
  readonly alb: Lb;
  readonly vpcLink: ApiGatewayVpcLink;
  readonly albSecurityGroup: SecurityGroup;
  /** The ip target group the api ECS service registers its tasks in. */
  readonly serviceTargetGroup: LbTargetGroup;
  /** The ALB's HTTPS listener, which forwards to `serviceTargetGroup`. */
  readonly albListener: LbListener;
  /** The NLB's target group holding the ALB (its health is the private path's end-to-end health). */
  readonly albTargetGroup: LbTargetGroup;

  constructor(scope: Construct, id: string, props: PrivateIngressProps) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? true;
    // No inbound rules: the NLB serves only the VPC Link, whose PrivateLink traffic is exempt from them (see the NLB).
    // Anything else in the VPC is refused, so nobody can skip API Gateway's keys, throttling and WAF.
    const nlbSecurityGroup = securityGroup(this, "nlb-sg", `${props.name}-nlb`, props.vpcId, "Query API NLB: VPC Link (PrivateLink) only");
    this.albSecurityGroup = securityGroup(this, "alb-sg", `${props.name}-alb`, props.vpcId, "Query API ALB: HTTPS from the NLB only");

    allowHop(this, "nlb-to-alb", { from: nlbSecurityGroup, to: this.albSecurityGroup, port: HTTPS_PORT, description: "NLB to ALB, HTTPS" });

    this.alb = new Lb(this, "alb", {
      name: `${props.name}-alb`,
      loadBalancerType: "application",
      internal: true,
      subnets: props.subnetIds,
      securityGroups: [this.albSecurityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: deletionProtection,
      ...(props.accessLogsBucket
        ? { accessLogs: { bucket: props.accessLogsBucket, prefix: `${props.name}-alb`, enabled: true } }
        : {}),
    });
    this.serviceTargetGroup = new LbTargetGroup(this, "service-tg", {
      // Replaced before destroyed (the listener always needs a target group), so named by prefix: a fixed name would
      // collide with the group being replaced. AWS allows 6 characters of prefix; the Name tag has the full name.
      namePrefix: "api-",
      tags: { Name: `${props.name}-api` },
      targetType: "ip",
      protocol: "HTTP",
      port: props.targetPort,
      vpcId: props.vpcId,
      deregistrationDelay: "30",
      healthCheck: { path: HEALTH_CHECK_PATH, protocol: "HTTP", matcher: "200", interval: 15, healthyThreshold: 2, unhealthyThreshold: 3 },
      lifecycle: { createBeforeDestroy: true },
    });
    this.albListener = new LbListener(this, "alb-https", {
      loadBalancerArn: this.alb.arn,
      protocol: "HTTPS",
      port: HTTPS_PORT,
      sslPolicy: ALB_SSL_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: "forward", targetGroupArn: this.serviceTargetGroup.arn }],
    });

    this.nlb = new Lb(this, "nlb", {
      name: `${props.name}-nlb`,
      loadBalancerType: "network",
      internal: true,
      subnets: props.subnetIds,
      securityGroups: [nlbSecurityGroup.id],
      // VPC Link traffic arrives over PrivateLink with API Gateway's own client addresses, which no rule could name;
      // with enforcement on, every request would be dropped. Only the VPC Link sends PrivateLink traffic here, and
      // everything else is held to the (empty) inbound rules.
      enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
      enableCrossZoneLoadBalancing: true,
      // No access logs: an NLB writes them only for TLS listeners, and this one passes TLS through on TCP.
      enableDeletionProtection: deletionProtection,
    });
    const albTargetGroup = new LbTargetGroup(this, "alb-tg", {
      // Replaced before destroyed, like the service group: the NLB listener always needs a target group, and a fixed
      // name would collide with the group being replaced.
      namePrefix: "alb-",
      tags: { Name: `${props.name}-alb` },
      lifecycle: { createBeforeDestroy: true },
      targetType: "alb",
      protocol: "TCP",
      port: HTTPS_PORT,
      vpcId: props.vpcId,
      healthCheck: { path: HEALTH_CHECK_PATH, protocol: "HTTPS", port: String(HTTPS_PORT), matcher: "200" },
    });
    this.albTargetGroup = albTargetGroup;
    new LbTargetGroupAttachment(this, "alb-tg-attachment", {
      targetGroupArn: albTargetGroup.arn,
      targetId: this.alb.arn,
      port: HTTPS_PORT,
      // An ALB can only be registered once it has a listener on the target group's port.
      dependsOn: [this.albListener],
    });
    // Documented exception to "TLS on every listener": TCP passes TLS through untouched to the ALB, which terminates it.
    new LbListener(this, "nlb-tcp", {
      loadBalancerArn: this.nlb.arn,
      protocol: "TCP",
      port: HTTPS_PORT,
      defaultAction: [{ type: "forward", targetGroupArn: albTargetGroup.arn }],
    });

    this.vpcLink = new ApiGatewayVpcLink(this, "vpc-link", {
      name: `${props.name}-vpc-link`,
      description: "Query API to the internal NLB",
      targetArns: [this.nlb.arn],
    });
  }
}
