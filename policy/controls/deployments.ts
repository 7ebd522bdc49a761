import { field, list, resources, show, type TfJson } from "../../tfjson/index.js";
import { each, type Control, type PolicyInput } from "./check.js";

/** `${aws_x.name.attribute}`: the resource address `aws_x.name`, or undefined for anything else. */
const addressIn = (value: unknown) => /^\$\{(aws_[a-z0-9_]+\.[^.}]+)\.[a-z_]+\}$/.exec(String(value))?.[1];

const services = (input: PolicyInput) => resources(input.main, "aws_ecs_service");
const alarmsByName = (doc: TfJson) =>
  new Map(resources(doc, "aws_cloudwatch_metric_alarm").map((alarm) => [alarm.body.alarm_name, alarm]));

/** The configured reason a load-balanced service deploys rolling, if the config records one. */
function rollingReason(input: PolicyInput, serviceName: unknown): string | undefined {
  const deployment = (input.config.services as Record<string, { deployment?: { reason?: string } }>)[
    String(serviceName)
  ]?.deployment;
  return deployment?.reason;
}

/** Safe rollouts: strategies, alarm rollback and the deployment events rule. */
export const DEPLOYMENT_CONTROLS: readonly Control[] = [
  {
    ids: ["CUSTOM.ROLLOUT_STRATEGY"],
    resourceType: "aws_ecs_service",
    title: "Services behind a load balancer shift traffic gradually, or record why not",
    why: "A rolling update sends every request to the new revision as soon as its tasks are healthy; a canary, linear or blue/green deployment lets the alarms judge it first.",
    check: (input) =>
      each(
        services(input).filter((s) => list(s.body.load_balancer).length > 0),
        (s) => {
          const strategy = field(s.body, "deployment_configuration", "strategy") ?? "ROLLING";
          if (strategy !== "ROLLING") {
            return !field(list(s.body.load_balancer)[0], "advanced_configuration", "production_listener_rule")
              ? `${show(strategy)} without load_balancer.advanced_configuration (no alternate group, rule or role)`
              : undefined;
          }
          return !rollingReason(input, s.body.name) && "rolling, and the config records no deployment.reason";
        },
      ),
  },
  {
    ids: ["CUSTOM.ROLLOUT_ALARMS"],
    resourceType: "aws_ecs_service",
    title:
      "Every deployment rolls back on its circuit breaker and on alarms of the stack that never breach on missing data",
    why: "A healthy but wrong release (5xx, latency, errors) passes the circuit breaker; an alarm on nothing, or one already in ALARM on a quiet service, would not roll back or would roll back every deployment.",
    check: (input) => {
      const alarms = alarmsByName(input.main);
      return each(services(input), (s) => {
        if (field(s.body, "deployment_circuit_breaker", "rollback") !== true) return "no circuit-breaker rollback";
        const names = list(field(s.body, "alarms", "alarm_names"));
        if (field(s.body, "alarms", "enable") !== true || field(s.body, "alarms", "rollback") !== true || !names.length)
          return "no alarm rollback (alarms.enable, alarms.rollback, alarm_names)";
        const bad = names.filter((name) => alarms.get(name)?.body.treat_missing_data !== "notBreaching");
        return (
          bad.length > 0 &&
          `rollback alarms missing from the stack or breaching on missing data: ${bad.map(show).join(", ")}`
        );
      });
    },
  },
  {
    ids: ["CUSTOM.DEPLOYMENT_EVENTS"],
    resourceType: "aws_cloudwatch_event_rule",
    title: "Failed and rolled-back deployments of exactly the stack's services reach the alarm topic",
    why: "ECS rolls a bad deployment back silently: without a rule on its deployment events, nobody learns the release did not ship.",
    check: (input) => {
      const serviceAddresses = services(input)
        .map((s) => s.address)
        .sort();
      const topic = input.config.alarm_topic_arn ?? undefined;
      const topicAddresses = resources(input.main, "aws_sns_topic").map((t) => t.address);
      const rules = resources(input.main, "aws_cloudwatch_event_rule").filter((rule) => {
        const pattern = JSON.parse(typeof rule.body.event_pattern === "string" ? rule.body.event_pattern : "{}") as {
          source?: unknown;
          "detail-type"?: unknown;
          resources?: unknown;
        };
        const watched = list(pattern.resources).map(addressIn).sort();
        return (
          JSON.stringify(pattern.source) === '["aws.ecs"]' &&
          JSON.stringify(pattern["detail-type"]) === '["ECS Deployment State Change"]' &&
          JSON.stringify(watched) === JSON.stringify(serviceAddresses)
        );
      });
      if (rules.length === 0) return ["no ECS deployment rule naming exactly the stack's services"];
      const targets = resources(input.main, "aws_cloudwatch_event_target");
      return rules.flatMap((rule) => {
        const delivered = targets.some(
          (t) =>
            addressIn(t.body.rule) === rule.address &&
            (topic ? t.body.arn === topic : topicAddresses.includes(addressIn(t.body.arn) ?? "")),
        );
        return delivered ? [] : [`${rule.path}: no target on the alarm topic`];
      });
    },
  },
];
