import { beforeAll, describe, expect, test } from "vitest";
import { DEPLOYMENT_EVENTS_KEY } from "../../../stacks/monitoring/deployment-events.js";
import { runbookKeyOf } from "../../../stacks/monitoring/runbook.js";
import { refTo, resourceAt, synthApp, type TfJson } from "../../support/synth.js";

/**
 * EventBridge's documented matching, for the parts of a pattern the deployment rule uses: a key's array matches
 * when the event's value (or any element of an array value) equals one entry or fits one `{"wildcard"}` entry; an
 * object recurses; `$or` matches when one branch does. (A local interpretation: AWS's matcher is the authority.)
 */
function matches(pattern: Record<string, any>, event: Record<string, any>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (key === "$or") return (rule as Record<string, any>[]).some((branch) => matches(branch, event));
    const value = event[key];
    if (!Array.isArray(rule)) return value !== undefined && typeof value === "object" && matches(rule, value);
    const values = Array.isArray(value) ? value : [value];
    return values.some((v) =>
      rule.some((entry: any) =>
        typeof entry === "object"
          ? typeof v === "string" && new RegExp(`^${entry.wildcard.split("*").map(escapeRegExp).join(".*")}$`).test(v)
          : entry === v,
      ),
    );
  });
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

let main: TfJson;
let pattern: Record<string, any>;
const apiArn = () => refTo(main, "aws_ecs_service", "api/service", "id");
const processorArn = () => refTo(main, "aws_ecs_service", "processor/service", "id");
const event = (service: string, eventName: string, reason: string) => ({
  source: "aws.ecs",
  "detail-type": "ECS Deployment State Change",
  resources: [service],
  detail: { eventType: "INFO", eventName, deploymentId: "ecs-svc/1234567890", reason },
});

beforeAll(() => {
  main = synthApp().main;
  pattern = JSON.parse(resourceAt(main, "aws_cloudwatch_event_rule", "deployment-events/rule").event_pattern);
});

describe("deployment events", () => {
  test("events: the rule names exactly the stack's two services, by reference", () => {
    expect(pattern.resources).toEqual([apiArn(), processorArn()]);
  });

  test.each([
    ["a failed api deployment", () => event(apiArn(), "SERVICE_DEPLOYMENT_FAILED", "tasks failed to start"), true],
    [
      "a circuit-breaker rollback of the processor",
      () =>
        event(
          processorArn(),
          "SERVICE_DEPLOYMENT_IN_PROGRESS",
          "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1",
        ),
      true,
    ],
    [
      "an alarm rollback of the api",
      () =>
        event(apiArn(), "SERVICE_DEPLOYMENT_IN_PROGRESS", "Rollback initiated: alarm orders-prod-alb-target-5xx-rate"),
      true,
    ],
    [
      "a deployment that starts normally",
      () => event(apiArn(), "SERVICE_DEPLOYMENT_IN_PROGRESS", "ECS deployment ecs-svc/1 in progress."),
      false,
    ],
    [
      "a completed deployment",
      () => event(apiArn(), "SERVICE_DEPLOYMENT_COMPLETED", "ECS deployment ecs-svc/1 completed."),
      false,
    ],
    [
      "another stack's failed deployment",
      () => event("arn:aws:ecs:eu-west-1:123456789012:service/other/api", "SERVICE_DEPLOYMENT_FAILED", "failed"),
      false,
    ],
  ])("events: %s matches: %s", (_name, make, expected) => {
    expect(matches(pattern, make())).toBe(expected);
  });

  test("events: the message says which service, which deployment and why, and links the runbook", () => {
    const target = resourceAt(main, "aws_cloudwatch_event_target", "deployment-events/to-alarm-topic");
    expect(target.arn).toBe(refTo(main, "aws_sns_topic", "alarm-topic/topic", "arn"));
    expect(target.input_transformer.input_paths).toMatchObject({
      service: "$.resources[0]",
      deployment: "$.detail.deploymentId",
      reason: "$.detail.reason",
    });
    expect(target.input_transformer.input_template).toMatch(/<deployment> of <service>: <event> .*Reason: <reason>/);
    const rule = resourceAt(main, "aws_cloudwatch_event_rule", "deployment-events/rule");
    expect(runbookKeyOf(rule.description)).toBe(DEPLOYMENT_EVENTS_KEY);
  });

  test("events: the topic policy and the key policy admit EventBridge for this rule of this account only", () => {
    const account = refTo(main, "aws_caller_identity", "caller", "account_id", "data");
    const partition = refTo(main, "aws_partition", "partition", "partition", "data");
    const rule = resourceAt(main, "aws_cloudwatch_event_rule", "deployment-events/rule");
    const ruleArn = `arn:${partition}:events:eu-west-1:${account}:rule/${rule.name}`;
    const condition = { StringEquals: { "aws:SourceAccount": account }, ArnEquals: { "aws:SourceArn": [ruleArn] } };
    const fromEvents = (policy: string) =>
      JSON.parse(policy).Statement.filter((s: any) => s.Principal?.Service === "events.amazonaws.com");
    expect(fromEvents(resourceAt(main, "aws_sns_topic_policy", "alarm-topic/policy").policy)).toEqual([
      expect.objectContaining({
        Action: "sns:Publish",
        Resource: refTo(main, "aws_sns_topic", "alarm-topic/topic", "arn"),
        Condition: condition,
      }),
    ]);
    expect(fromEvents(resourceAt(main, "aws_kms_key", "alarm-topic/key").policy)).toEqual([
      expect.objectContaining({ Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Condition: condition }),
    ]);
  });

  test("events: with an existing alarm topic, the rule sends there and the stack writes no topic policy", () => {
    const external = "arn:aws:sns:eu-west-1:123456789012:orders-alarms";
    const doc = synthApp({ alarm_topic_arn: external }).main;
    expect(resourceAt(doc, "aws_cloudwatch_event_target", "deployment-events/to-alarm-topic").arn).toBe(external);
    expect(doc.resource!.aws_sns_topic_policy).toBeUndefined();
  });
});
