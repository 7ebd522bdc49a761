import { describe, expect, test } from "vitest";
import { CONTROLS, type Control } from "../../policy/controls/index.js";
import type { TfJson } from "../support/tfjson.js";
import { first } from "../support/policy-edits.js";
import { EXTERNAL_TOPIC, policyFixtures, type PolicyFixture } from "../support/policy-fixtures.js";

/**
 * The safe-rollout controls one branch at a time: each test changes the synthesized JSON (or the config) in one
 * way and asserts the problem line, or that an accepted alternative passes.
 */
const fixtures = await policyFixtures();
const example = fixtures.example!;
const external = fixtures.external!;

// Never throws while tests are collected (a file that fails to load is no failed test to mutation testing).
const control = (id: string): Control => CONTROLS.find((c) => c.ids?.includes(id))!;

function problemsAfter(fixture: PolicyFixture, id: string, edit: (copy: PolicyFixture) => void): string[] {
  const copy = structuredClone(fixture);
  edit(copy);
  return control(id).check(copy);
}

const apiService = (main: TfJson) => first(main, "aws_ecs_service", (s) => s.name === "api");
const processorService = (main: TfJson) => first(main, "aws_ecs_service", (s) => s.name === "processor");
const eventRule = (main: TfJson) => first(main, "aws_cloudwatch_event_rule");
const editPattern = (main: TfJson, edit: (pattern: any) => void) => {
  const pattern = JSON.parse(eventRule(main).event_pattern);
  edit(pattern);
  eventRule(main).event_pattern = JSON.stringify(pattern);
};

describe("CUSTOM.ROLLOUT_STRATEGY", () => {
  test("policy: CUSTOM.ROLLOUT_STRATEGY passes the example (a canary api) and ignores the processor's rolling", () => {
    expect(control("CUSTOM.ROLLOUT_STRATEGY").check(example)).toEqual([]);
  });

  test("policy: CUSTOM.ROLLOUT_STRATEGY reports a rolling api without a recorded reason, and accepts one with", () => {
    const rollingApi = (copy: PolicyFixture) =>
      (apiService(copy.main).deployment_configuration = { strategy: "ROLLING" });
    expect(problemsAfter(example, "CUSTOM.ROLLOUT_STRATEGY", rollingApi)).toEqual([
      "main/api/service: rolling, and the config records no deployment.reason",
    ]);
    expect(
      problemsAfter(example, "CUSTOM.ROLLOUT_STRATEGY", (copy) => {
        rollingApi(copy);
        (copy.config.services.api as any).deployment = { strategy: "rolling", reason: "internal tool, one client" };
      }),
    ).toEqual([]);
  });

  test("policy: CUSTOM.ROLLOUT_STRATEGY reports a traffic-shifting strategy without its advanced configuration", () => {
    expect(
      problemsAfter(
        example,
        "CUSTOM.ROLLOUT_STRATEGY",
        (copy) => delete apiService(copy.main).load_balancer[0].advanced_configuration,
      ),
    ).toEqual([
      "main/api/service: CANARY without load_balancer.advanced_configuration (no alternate group, rule or role)",
    ]);
  });
});

describe("CUSTOM.ROLLOUT_ALARMS", () => {
  test("policy: CUSTOM.ROLLOUT_ALARMS reports a service without circuit-breaker rollback", () => {
    expect(
      problemsAfter(
        example,
        "CUSTOM.ROLLOUT_ALARMS",
        (copy) => (processorService(copy.main).deployment_circuit_breaker.rollback = false),
      ),
    ).toEqual(["main/processor/service: no circuit-breaker rollback"]);
  });

  test("policy: CUSTOM.ROLLOUT_ALARMS reports a service whose alarms do not roll back or name none", () => {
    for (const edit of [
      (s: any) => (s.alarms.enable = false),
      (s: any) => (s.alarms.alarm_names = []),
      (s: any) => delete s.alarms,
    ]) {
      expect(problemsAfter(example, "CUSTOM.ROLLOUT_ALARMS", (copy) => edit(apiService(copy.main)))).toEqual([
        "main/api/service: no alarm rollback (alarms.enable, alarms.rollback, alarm_names)",
      ]);
    }
  });

  test("policy: CUSTOM.ROLLOUT_ALARMS reports an alarm name the stack does not have, and one that breaches on missing data", () => {
    expect(
      problemsAfter(example, "CUSTOM.ROLLOUT_ALARMS", (copy) => {
        apiService(copy.main).alarms.alarm_names = ["orders-prod-no-such-alarm", "orders-prod-api-no-healthy-hosts"];
      }),
    ).toEqual([
      "main/api/service: rollback alarms missing from the stack or breaching on missing data: orders-prod-no-such-alarm, orders-prod-api-no-healthy-hosts",
    ]);
  });
});

describe("CUSTOM.DEPLOYMENT_EVENTS", () => {
  test("policy: CUSTOM.DEPLOYMENT_EVENTS passes the stack's own topic and an external alarm_topic_arn", () => {
    expect(control("CUSTOM.DEPLOYMENT_EVENTS").check(example)).toEqual([]);
    expect(first(external.main, "aws_cloudwatch_event_target").arn).toBe(EXTERNAL_TOPIC);
    expect(control("CUSTOM.DEPLOYMENT_EVENTS").check(external)).toEqual([]);
  });

  test("policy: CUSTOM.DEPLOYMENT_EVENTS reports a rule that misses a service, names another, or is not about deployments", () => {
    const none = ["no ECS deployment rule naming exactly the stack's services"];
    for (const edit of [
      (p: any) => p.resources.pop(),
      (p: any) => p.resources.push("arn:aws:ecs:eu-west-1:123456789012:service/other/api"),
      (p: any) => (p["detail-type"] = ["ECS Task State Change"]),
      (p: any) => (p.source = ["aws.ec2"]),
    ]) {
      expect(problemsAfter(example, "CUSTOM.DEPLOYMENT_EVENTS", (copy) => editPattern(copy.main, edit))).toEqual(none);
    }
  });

  test("policy: CUSTOM.DEPLOYMENT_EVENTS reports a rule whose target is not the alarm topic", () => {
    expect(
      problemsAfter(example, "CUSTOM.DEPLOYMENT_EVENTS", (copy) => {
        first(copy.main, "aws_cloudwatch_event_target").arn = "arn:aws:sns:eu-west-1:123456789012:elsewhere";
      }),
    ).toEqual(["main/deployment-events/rule: no target on the alarm topic"]);
    expect(
      problemsAfter(external, "CUSTOM.DEPLOYMENT_EVENTS", (copy) => {
        (copy.config as any).alarm_topic_arn = "arn:aws:sns:eu-west-1:123456789012:elsewhere";
      }),
    ).toEqual(["main/deployment-events/rule: no target on the alarm topic"]);
  });
});
