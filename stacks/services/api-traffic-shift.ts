import { Construct } from "constructs";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import type { EcsServiceLoadBalancerAdvancedConfiguration } from "@cdktf/provider-aws/lib/ecs-service";
import { ServiceRole } from "../shared/iam.js";
import { apiTargetGroupConfig, type PrivateIngress } from "../network/private-ingress.js";

export interface ApiTrafficShiftProps {
  /** Name prefix of the alternate group's Name tag, as the ingress's (`<prefix>-api-alternate`). */
  readonly name: string;
  /** Prefix of the infrastructure role's name, which is account-global. */
  readonly globalPrefix: string;
  readonly vpcId: string;
  /** Port the api containers listen on. */
  readonly targetPort: number;
  /** The ALB, its HTTPS listener and the target group the api registers in today. */
  readonly ingress: Pick<PrivateIngress, "albListener" | "serviceTargetGroup">;
}

/**
 * What ECS needs to shift the api's ALB traffic itself (blue/green, canary, linear): a second target group, a
 * production listener rule whose forward action weighs the two groups, and the infrastructure role ECS assumes to
 * register tasks and rewrite the rule's weights. Modelled on AWS's AmazonECSInfrastructureRolePolicyForLoadBalancers,
 * scoped to these resources except the Describe calls, which ELB authorizes only on `*`.
 */
export class ApiTrafficShift extends Construct {
  readonly alternateTargetGroup: LbTargetGroup;
  readonly productionRule: LbListenerRule;
  readonly role: ServiceRole;

  constructor(scope: Construct, id: string, props: ApiTrafficShiftProps) {
    super(scope, id);
    const primary = props.ingress.serviceTargetGroup;
    // The same settings as the primary group (a test compares the two): ECS moves traffic between them both ways.
    this.alternateTargetGroup = new LbTargetGroup(
      this,
      "alternate-tg",
      apiTargetGroupConfig({ nameTag: `${props.name}-api-alternate`, port: props.targetPort, vpcId: props.vpcId }),
    );
    // Every path: the listener's default action is never reached while the rule exists. No test rule: the query
    // API forwards client headers, so a header-matched test rule would be reachable by any API client.
    this.productionRule = new LbListenerRule(this, "production-rule", {
      listenerArn: props.ingress.albListener.arn,
      priority: 1,
      condition: [{ pathPattern: { values: ["/*"] } }],
      action: [
        {
          type: "forward",
          forward: {
            targetGroup: [
              { arn: primary.arn, weight: 100 },
              { arn: this.alternateTargetGroup.arn, weight: 0 },
            ],
          },
        },
      ],
      // ECS rewrites the weights (and which group is live) on every deployment: Terraform must not set them back.
      lifecycle: { ignoreChanges: ["action[0].forward[0].target_group"] },
    });
    const groups = [primary.arn, this.alternateTargetGroup.arn];
    this.role = new ServiceRole(this, "infrastructure-role", {
      name: `${props.globalPrefix}-api-ecs-infra`,
      // No aws:SourceAccount condition: AWS documents this trust without one (whether ECS sends it, only AWS shows).
      servicePrincipal: "ecs.amazonaws.com",
      statements: [
        {
          sid: "DescribeLoadBalancing",
          actions: [
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetHealth",
          ],
          // ELB's Describe actions support no resource-level permissions.
          resources: ["*"],
        },
        {
          sid: "ShiftProductionTraffic",
          actions: ["elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyRule"],
          resources: [props.ingress.albListener.arn, this.productionRule.arn],
        },
        {
          sid: "RegisterApiTasks",
          actions: ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
          resources: groups,
        },
      ],
    });
  }

  /** The service's `load_balancer.advanced_configuration`. */
  get advancedConfiguration(): EcsServiceLoadBalancerAdvancedConfiguration {
    return {
      alternateTargetGroupArn: this.alternateTargetGroup.arn,
      productionListenerRule: this.productionRule.arn,
      roleArn: this.role.arn,
    };
  }
}
