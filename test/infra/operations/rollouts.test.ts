import { beforeAll, describe, expect, test } from "vitest";
import { ROLLBACK_ALARM_WINDOW_MINUTES } from "../../../config/deployment-fields.js";
import { ROLLBACK_ALARM_KEYS } from "../../../stacks/monitoring/deployment-alarms.js";
import { runbookKeyOf } from "../../../stacks/monitoring/runbook.js";
import { resources } from "../../support/tfjson.js";
import { exampleConfigInput, refTo, resourceAt, resourcesOf, synthApp, type TfJson } from "../../support/synth.js";

/** The example with other `deployment` blocks (the example itself is the api's default canary). */
const services = () => exampleConfigInput().services as Record<string, Record<string, unknown>>;
function synthWith(api?: Record<string, unknown>, processor?: Record<string, unknown>): TfJson {
  const s = services();
  return synthApp({
    services: {
      api: { ...s.api, ...(api ? { deployment: api } : {}) },
      processor: { ...s.processor, ...(processor ? { deployment: processor } : {}) },
    },
  }).main;
}

const alarmsOf = (doc: TfJson) => resources(doc, "aws_cloudwatch_metric_alarm").map((r) => r.body);
const alarmByKey = (doc: TfJson, key: string) =>
  alarmsOf(doc).find((alarm) => runbookKeyOf(alarm.alarm_description) === key)!;
/** Every `TargetGroup` dimension an alarm's metrics read. */
const targetGroupsOf = (alarm: Record<string, any>) =>
  (alarm.metric_query ?? [{ metric: { dimensions: alarm.dimensions } }])
    .map((q: any) => q.metric?.dimensions?.TargetGroup)
    .filter(Boolean);

let canary: TfJson;
let rolling: TfJson;
beforeAll(() => {
  canary = synthApp().main;
  rolling = synthWith({ strategy: "rolling" });
});

describe("rollouts: each strategy synthesizes", () => {
  test.each([
    [{ strategy: "rolling" }, { strategy: "ROLLING" }],
    [
      { strategy: "blue_green", bake_minutes: 15 },
      { strategy: "BLUE_GREEN", bake_time_in_minutes: "15" },
    ],
    [
      { strategy: "canary", canary_percent: 20, canary_bake_minutes: 6, bake_minutes: 7 },
      {
        strategy: "CANARY",
        bake_time_in_minutes: "7",
        canary_configuration: { canary_percent: 20, canary_bake_time_in_minutes: "6" },
      },
    ],
    [
      { strategy: "linear", step_percent: 25, step_bake_minutes: 5, bake_minutes: 8 },
      {
        strategy: "LINEAR",
        bake_time_in_minutes: "8",
        linear_configuration: { step_percent: 25, step_bake_time_in_minutes: "5" },
      },
    ],
  ])("api %j: deployment_configuration %j, with alarm rollback", (deployment, expected) => {
    const service = resourceAt(synthWith(deployment), "aws_ecs_service", "api/service");
    expect(service.deployment_configuration).toEqual(expected);
    // The provider's 20 minutes plus the steps and bake times (an apply that waits for steady state waits for them).
    const rollout = { ROLLING: 0, BLUE_GREEN: 15, CANARY: 6 + 7, LINEAR: 4 * 5 + 8 }[expected.strategy]!;
    expect(service.timeouts).toEqual({ update: `${20 + rollout}m` });
    expect(service.deployment_circuit_breaker).toEqual({ enable: true, rollback: true });
    expect(service.alarms).toEqual({
      alarm_names: ROLLBACK_ALARM_KEYS.api.map((key) => `orders-prod-${key}`),
      enable: true,
      rollback: true,
    });
  });

  test.each([
    [{ strategy: "rolling" }, { strategy: "ROLLING" }],
    [
      { strategy: "blue_green", bake_minutes: 5 },
      { strategy: "BLUE_GREEN", bake_time_in_minutes: "5" },
    ],
  ])("processor %j: deployment_configuration %j, headless (no load balancer)", (deployment, expected) => {
    const service = resourceAt(synthWith(undefined, deployment), "aws_ecs_service", "processor/service");
    expect(service.deployment_configuration).toEqual(expected);
    expect(service.load_balancer).toBeUndefined();
    expect(service.alarms.alarm_names).toEqual(["orders-prod-processor-error-rate"]);
  });

  test("rolling api: one target group, no production rule, no infrastructure role, AWS's own request metric", () => {
    expect(resourcesOf(rolling, "aws_lb_listener_rule")).toEqual([]);
    expect(resourcesOf(rolling, "aws_lb_target_group").map(([, g]) => g.tags?.Name)).not.toContain(
      "orders-prod-api-alternate",
    );
    expect(resourceAt(rolling, "aws_ecs_service", "api/service").load_balancer[0].advanced_configuration).toBe(
      undefined,
    );
    const policy = resourceAt(rolling, "aws_appautoscaling_policy", "api-scaling/requests-per-task");
    expect(policy.target_tracking_scaling_policy_configuration.predefined_metric_specification).toEqual({
      predefined_metric_type: "ALBRequestCountPerTarget",
      resource_label: `${refTo(rolling, "aws_lb", "ingress/alb", "arn_suffix")}/${refTo(rolling, "aws_lb_target_group", "ingress/service-tg", "arn_suffix")}`,
    });
  });
});

