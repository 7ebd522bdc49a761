import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { Testing, TerraformStack } from "cdktf";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbTargetGroup } from "@cdktf/provider-aws/lib/lb-target-group";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { resources } from "../support/tfjson.js";
import { Alarms } from "../../stacks/monitoring/alarms.js";
import { HOPS, TABLE_OPERATIONS } from "../../stacks/monitoring/monitored-resources.js";
import { Dashboard, HOP_TITLES } from "../../stacks/monitoring/dashboard.js";
import { backlogPerTaskTarget } from "../../stacks/services/processor-scaling.js";
import { runbookKeyOf } from "../../stacks/monitoring/runbook.js";
import { synthesizeToJson } from "../../stacks/synthesize.js";
import {
  allOptionsConfig,
  exampleConfigInput,
  refTo,
  resourceAt,
  resourcesOf,
  synthApp,
  type TfJson,
} from "../support/synth.js";

let main: TfJson;
let allOptions: TfJson;
beforeAll(() => {
  main = synthApp().main;
  allOptions = synthesizeToJson(allOptionsConfig()).main;
});

const alarmsOf = (doc: TfJson) => resources(doc, "aws_cloudwatch_metric_alarm").map((r) => r.body);
const alarmNamed = (doc: TfJson, key: string) => {
  const found = alarmsOf(doc).filter((a) => runbookKeyOf(a.alarm_description) === key);
  if (found.length !== 1) throw new Error(`expected one alarm for runbook key ${key}, found ${found.length}`);
  return found[0]!;
};
/** Every dimension set an alarm reads: its own, or each metric of its metric-math query. */
const dimensionsOf = (alarm: Record<string, any>) =>
  alarm.metric_query
    ? alarm.metric_query.filter((q: any) => q.metric).map((q: any) => ({ [q.metric.metric_name]: q.metric.dimensions }))
    : [{ [alarm.metric_name]: alarm.dimensions }];

/**
 * GIVEN the example config WHEN synthesized THEN each alarm's metrics carry dimensions that are references to the
 * one resource it claims to watch: the resource's construct path, and the attribute CloudWatch names it by.
 */
function expectedWatch(doc: TfJson): Record<string, Record<string, unknown>[]> {
  const ref = (type: string, path: string, attribute: string) => refTo(doc, type, path, attribute);
  const queue = ref("aws_sqs_queue", "queue/queue", "name");
  const api = (name: "ingest" | "query") => ({
    ApiName: ref("aws_api_gateway_rest_api", `${name}-api/api`, "name"),
    Stage: ref("aws_api_gateway_stage", `${name}-api/stage/stage`, "stage_name"),
  });
  const tasks = (service: "api" | "processor") => {
    const dims = {
      ClusterName: ref("aws_ecs_cluster", "cluster", "name"),
      ServiceName: ref("aws_ecs_service", `${service}/service`, "name"),
    };
    return [{ RunningTaskCount: dims }, { DesiredTaskCount: dims }];
  };
  const table = (metric: string) =>
    TABLE_OPERATIONS.map((Operation) => ({
      [metric]: { TableName: ref("aws_dynamodb_table", "table/table", "name"), Operation },
    }));
  // The api's two target groups (ECS shifts traffic between them): each ALB target alarm adds up both.
  const albGroups = ["ingress/service-tg", "api-traffic-shift/alternate-tg"].map((path) => ({
    TargetGroup: ref("aws_lb_target_group", path, "arn_suffix"),
    LoadBalancer: ref("aws_lb", "ingress/alb", "arn_suffix"),
  }));
  const perGroup = (metric: string) => albGroups.map((dimensions) => ({ [metric]: dimensions }));
  return {
    "waf-blocked-requests": [
      {
        BlockedRequests: { WebACL: ref("aws_wafv2_web_acl", "waf/web-acl", "name"), Region: "eu-west-1", Rule: "ALL" },
      },
    ],
    "dlq-not-empty": [{ ApproximateNumberOfMessagesVisible: { QueueName: ref("aws_sqs_queue", "queue/dlq", "name") } }],
    "queue-oldest-message": [{ ApproximateAgeOfOldestMessage: { QueueName: queue } }],
    "processor-stalled": [
      { ApproximateNumberOfMessagesVisible: { QueueName: queue } },
      { NumberOfMessagesDeleted: { QueueName: queue } },
    ],
    "processor-tasks-below-desired": tasks("processor"),
    "api-tasks-below-desired": tasks("api"),
    "ingest-5xx-rate": [{ "5XXError": api("ingest") }],
    "ingest-p99-latency": [{ Latency: api("ingest") }],
    "query-5xx-rate": [{ "5XXError": api("query") }],
    "query-p99-latency": [{ Latency: api("query") }],
    "table-throttled-requests": table("ThrottledRequests"),
    "table-system-errors": table("SystemErrors"),
    "alb-target-5xx-rate": [...perGroup("HTTPCode_Target_5XX_Count"), ...perGroup("RequestCount")],
    "alb-unhealthy-hosts": perGroup("UnHealthyHostCount"),
    "api-no-healthy-hosts": perGroup("HealthyHostCount"),
    "alb-target-p99-latency": [{ TargetResponseTime: { LoadBalancer: ref("aws_lb", "ingress/alb", "arn_suffix") } }],
    // The numerator is the stack's own log metric filter's (no dimensions); the denominator the queue's receives.
    "processor-error-rate": [{ ProcessorErrors: undefined }, { NumberOfMessagesReceived: { QueueName: queue } }],
    "nlb-alb-unhealthy": [
      {
        HealthyHostCount: {
          TargetGroup: ref("aws_lb_target_group", "ingress/alb-tg", "arn_suffix"),
          LoadBalancer: ref("aws_lb", "ingress/nlb", "arn_suffix"),
        },
      },
    ],
  };
}

