import { Construct } from "constructs";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import { LbTargetGroup, type LbTargetGroupConfig } from "@cdktf/provider-aws/lib/lb-target-group";
import { LbTargetGroupAttachment } from "@cdktf/provider-aws/lib/lb-target-group-attachment";
import { ApiGatewayVpcLink } from "@cdktf/provider-aws/lib/api-gateway-vpc-link";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { ITerraformDependable } from "cdktf";
import { ALB_SSL_POLICY, HEALTH_CHECK_PATH, HTTPS_PORT } from "../shared/defaults.js";
import { allowHop, securityGroup } from "./security-groups.js";

/**
 * An ip target group of api tasks, health-checked on HEALTH_CHECK_PATH: the ALB's own, and the alternate one a
 * traffic-shifting deployment moves to (the same settings, so ECS can move traffic both ways).
 */
export function apiTargetGroupConfig(group: { nameTag: string; port: number; vpcId: string }): LbTargetGroupConfig {
  return {
    // Replaced before destroyed (the listener always needs a target group), so named by prefix: a fixed name would
    // collide with the group being replaced. AWS allows 6 characters of prefix; the Name tag has the full name.
    namePrefix: "api-",
    tags: { Name: group.nameTag },
    targetType: "ip",
    protocol: "HTTP",
    port: group.port,
    vpcId: group.vpcId,
    deregistrationDelay: "30",
    healthCheck: {
      path: HEALTH_CHECK_PATH,
      protocol: "HTTP",
      matcher: "200",
      interval: 15,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    },
    lifecycle: { createBeforeDestroy: true },
  };
}

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
  /** Where the ALB writes its access logs. @default none */
  readonly accessLogs?: { readonly bucket: string; readonly prefix: string } | null;
  /**
   * `nlb`: VPC Link v1 -> NLB -> ALB. `alb`: VPC Link v2 (its own security group, in `subnetIds`) straight to the ALB.
   * @default "nlb"
   */
  readonly mode?: "nlb" | "alb";
  /**
   * In `alb` mode, keep the NLB and its v1 link for one deploy (the migration's middle step), with deletion
   * protection off so the next deploy can remove them. @default false
   */
  readonly keepNlb?: boolean;
}

/** What a query API integration needs to reach the ALB through whichever link this ingress has. */
export interface PrivateLink {
  /** `connection_id`: the v1 or v2 VPC link's id. */
  readonly id: string;
  /** `integration_target` (v2 links only): the load balancer the link sends to. @default none (a v1 link has one target) */
  readonly integrationTarget?: string;
  /** Resources that must exist before an integration sends traffic over the link (the ALB admitting the link). */
  readonly ready: readonly ITerraformDependable[];
}

/**
 * The private path from API Gateway to the api tasks, in one of two shapes:
 * - `nlb`: VPC Link v1 -> internal NLB (TCP 443, TLS passes through) -> internal ALB (HTTPS 443, terminates TLS) ->
 *   ip targets. v1 links can only target an NLB; the ALB behind it adds TLS termination with an ACM certificate,
 *   HTTP health checks and header hygiene.
 * - `alb`: VPC Link v2 -> internal ALB -> ip targets. The v2 link's network interfaces sit in the load balancer
 *   subnets with their own security group, which is the only one the ALB admits.
 */
export class PrivateIngress extends Construct {
  /** The NLB, where the path has one (`nlb` mode, or the migration step). */
  readonly nlb?: Lb;
  readonly alb: Lb;
  /** The VPC Link v1 to the NLB, where the path has one. */
  readonly vpcLink?: ApiGatewayVpcLink;
  /** The VPC Link v2 to the ALB (`alb` mode). */
  readonly vpcLinkV2?: Apigatewayv2VpcLink;
  /** What the query API's integrations use: the v2 link in `alb` mode, else the v1 link. */
  readonly link: PrivateLink;
  readonly albSecurityGroup: SecurityGroup;
  /** The ip target group the api ECS service registers its tasks in. */
  readonly serviceTargetGroup: LbTargetGroup;
  /** The ALB's HTTPS listener, which forwards to `serviceTargetGroup`. */
  readonly albListener: LbListener;
  /** The NLB's target group holding the ALB (its health is the private path's end-to-end health), where there is an NLB. */
  readonly albTargetGroup?: LbTargetGroup;

