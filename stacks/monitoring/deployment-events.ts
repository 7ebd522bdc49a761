import { Construct } from "constructs";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { runbookLink } from "./runbook.js";

/** Runbook section (and rule description link) of a failed or rolled-back deployment. */
export const DEPLOYMENT_EVENTS_KEY = "failed-or-rolled-back-deployments";

/** The rule's name, `<prefix>-deployment-failed`: the alarm topic's policies admit exactly this rule. */
export function deploymentEventsRuleName(prefix: string): string {
  return `${prefix}-deployment-failed`;
}

/** The rule's ARN, built from its name so the topic's policies can name it before the rule exists. */
export function deploymentEventsRuleArn(prefix: string, partition: string, region: string, accountId: string): string {
  return `arn:${partition}:events:${region}:${accountId}:rule/${deploymentEventsRuleName(prefix)}`;
}

/**
 * ECS reports a rollback as an in-progress deployment whose reason says it rolls back (circuit breaker or alarm):
 * these match it in either casing; a failed deployment has its own event name.
 */
export const ROLLBACK_REASONS = ["*rolling back*", "*rollback*", "*Rollback*", "*Rolling back*"] as const;

/** The event pattern: this stack's services only (by ARN), failed deployments and rollbacks only. */
export function deploymentEventPattern(serviceArns: readonly string[]): Record<string, unknown> {
  return {
    source: ["aws.ecs"],
    "detail-type": ["ECS Deployment State Change"],
    resources: [...serviceArns],
    $or: [
      { detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] } },
      {
        detail: {
          eventName: ["SERVICE_DEPLOYMENT_IN_PROGRESS"],
          reason: ROLLBACK_REASONS.map((wildcard) => ({ wildcard })),
        },
      },
    ],
  };
}

export interface DeploymentEventsProps {
  /** Resource name prefix, e.g. `orders-prod`. */
  readonly prefix: string;
  /** The services whose deployments are reported. */
  readonly services: readonly EcsService[];
  /** The alarm topic; its policies must admit this rule (stacks/alarm-topic.ts, or docs/OPERATIONS.md for your own). */
  readonly topicArn: string;
}

/**
 * Tells the alarm topic when an ECS deployment of this stack fails or rolls back, in one sentence: which service,
 * which deployment and why. Without it a circuit-breaker or alarm rollback reaches nobody.
 */
export class DeploymentEvents extends Construct {
  readonly rule: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: DeploymentEventsProps) {
    super(scope, id);
    this.rule = new CloudwatchEventRule(this, "rule", {
      name: deploymentEventsRuleName(props.prefix),
      description: `An ECS deployment of this stack's services failed or rolled back. ${runbookLink(DEPLOYMENT_EVENTS_KEY)}`,
      eventPattern: JSON.stringify(deploymentEventPattern(props.services.map((service) => service.id))),
    });
    new CloudwatchEventTarget(this, "to-alarm-topic", {
      rule: this.rule.name,
      arn: props.topicArn,
      inputTransformer: {
        inputPaths: {
          service: "$.resources[0]",
          deployment: "$.detail.deploymentId",
          event: "$.detail.eventName",
          reason: "$.detail.reason",
          time: "$.time",
        },
        inputTemplate: `"ECS deployment <deployment> of <service>: <event> at <time>. Reason: <reason>. ${runbookLink(DEPLOYMENT_EVENTS_KEY)}"`,
      },
    });
  }
}