describe("rollouts: ECS shifts the api's traffic", () => {
  const primary = () => refTo(canary, "aws_lb_target_group", "ingress/service-tg", "arn");
  const alternate = () => refTo(canary, "aws_lb_target_group", "api-traffic-shift/alternate-tg", "arn");

  test("traffic shift: the production rule forwards every path to both groups (100/0) and Terraform ignores the weights", () => {
    const rule = resourceAt(canary, "aws_lb_listener_rule", "api-traffic-shift/production-rule");
    expect(rule.listener_arn).toBe(refTo(canary, "aws_lb_listener", "ingress/alb-https", "arn"));
    expect(rule.condition).toEqual([{ path_pattern: { values: ["/*"] } }]);
    expect(rule.action).toEqual([
      {
        type: "forward",
        forward: {
          target_group: [
            { arn: primary(), weight: 100 },
            { arn: alternate(), weight: 0 },
          ],
        },
      },
    ]);
    expect(rule.lifecycle).toEqual({ ignore_changes: ["action[0].forward[0].target_group"] });
  });

  test("traffic shift: the alternate group is the primary's twin (ECS moves traffic both ways)", () => {
    const { "//": _a, tags: tagsA, ...primaryGroup } = resourceAt(canary, "aws_lb_target_group", "ingress/service-tg");
    const {
      "//": _b,
      tags: tagsB,
      ...alternateGroup
    } = resourceAt(canary, "aws_lb_target_group", "api-traffic-shift/alternate-tg");
    expect(alternateGroup).toEqual(primaryGroup);
    expect([tagsA.Name, tagsB.Name]).toEqual(["orders-prod-api", "orders-prod-api-alternate"]);
  });

  test("traffic shift: the infrastructure role may Describe on * and change only this listener, rule and groups", () => {
    const policy = JSON.parse(
      resourceAt(canary, "aws_iam_role_policy", "api-traffic-shift/infrastructure-role/policy").policy,
    );
    const byAction = Object.fromEntries(
      policy.Statement.flatMap((s: any) => [s.Action].flat().map((action: string) => [action, s.Resource])),
    );
    const listener = refTo(canary, "aws_lb_listener", "ingress/alb-https", "arn");
    const rule = refTo(canary, "aws_lb_listener_rule", "api-traffic-shift/production-rule", "arn");
    expect(byAction).toEqual({
      "elasticloadbalancing:DescribeListeners": "*",
      "elasticloadbalancing:DescribeRules": "*",
      "elasticloadbalancing:DescribeTargetGroups": "*",
      "elasticloadbalancing:DescribeTargetHealth": "*",
      "elasticloadbalancing:ModifyListener": [listener, rule],
      "elasticloadbalancing:ModifyRule": [listener, rule],
      "elasticloadbalancing:RegisterTargets": [primary(), alternate()],
      "elasticloadbalancing:DeregisterTargets": [primary(), alternate()],
    });
    const trust = JSON.parse(
      resourceAt(canary, "aws_iam_role", "api-traffic-shift/infrastructure-role/role").assume_role_policy,
    );
    expect(trust.Statement[0].Principal).toEqual({ Service: "ecs.amazonaws.com" });
  });

  test("live traffic: every api rollback alarm watches both target groups or the whole load balancer", () => {
    const groups = [primary(), alternate()].map((arn) => arn.replace(/\.arn\}$/, ".arn_suffix}"));
    for (const key of [...ROLLBACK_ALARM_KEYS.api, "api-no-healthy-hosts"]) {
      const alarm = alarmByKey(canary, key);
      const watched = targetGroupsOf(alarm);
      if (watched.length === 0) {
        // Load-balancer level: every target of the ALB, whichever group it is in.
        expect(alarm.dimensions ?? alarm.metric_query?.[0]?.metric?.dimensions, key).toEqual({
          LoadBalancer: refTo(canary, "aws_lb", "ingress/alb", "arn_suffix"),
        });
      } else {
        expect(new Set(watched), key).toEqual(new Set(groups));
      }
    }
  });

  test("live traffic: the request-per-task scaling policy takes the larger of the two groups' requests per target", () => {
    const policy = resourceAt(canary, "aws_appautoscaling_policy", "api-scaling/requests-per-task");
    const spec = policy.target_tracking_scaling_policy_configuration;
    expect(spec.predefined_metric_specification).toBeUndefined();
    const metrics = spec.customized_metric_specification.metrics;
    expect(metrics.filter((m: any) => m.metric_stat).map((m: any) => m.metric_stat.metric.dimensions)).toEqual(
      ["ingress/service-tg", "api-traffic-shift/alternate-tg"].map((path) => [
        { name: "TargetGroup", value: refTo(canary, "aws_lb_target_group", path, "arn_suffix") },
      ]),
    );
    expect(metrics.find((m: any) => m.return_data).expression).toBe("MAX([FILL(group0, 0), FILL(group1, 0)])");
  });
});