describe("alarms", () => {
  test("alarms: each alarm watches the resource it claims, by Terraform reference", () => {
    const expected = expectedWatch(main);
    const keys = alarmsOf(main).map((a) => runbookKeyOf(a.alarm_description));
    expect(keys.sort()).toEqual(Object.keys(expected).sort());
    for (const [key, dimensions] of Object.entries(expected)) {
      expect(dimensionsOf(alarmNamed(main, key)), key).toEqual(dimensions);
    }
  });

  test("alarms: the ones that combine metrics compute what their name says", () => {
    const expressionOf = (key: string) => alarmNamed(main, key).metric_query.find((q: any) => q.return_data).expression;
    expect(expressionOf("processor-stalled")).toBe("IF(FILL(visible, 0) > 0 AND FILL(deleted, 0) == 0, 1, 0)");
    expect(expressionOf("processor-tasks-below-desired")).toBe("desired - running");
    expect(expressionOf("alb-target-5xx-rate")).toBe(
      "IF((FILL(requests0, 0) + FILL(requests1, 0)) > 0, 100 * (FILL(errors0, 0) + FILL(errors1, 0)) / (FILL(requests0, 0) + FILL(requests1, 0)), 0)",
    );
    expect(expressionOf("api-no-healthy-hosts")).toBe("FILL(healthy0, 0) + FILL(healthy1, 0)");
    expect(expressionOf("processor-error-rate")).toBe("IF(FILL(received, 0) > 0, 100 * FILL(errors, 0) / received, 0)");
    expect(expressionOf("table-throttled-requests")).toBe("FILL(op0, 0) + FILL(op1, 0)");
    // Exactly one result per alarm: CloudWatch rejects a metric-math alarm with several.
    for (const alarm of alarmsOf(main).filter((a) => a.metric_query)) {
      expect(alarm.metric_query.filter((q: any) => q.return_data)).toHaveLength(1);
    }
  });

  test("alarms: every alarm notifies the stack's encrypted topic on ALARM and on OK", () => {
    const topic = refTo(main, "aws_sns_topic", "alarm-topic/topic", "arn");
    for (const alarm of alarmsOf(main)) {
      expect(alarm, alarm.alarm_name).toMatchObject({ alarm_actions: [topic], ok_actions: [topic] });
    }
  });

  test("alarms: with alarm_topic_arn set, no topic or key is created and every alarm notifies that topic", () => {
    const topic = "arn:aws:sns:eu-west-1:123456789012:alerts";
    const external = synthApp({ alarm_topic_arn: topic }).main;
    expect(resourcesOf(external, "aws_sns_topic")).toEqual([]);
    expect(resourcesOf(external, "aws_kms_key")).toEqual([]);
    expect(alarmsOf(external).length).toBe(alarmsOf(main).length);
    for (const alarm of alarmsOf(external))
      expect(alarm).toMatchObject({ alarm_actions: [topic], ok_actions: [topic] });
    expect(external.output?.alarm_topic_arn?.value).toBe(topic);
  });

  test("alarm topic: customer-managed key with rotation that CloudWatch may use for this account's alarms only", () => {
    const key = resourceAt(main, "aws_kms_key", "alarm-topic/key");
    expect(key.enable_key_rotation).toBe(true);
    expect(resourceAt(main, "aws_sns_topic", "alarm-topic/topic").kms_master_key_id).toBe(
      refTo(main, "aws_kms_key", "alarm-topic/key", "arn"),
    );
    const cloudwatch = JSON.parse(key.policy).Statement.find(
      (s: any) => s.Principal?.Service === "cloudwatch.amazonaws.com",
    );
    const account = refTo(main, "aws_caller_identity", "caller", "account_id", "data");
    expect(cloudwatch).toEqual({
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:SourceAccount": account },
        ArnLike: {
          "aws:SourceArn": `arn:${refTo(main, "aws_partition", "partition", "partition", "data")}:cloudwatch:eu-west-1:${account}:alarm:orders-prod-*`,
        },
      },
    });
    // The key and the topic admit only alarms named by that pattern: an alarm named otherwise would deliver nothing.
    for (const alarm of alarmsOf(main)) expect(alarm.alarm_name).toMatch(/^orders-prod-[a-z0-9-]+$/);
    const topicPolicy = JSON.parse(resourceAt(main, "aws_sns_topic_policy", "alarm-topic/policy").policy);
    expect(topicPolicy.Statement.map((s: any) => [s.Effect, s.Principal, s.Action])).toEqual([
      ["Allow", { Service: "cloudwatch.amazonaws.com" }, "sns:Publish"],
      // The deployment-events rule (test/infra/rollouts.test.ts checks its scope).
      ["Allow", { Service: "events.amazonaws.com" }, "sns:Publish"],
      ["Deny", { AWS: "*" }, ["sns:Publish", "sns:Subscribe"]],
    ]);
  });

  test("alarm topic: one email subscription per configured address, none by default", () => {
    expect(resourcesOf(main, "aws_sns_topic_subscription")).toEqual([]);
    const subscriptions = resourcesOf(allOptions, "aws_sns_topic_subscription").map(
      ([, { "//": _metadata, ...s }]) => s,
    );
    expect(subscriptions).toEqual(
      ["oncall@example.com", "platform-team@example.com"].map((endpoint) => ({
        topic_arn: refTo(allOptions, "aws_sns_topic", "alarm-topic/topic", "arn"),
        protocol: "email",
        endpoint,
      })),
    );
  });

  test("alarms: thresholds come from the config, windows and missing-data treatment from the code", () => {
    const alarms = {
      queue_oldest_message_seconds: 1_800,
      processor_stalled_minutes: 15,
      api_5xx_percent: 2.5,
      ingest_p99_latency_ms: 700,
      query_p99_latency_ms: 3_000,
      alb_target_5xx_percent: 5,
      alb_unhealthy_hosts: 1,
      tasks_below_desired_minutes: 10,
      dynamodb_throttled_requests: 20,
      dynamodb_system_errors: 3,
    };
    const changed = synthApp({ alarms }).main;
    const of = (key: string) => alarmNamed(changed, key);
    expect(of("queue-oldest-message").threshold).toBe(1_800);
    expect(of("processor-stalled")).toMatchObject({ evaluation_periods: 15, datapoints_to_alarm: 15 });
    expect(of("ingest-5xx-rate").threshold).toBe(0.025);
    expect(of("query-5xx-rate").threshold).toBe(0.025);
    expect(of("ingest-p99-latency")).toMatchObject({ threshold: 700, extended_statistic: "p99" });
    expect(of("query-p99-latency").threshold).toBe(3_000);
    expect(of("alb-target-5xx-rate").threshold).toBe(5);
    expect(of("alb-unhealthy-hosts").threshold).toBe(1);
    expect(of("api-tasks-below-desired")).toMatchObject({ evaluation_periods: 10, datapoints_to_alarm: 10 });
    expect(of("table-throttled-requests").threshold).toBe(20);
    expect(of("table-system-errors").threshold).toBe(3);
    // The production defaults.
    expect(alarmNamed(main, "queue-oldest-message").threshold).toBe(900);
    expect(alarmNamed(main, "ingest-5xx-rate").threshold).toBe(0.01);
    expect(alarmNamed(main, "processor-stalled")).toMatchObject({ evaluation_periods: 10, datapoints_to_alarm: 10 });
  });
});