  constructor(scope: Construct, id: string, props: PrivateIngressProps) {
    super(scope, id);
    const deletionProtection = props.deletionProtection ?? true;
    const mode = props.mode ?? "nlb";
    const withNlb = mode === "nlb" || props.keepNlb === true;
    // No inbound rules: the NLB serves only the VPC Link, whose PrivateLink traffic is exempt from them (see the NLB).
    // Anything else in the VPC is refused, so nobody can skip API Gateway's keys, throttling and WAF.
    const nlbSecurityGroup = withNlb
      ? securityGroup(this, "nlb-sg", `${props.name}-nlb`, props.vpcId, "Query API NLB: VPC Link (PrivateLink) only")
      : undefined;
    // The description is the same in both modes on purpose: AWS cannot change a group's description in place, and a
    // replaced ALB group would drop the ALB's rules for a moment in the middle of the nlb -> alb migration.
    this.albSecurityGroup = securityGroup(
      this,
      "alb-sg",
      `${props.name}-alb`,
      props.vpcId,
      "Query API ALB: HTTPS from the NLB only",
    );
    if (nlbSecurityGroup) {
      allowHop(this, "nlb-to-alb", {
        from: nlbSecurityGroup,
        to: this.albSecurityGroup,
        port: HTTPS_PORT,
        description: "NLB to ALB, HTTPS",
      });
    }

    this.alb = new Lb(this, "alb", {
      name: `${props.name}-alb`,
      loadBalancerType: "application",
      internal: true,
      subnets: props.subnetIds,
      securityGroups: [this.albSecurityGroup.id],
      dropInvalidHeaderFields: true,
      desyncMitigationMode: "strictest",
      enableDeletionProtection: deletionProtection,
      ...(props.accessLogs ? { accessLogs: { ...props.accessLogs, enabled: true } } : {}),
    });
    this.serviceTargetGroup = new LbTargetGroup(
      this,
      "service-tg",
      apiTargetGroupConfig({ nameTag: `${props.name}-api`, port: props.targetPort, vpcId: props.vpcId }),
    );
    this.albListener = new LbListener(this, "alb-https", {
      loadBalancerArn: this.alb.arn,
      protocol: "HTTPS",
      port: HTTPS_PORT,
      sslPolicy: ALB_SSL_POLICY,
      certificateArn: props.certificateArn,
      defaultAction: [{ type: "forward", targetGroupArn: this.serviceTargetGroup.arn }],
    });

    if (withNlb) {
      this.nlb = new Lb(this, "nlb", {
        name: `${props.name}-nlb`,
        loadBalancerType: "network",
        internal: true,
        subnets: props.subnetIds,
        securityGroups: [nlbSecurityGroup!.id],
        // VPC Link traffic arrives over PrivateLink with API Gateway's own client addresses, which no rule could name;
        // with enforcement on, every request would be dropped. Only the VPC Link sends PrivateLink traffic here, and
        // everything else is held to the (empty) inbound rules.
        enforceSecurityGroupInboundRulesOnPrivateLinkTraffic: "off",
        enableCrossZoneLoadBalancing: true,
        // No access logs: an NLB writes them only for TLS listeners, and this one passes TLS through on TCP.
        // Kept only for the migration step, whose next deploy removes it: AWS refuses to delete a protected NLB.
        enableDeletionProtection: mode === "nlb" ? deletionProtection : false,
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
    if (mode === "alb") {
      // The v2 link's network interfaces carry this group: the ALB admits it on 443 and nothing else does. A v2 link's
      // subnets and groups cannot change in place (a change replaces the link), so both are fixed: the pinnable
      // one-subnet-per-AZ load balancer subnets, and a group created once.
      const linkSecurityGroup = securityGroup(
        this,
        "vpc-link-sg",
        `${props.name}-vpc-link`,
        props.vpcId,
        "Query API VPC Link v2: HTTPS to the ALB only",
      );
      const hop = allowHop(this, "vpc-link-to-alb", {
        from: linkSecurityGroup,
        to: this.albSecurityGroup,
        port: HTTPS_PORT,
        description: "VPC Link v2 to ALB, HTTPS",
      });
      this.vpcLinkV2 = new Apigatewayv2VpcLink(this, "vpc-link-v2", {
        name: `${props.name}-vpc-link-v2`,
        subnetIds: props.subnetIds,
        securityGroupIds: [linkSecurityGroup.id],
        // A changed subnet or group replaces the link: the new one is up before the integrations move to it, and the
        // old one goes after (API Gateway would refuse to delete a link its integrations still use).
        lifecycle: { createBeforeDestroy: true },
      });
      this.link = {
        id: this.vpcLinkV2.id,
        integrationTarget: this.alb.arn,
        ready: [hop.ingress, hop.egress, this.albListener],
      };
    } else {
      this.link = { id: this.vpcLink!.id, ready: [] };
    }
  }
}