describe("rollouts: the dashboard follows the live traffic", () => {
  test("dashboard: health per target group (both), requests, 5xx and response time for the whole ALB", () => {
    const widgets: any[] = JSON.parse(
      resourceAt(canary, "aws_cloudwatch_dashboard", "dashboard").dashboard_body,
    ).widgets;
    const albLines = widgets
      .filter((w) => w.type === "metric")
      .flatMap((w) => w.properties.metrics)
      .filter((line: any[]) => line[0] === "AWS/ApplicationELB");
    const groupsOf = (metric: string) =>
      albLines
        .filter((line: any[]) => line[1] === metric)
        .map((line: any[]) => (line.includes("TargetGroup") ? line[line.indexOf("TargetGroup") + 1] : undefined));
    const groups = ["ingress/service-tg", "api-traffic-shift/alternate-tg"].map((path) =>
      refTo(canary, "aws_lb_target_group", path, "arn_suffix"),
    );
    expect(groupsOf("HealthyHostCount")).toEqual(groups);
    expect(groupsOf("UnHealthyHostCount")).toEqual(groups);
    for (const metric of ["RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime"]) {
      expect(groupsOf(metric), metric).toEqual(albLines.filter((l: any[]) => l[1] === metric).map(() => undefined));
    }
  });
});

describe("rollouts: rollback alarms", () => {
  test("rollback alarms: exist, judge within the shortest bake time, and never breach on missing data", () => {
    for (const key of [...ROLLBACK_ALARM_KEYS.api, ...ROLLBACK_ALARM_KEYS.processor]) {
      const alarm = alarmByKey(canary, key);
      expect(alarm, key).toBeDefined();
      expect(alarm.evaluation_periods, key).toBeLessThanOrEqual(ROLLBACK_ALARM_WINDOW_MINUTES);
      expect(alarm.treat_missing_data, key).toBe("notBreaching");
    }
  });

  test("rollback alarms: the processor's error rate counts its own log group's error lines per received message", () => {
    const filter = resourceAt(canary, "aws_cloudwatch_log_metric_filter", "processor-errors");
    expect(filter.log_group_name).toBe(refTo(canary, "aws_cloudwatch_log_group", "processor/logs", "name"));
    expect(filter.pattern).toBe("{ $.level >= 50 }");
    const queries = alarmByKey(canary, "processor-error-rate").metric_query;
    expect(queries.find((q: any) => q.id === "errors").metric).toMatchObject({
      namespace: filter.metric_transformation.namespace,
      metric_name: filter.metric_transformation.name,
    });
    expect(queries.find((q: any) => q.id === "received").metric.dimensions).toEqual({
      QueueName: refTo(canary, "aws_sqs_queue", "queue/queue", "name"),
    });
  });

  test("rollback alarms: each service is created after the alarms its deployments watch", () => {
    for (const service of ["api", "processor"] as const) {
      const dependsOn: string[] = resourceAt(canary, "aws_ecs_service", `${service}/service`).depends_on;
      for (const key of ROLLBACK_ALARM_KEYS[service]) {
        expect(dependsOn).toContain(refTo(canary, "aws_cloudwatch_metric_alarm", `alarms/${key}`, "arn").slice(2, -5));
      }
    }
  });
});