describe("alarms without an NLB", () => {
  test("alarms: a private path without an NLB gets no NLB alarm and no NLB graph (the set follows the mode)", () => {
    const stack = new TerraformStack(Testing.app(), "no-nlb");
    const restApi = (name: string) => {
      const api = new ApiGatewayRestApi(stack, `${name}-api`, { name });
      return {
        api,
        stage: new ApiGatewayStage(stack, `${name}-stage`, { restApiId: api.id, stageName: "v1", deploymentId: "d" }),
      };
    };
    const cluster = new EcsCluster(stack, "cluster", { name: "c" });
    const service = (name: string) => new EcsService(stack, name, { name, cluster: cluster.arn });
    const watched = {
      ingestApi: restApi("ingest"),
      queryApi: restApi("query"),
      queue: new SqsQueue(stack, "queue", { name: "q" }),
      table: new DynamodbTable(stack, "table", { name: "t", hashKey: "k", attribute: [{ name: "k", type: "S" }] }),
      cluster,
      apiService: service("api"),
      processorService: service("processor"),
      alb: new Lb(stack, "alb", { name: "alb" }),
      serviceTargetGroup: new LbTargetGroup(stack, "tg", { name: "tg" }),
      nlb: null,
    };
    const alarms = new Alarms(stack, "alarms", {
      ...watched,
      prefix: "p",
      topicArn: "arn:aws:sns:eu-west-1:123456789012:t",
      thresholds: allOptionsConfig().alarms,
    });
    new Dashboard(stack, "dashboard", {
      ...watched,
      name: "p",
      region: "eu-west-1",
      deadLetterQueue: watched.queue,
      alarms: alarms.byHop,
    });
    const doc = JSON.parse(Testing.synth(stack)) as TfJson;
    const keys = alarmsOf(doc).map((a) => runbookKeyOf(a.alarm_description));
    expect(keys).not.toContain("nlb-alb-unhealthy");
    expect(keys.sort()).toEqual(
      Object.keys(expectedWatch(main))
        // The resources given here hold no NLB and no web ACL (the DLQ alarm lives with the queue).
        .filter((k) => !["nlb-alb-unhealthy", "dlq-not-empty", "waf-blocked-requests"].includes(k))
        .sort(),
    );
    expect(resourcesOf(doc, "aws_cloudwatch_dashboard")[0]![1].dashboard_body).not.toContain("AWS/NetworkELB");
  });
});

describe("runbook", () => {
  const runbook = readFileSync(new URL("../../docs/RUNBOOK.md", import.meta.url), "utf8");
  const sectionsOf = (part: string) =>
    new Map(
      part
        .split(/\n### /)
        .slice(1)
        .map((text) => [text.slice(0, text.indexOf("\n")).trim(), text] as const),
    );
  const deploymentsAt = runbook.indexOf("\n## Deployments\n");
  const sections = sectionsOf(runbook.slice(runbook.indexOf("\n## Alarms\n"), deploymentsAt));
  const eventSections = sectionsOf(runbook.slice(deploymentsAt));
  /** Alarm keys of every config the tests synthesize: a section may belong to an alarm only some configs create. */
  const keysOf = (doc: TfJson) => alarmsOf(doc).map((a) => runbookKeyOf(a.alarm_description));

  test("runbook: every alarm's description links its own section, and every section belongs to an alarm", () => {
    for (const alarm of alarmsOf(main)) {
      expect(alarm.alarm_description, alarm.alarm_name).toMatch(/\. Runbook: docs\/RUNBOOK\.md#[a-z0-9-]+$/);
    }
    const alarmKeys = new Set([...keysOf(main), ...keysOf(allOptions)]);
    expect(
      [...alarmKeys].filter((key) => !sections.has(key!)),
      "alarms without a runbook section",
    ).toEqual([]);
    expect(
      [...sections.keys()].filter((key) => !alarmKeys.has(key)),
      "runbook sections without an alarm",
    ).toEqual([]);
  });

  test("runbook: every event rule's description links its own section, and every deployment section has a rule", () => {
    const rules = resources(main, "aws_cloudwatch_event_rule").map((r) => r.body);
    const ruleKeys = rules.map((rule) => runbookKeyOf(rule.description));
    expect(ruleKeys).not.toContain(undefined);
    expect(ruleKeys.sort()).toEqual([...eventSections.keys()].sort());
    for (const [key, text] of eventSections) {
      expect(text, key).toContain("**Means:**");
      expect(text, key).toContain("**Check first:**");
      expect(text, key).toContain("**Fix:**");
    }
  });

  test("runbook: each section says what it means, what to check first (with a Logs Insights query) and how to fix it", () => {
    for (const [key, text] of sections) {
      expect(text, key).toContain("**Means:**");
      expect(text, key).toMatch(/\*\*Check first:\*\*[^]*\brow \d/);
      expect(text, key).toMatch(/log group|`\/ecs\/<prefix>\/|`\/aws\/apigateway\//);
      expect(text, key).toMatch(/\n```\nfields [^]*?\n```\n/);
      expect(text, key).toContain("**Fix:**");
    }
  });

  test("runbook: the missing-data table matches each alarm's treat_missing_data", () => {
    const rows = runbook
      .slice(runbook.indexOf("## Missing data"), runbook.indexOf("\n## Alarms\n"))
      .split("\n")
      .filter((line) => line.startsWith("| `"))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    const table = Object.fromEntries(rows.map(([, key, missing]) => [key!.replaceAll("`", ""), missing]));
    const synthesized = Object.fromEntries(
      alarmsOf(main).map((a) => [runbookKeyOf(a.alarm_description), a.treat_missing_data]),
    );
    expect(table).toEqual(synthesized);
  });
});

describe("dashboard", () => {
  const body = () => JSON.parse(resourceAt(main, "aws_cloudwatch_dashboard", "dashboard/dashboard").dashboard_body);

  test("dashboard: one row per hop in request-path order, each with its graphs and the state of its alarms", () => {
    const widgets: any[] = body().widgets;
    const rows = HOPS.map((_, row) => widgets.filter((w) => w.y === row * 6));
    expect(rows.map((row) => row[0].properties.markdown)).toEqual(HOPS.map((hop) => `## ${HOP_TITLES[hop]}`));
    expect(HOPS.map((hop) => HOP_TITLES[hop].replace(/^\d\. /, ""))).toEqual([
      "Ingest API (POST /requests)",
      "SQS request queue and DLQ",
      "processor (ECS)",
      "DynamoDB results table",
      "NLB -> ALB",
      "api (ECS)",
      "Query API (GET /requests/{id})",
    ]);
    for (const row of rows) {
      expect(row.filter((w) => w.type === "metric").length).toBeGreaterThanOrEqual(2);
      expect(row.filter((w) => w.type === "alarm")).toHaveLength(1);
      // The 24-column grid: nothing overlaps or runs off the right edge.
      const spans = row.map((w) => [w.x, w.x + w.width]).sort((a, b) => a[0] - b[0]);
      spans.forEach(([start, end], i) => {
        expect(end).toBeLessThanOrEqual(24);
        if (i > 0) expect(start).toBeGreaterThanOrEqual(spans[i - 1]![1]);
      });
    }
  });

  test("dashboard: every alarm is shown once, in the row of the hop it watches", () => {
    const widgets: any[] = body().widgets;
    const alarmRow = (key: string) => {
      const arn = refTo(
        main,
        "aws_cloudwatch_metric_alarm",
        key === "dlq-not-empty" ? "queue/dlq-alarm" : `alarms/${key}`,
        "arn",
      );
      const rows = widgets
        .filter((w) => w.type === "alarm" && w.properties.alarms.includes(arn))
        .map((w) => HOPS[w.y / 6]);
      expect(rows, key).toHaveLength(1);
      return rows[0];
    };
    expect(Object.fromEntries(Object.keys(expectedWatch(main)).map((key) => [key, alarmRow(key)]))).toEqual({
      "waf-blocked-requests": "ingest",
      "ingest-5xx-rate": "ingest",
      "ingest-p99-latency": "ingest",
      "dlq-not-empty": "queue",
      "queue-oldest-message": "queue",
      "processor-stalled": "processor",
      "processor-tasks-below-desired": "processor",
      "processor-error-rate": "processor",
      "alb-target-p99-latency": "api",
      "table-throttled-requests": "table",
      "table-system-errors": "table",
      "nlb-alb-unhealthy": "ingress",
      "alb-target-5xx-rate": "ingress",
      "alb-unhealthy-hosts": "ingress",
      "api-no-healthy-hosts": "api",
      "api-tasks-below-desired": "api",
      "query-5xx-rate": "query",
      "query-p99-latency": "query",
    });
  });

  test("dashboard: graphs reference the stack's resources and the configured region", () => {
    const metrics = body().widgets.filter((w: any) => w.type === "metric");
    for (const widget of metrics) expect(widget.properties.region).toBe("eu-west-1");
    const text = JSON.stringify(metrics);
    expect(text).toContain(refTo(main, "aws_sqs_queue", "queue/dlq", "name"));
    expect(text).toContain(refTo(main, "aws_lb_target_group", "ingress/alb-tg", "arn_suffix"));
    expect(text).not.toMatch(/orders-prod-/); // names come from references, never typed twice
  });
});

describe("autoscaling", () => {
  test("processor: one target-tracking policy on visible messages / running tasks, target = backlog delay x per-task rate", () => {
    const policy = resourceAt(main, "aws_appautoscaling_policy", "processor-scaling/backlog-per-task");
    expect(policy.resource_id).toBe(
      refTo(main, "aws_appautoscaling_target", "processor-scaling/target", "resource_id"),
    );
    const config = policy.target_tracking_scaling_policy_configuration;
    expect(config.target_value).toBe(30 * 100);
    expect(config.disable_scale_in).toBeUndefined(); // the same policy scales in
    const [visible, running, result] = config.customized_metric_specification.metrics;
    expect(visible.metric_stat).toEqual({
      metric: {
        namespace: "AWS/SQS",
        metric_name: "ApproximateNumberOfMessagesVisible",
        dimensions: [{ name: "QueueName", value: refTo(main, "aws_sqs_queue", "queue/queue", "name") }],
      },
      stat: "Sum",
    });
    expect(running.metric_stat.metric).toEqual({
      namespace: "ECS/ContainerInsights",
      metric_name: "RunningTaskCount",
      dimensions: [
        { name: "ClusterName", value: refTo(main, "aws_ecs_cluster", "cluster", "name") },
        { name: "ServiceName", value: refTo(main, "aws_ecs_service", "processor/service", "name") },
      ],
    });
    expect(result).toMatchObject({ id: "backlog_per_task", expression: "visible / running", return_data: true });
    expect([visible.return_data, running.return_data]).toEqual([false, false]);
  });

  test("processor: the target follows the config and never rounds down to 0", () => {
    const processor = {
      ...(exampleConfigInput().services as any).processor,
      acceptable_backlog_seconds: 120,
      messages_per_second_per_task: 12.5,
    };
    const changed = synthApp({ services: { ...(exampleConfigInput().services as object), processor } }).main;
    expect(
      resourceAt(changed, "aws_appautoscaling_policy", "processor-scaling/backlog-per-task")
        .target_tracking_scaling_policy_configuration.target_value,
    ).toBe(1_500);
    expect(backlogPerTaskTarget(5, 0.01)).toBe(1);
  });

  test("api: target tracking on ALB requests per target and on CPU, between the configured min and max", () => {
    expect(resourceAt(main, "aws_appautoscaling_target", "api-scaling/target")).toMatchObject({
      service_namespace: "ecs",
      scalable_dimension: "ecs:service:DesiredCount",
      resource_id: `service/${refTo(main, "aws_ecs_cluster", "cluster", "name")}/${refTo(main, "aws_ecs_service", "api/service", "name")}`,
      min_capacity: 2,
      max_capacity: 10,
    });
    const requests = resourceAt(main, "aws_appautoscaling_policy", "api-scaling/requests-per-task");
    // The example's api shifts traffic between two groups: the metric is the busier group's requests per target
    // (test/infra/rollouts.test.ts has both forms).
    expect(requests.target_tracking_scaling_policy_configuration).toMatchObject({
      target_value: 6_000,
      customized_metric_specification: {
        metrics: expect.arrayContaining([expect.objectContaining({ id: "perTask" })]),
      },
    });
    expect(
      resourceAt(main, "aws_appautoscaling_policy", "api-scaling/cpu").target_tracking_scaling_policy_configuration,
    ).toMatchObject({
      target_value: 60,
      predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
    });
    const api = {
      image_tag: "0.1.0",
      desired_count: 3,
      min_count: 3,
      max_count: 30,
      target_requests_per_minute_per_task: 1_200,
      target_cpu_percent: 45,
    };
    const changed = synthApp({ services: { ...(exampleConfigInput().services as object), api } }).main;
    expect(resourceAt(changed, "aws_appautoscaling_target", "api-scaling/target")).toMatchObject({
      min_capacity: 3,
      max_capacity: 30,
    });
    expect(
      resourceAt(changed, "aws_appautoscaling_policy", "api-scaling/requests-per-task")
        .target_tracking_scaling_policy_configuration.target_value,
    ).toBe(1_200);
    expect(
      resourceAt(changed, "aws_appautoscaling_policy", "api-scaling/cpu").target_tracking_scaling_policy_configuration
        .target_value,
    ).toBe(45);
  });
});

describe("examples/all-options.tfvars.json", () => {
  test("all options: the file is valid, turns every optional feature on, and synthesizes", () => {
    const config = allOptionsConfig();
    expect(config).toMatchObject({
      ingest_api_domain: expect.any(String),
      query_api_domain: expect.any(String),
      waf_web_acl: { rate_limit_per_ip: expect.any(Number), rate_window_seconds: expect.any(Number) },
      log_kms_key_arn: expect.stringMatching(/^arn:aws:kms:/),
      alb_access_logs_bucket: expect.any(String),
      table_ttl_attribute: expect.any(String),
      quota_per_day: expect.any(Number),
      api_key_required: true,
      manage_apigateway_account: true,
      // The stack's own topic with subscriptions (the alternative, alarm_topic_arn, is tested above).
      alarm_topic_arn: null,
      alarms: { email_subscriptions: [expect.any(String), expect.any(String)] },
    });
    expect(resourcesOf(allOptions, "aws_wafv2_web_acl_association")).toHaveLength(2);
    expect(resourcesOf(allOptions, "aws_api_gateway_domain_name")).toHaveLength(2);
    expect(resourcesOf(allOptions, "aws_sns_topic_subscription")).toHaveLength(2);
    expect(alarmsOf(allOptions).length).toBe(alarmsOf(main).length);
  });
});
