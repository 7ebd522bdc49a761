import { describe, expect, test } from "vitest";
import type { PolicyInput } from "../../policy/controls/index.js";
import type { TfJson } from "../../tfjson/index.js";
import { editPolicy, first } from "../support/policy-edits.js";
import { policyFixtures } from "../support/policy-fixtures.js";
import { controlResult, controlRow } from "../support/control-result.js";

/**
 * The operations, IAM and CloudWatch Logs controls, branch by branch: each test breaks the synthesized JSON in one
 * way and asserts the problem line the report shows, or makes an accepted variation and asserts that it passes.
 */

const fixtures = await policyFixtures();
/** examples/all-options.tfvars.json: every optional control applies (and passes). */
const full = fixtures.full!;
/** The example config: the stack creates its own alarm topic (alarm_topic_arn is null). */
const example = fixtures.example!;

/** The result of one control (by its first id) on a copy of `fixture` changed by `edit`. */
function check(fixture: PolicyInput, id: string, edit: (s: { main: TfJson }) => void = () => {}) {
  const input = structuredClone(fixture);
  edit(input);
  return controlResult(input, id);
}

const policyDocument = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const alarm = (main: TfJson, name: string) =>
  first(main, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name.endsWith(name));
const role = (main: TfJson, path: string) => first(main, "aws_iam_role", (r) => r["//"].metadata.path === path);
const rolePolicy = (main: TfJson, path: string) =>
  first(main, "aws_iam_role_policy", (p) => p["//"].metadata.path === path);
const scalableTarget = (main: TfJson, path: string) =>
  first(main, "aws_appautoscaling_target", (t) => t["//"].metadata.path === path);

describe("policy report rows", () => {
  test.each([
    ["CKV_AWS_338", "| CKV_AWS_338 | aws_cloudwatch_log_group |"],
    ["CKV_AWS_158", "| CKV_AWS_158 | aws_cloudwatch_log_group |"],
    ["CKV_AWS_289", "| CKV_AWS_289, CKV_AWS_290, CKV_AWS_355 | aws_iam_role_policy |"],
    ["CKV_AWS_111", "| CKV_AWS_111, CKV_AWS_356 | aws_iam_role_policy |"],
    ["CKV_AWS_274", "| CKV_AWS_274 | aws_iam_role_policy_attachment |"],
    ["CUSTOM.IAM_TRUST", "| CUSTOM.IAM_TRUST | aws_iam_role |"],
    ["CUSTOM.ALARM_ACTIONS", "| CUSTOM.ALARM_ACTIONS | aws_cloudwatch_metric_alarm |"],
    ["SNS.1", "| SNS.1, CKV_AWS_26 | aws_sns_topic |"],
    ["CUSTOM.SCALABLE_TARGETS", "| CUSTOM.SCALABLE_TARGETS | aws_appautoscaling_target |"],
    ["CUSTOM.ALARM_DIMENSIONS", "| CUSTOM.ALARM_DIMENSIONS | aws_cloudwatch_metric_alarm |"],
  ])("policy report: the %s row names all its ids and its resource type", (id, start) => {
    expect(controlRow(full, id).slice(0, start.length)).toBe(start);
  });

  test("policy report: the exemptions of CKV_AWS_111 and CUSTOM.ALARM_DIMENSIONS are listed with their reason", () => {
    expect(controlRow(full, "CKV_AWS_111")).toContain(
      "exempt: ecr:GetAuthorizationToken (AWS defines no resource for it",
    );
    expect(controlRow(full, "CUSTOM.ALARM_DIMENSIONS")).toContain(
      "exempt: the DynamoDB `Operation` dimension (it names an API operation",
    );
  });
});

describe("CKV_AWS_338 log retention", () => {
  test("policy: CKV_AWS_338 reports a log group without retention as unset (kept forever)", () => {
    const result = check(full, "CKV_AWS_338", ({ main }) => {
      delete first(main, "aws_cloudwatch_log_group", (g) => g["//"].metadata.path === "main/api/logs")
        .retention_in_days;
    });
    expect(result.problems).toEqual(["main/api/logs: retention unset days"]);
  });
});

describe("CKV_AWS_289 wildcard actions", () => {
  test("policy: CKV_AWS_289 names every wildcard action of a policy, comma-separated", () => {
    const result = check(full, "CKV_AWS_289", ({ main }) =>
      editPolicy(rolePolicy(main, "main/processor/task-role/policy"), "policy", (d) => {
        d.Statement[0].Action = ["sqs:Receive*", "sqs:DeleteMessage"];
        d.Statement[1].Action = "dynamodb:*";
      }),
    );
    expect(result.problems).toEqual(["main/processor/task-role/policy: wildcard actions sqs:Receive*, dynamodb:*"]);
  });

  test("policy: CKV_AWS_289 accepts a wildcard in a Deny statement (it takes powers away)", () => {
    const result = check(full, "CKV_AWS_289", ({ main }) =>
      editPolicy(rolePolicy(main, "main/api/task-role/policy"), "policy", (d) =>
        d.Statement.push({ Effect: "Deny", Action: "dynamodb:Delete*", Resource: "*" }),
      ),
    );
    expect(result.status).toBe("pass");
  });

  test("policy: CKV_AWS_289 also reads standalone aws_iam_policy documents", () => {
    const result = check(full, "CKV_AWS_289", ({ main }) => {
      main.resource!.aws_iam_policy = {
        broad: { name: "broad", policy: policyDocument({ Effect: "Allow", Action: "s3:*", Resource: "*" }) },
      };
    });
    expect(result.problems).toEqual(["broad: wildcard actions s3:*"]);
  });

  test("policy: CKV_AWS_289 also reads a role's inline_policy blocks", () => {
    const result = check(full, "CKV_AWS_289", ({ main }) => {
      role(main, "main/api/task-role/role").inline_policy = [
        { name: "extra", policy: policyDocument({ Effect: "Allow", Action: "s3:Get*", Resource: "*" }) },
      ];
    });
    expect(result.problems).toEqual(["main/api/task-role/role: wildcard actions s3:Get*"]);
  });
});

describe("CKV_AWS_111 scoped resources", () => {
  test("policy: CKV_AWS_111 reports an ARN with a wildcard account, naming the statement's actions", () => {
    const result = check(full, "CKV_AWS_111", ({ main }) =>
      editPolicy(
        rolePolicy(main, "main/processor/task-role/policy"),
        "policy",
        (d) => (d.Statement[0].Resource = "arn:aws:sqs:eu-west-1:*:orders-staging-requests"),
      ),
    );
    expect(result.problems).toEqual([
      "main/processor/task-role/policy: unscoped resource for sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility",
    ]);
  });

  test("policy: CKV_AWS_111 reports `*` next to a scoped ARN in the same statement", () => {
    const result = check(full, "CKV_AWS_111", ({ main }) =>
      editPolicy(rolePolicy(main, "main/api/task-role/policy"), "policy", (d) => {
        d.Statement[0].Resource = [d.Statement[0].Resource, "*"];
      }),
    );
    expect(result.problems).toEqual(["main/api/task-role/policy: unscoped resource for dynamodb:GetItem"]);
  });

  test("policy: CKV_AWS_111 exempts ecr:GetAuthorizationToken alone, not an action sharing its `*` statement", () => {
    const result = check(full, "CKV_AWS_111", ({ main }) =>
      editPolicy(rolePolicy(main, "main/api/execution-role/policy"), "policy", (d) => {
        d.Statement[0].Action = ["ecr:GetAuthorizationToken", "ecr:BatchGetImage"];
      }),
    );
    expect(result.problems).toEqual([
      "main/api/execution-role/policy: unscoped resource for ecr:GetAuthorizationToken, ecr:BatchGetImage",
    ]);
    // the synthesized policies keep GetAuthorizationToken alone on `*`, and pass
    expect(check(full, "CKV_AWS_111").status).toBe("pass");
  });

  test("policy: CKV_AWS_111 accepts `*` in a Deny statement", () => {
    const result = check(full, "CKV_AWS_111", ({ main }) =>
      editPolicy(rolePolicy(main, "main/api/task-role/policy"), "policy", (d) =>
        d.Statement.push({ Effect: "Deny", Action: "dynamodb:DeleteTable", Resource: "*" }),
      ),
    );
    expect(result.status).toBe("pass");
  });
});

describe("CKV_AWS_274 managed policies", () => {
  test("policy: CKV_AWS_274 names the attached managed policy", () => {
    const result = check(full, "CKV_AWS_274", ({ main }) => {
      main.resource!.aws_iam_role_policy_attachment = {
        admin: { role: "x", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      };
    });
    expect(result.problems).toEqual(["admin: attaches arn:aws:iam::aws:policy/AdministratorAccess"]);
  });

  test("policy: CKV_AWS_274 reports a role with managed_policy_arns", () => {
    const result = check(full, "CKV_AWS_274", ({ main }) => {
      role(main, "main/api/task-role/role").managed_policy_arns = ["arn:aws:iam::aws:policy/AmazonS3FullAccess"];
    });
    expect(result.problems).toEqual(["main/api/task-role/role: policies outside aws_iam_role_policy"]);
  });

  test("policy: CKV_AWS_274 reports a role with an inline_policy block", () => {
    const result = check(full, "CKV_AWS_274", ({ main }) => {
      role(main, "main/processor/task-role/role").inline_policy = [
        {
          name: "extra",
          policy: policyDocument({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "${aws_sqs_queue.x.arn}" }),
        },
      ];
    });
    expect(result.problems).toEqual(["main/processor/task-role/role: policies outside aws_iam_role_policy"]);
  });
});

describe("CUSTOM.IAM_TRUST trust policies", () => {
  test("policy: CUSTOM.IAM_TRUST reports a trusted service principal that also lets an AWS account in", () => {
    const result = check(full, "CUSTOM.IAM_TRUST", ({ main }) =>
      editPolicy(role(main, "main/api/task-role/role"), "assume_role_policy", (d) => {
        d.Statement[0].Principal = { Service: "ecs-tasks.amazonaws.com", AWS: "arn:aws:iam::123456789012:root" };
      }),
    );
    expect(result.problems).toEqual([
      'main/api/task-role/role: trusts [{"Service":"ecs-tasks.amazonaws.com","AWS":"arn:aws:iam::123456789012:root"}]',
    ]);
  });

  test("policy: CUSTOM.IAM_TRUST reports a trust statement without a principal", () => {
    const result = check(full, "CUSTOM.IAM_TRUST", ({ main }) =>
      editPolicy(role(main, "main/api/task-role/role"), "assume_role_policy", (d) => delete d.Statement[0].Principal),
    );
    expect(result.problems).toEqual(["main/api/task-role/role: trusts [null]"]);
  });

  test("policy: CUSTOM.IAM_TRUST reports a service principal outside the trusted list", () => {
    const result = check(full, "CUSTOM.IAM_TRUST", ({ main }) =>
      editPolicy(role(main, "main/api/task-role/role"), "assume_role_policy", (d) => {
        d.Statement[0].Principal = { Service: "lambda.amazonaws.com" };
      }),
    );
    expect(result.problems).toEqual(['main/api/task-role/role: trusts [{"Service":"lambda.amazonaws.com"}]']);
  });
});

describe("CUSTOM.ALARM_ACTIONS", () => {
  test("policy: CUSTOM.ALARM_ACTIONS names every action that is not the alarm topic", () => {
    const result = check(full, "CUSTOM.ALARM_ACTIONS", ({ main }) => {
      alarm(main, "-processor-stalled").alarm_actions = [
        "arn:aws:sns:eu-west-1:123456789012:a",
        "${aws_sns_topic.alarm-topic_D89A1C02.arn}",
        "arn:aws:sns:eu-west-1:123456789012:b",
      ];
    });
    expect(result.problems).toEqual([
      "main/alarms/processor-stalled: notifies arn:aws:sns:eu-west-1:123456789012:a, arn:aws:sns:eu-west-1:123456789012:b, not the alarm topic",
    ]);
  });

  test("policy: CUSTOM.ALARM_ACTIONS reports an alarm without actions", () => {
    const result = check(full, "CUSTOM.ALARM_ACTIONS", ({ main }) => {
      alarm(main, "-queue-oldest-message").alarm_actions = [];
    });
    expect(result.problems).toEqual(["main/alarms/queue-oldest-message: no alarm action"]);
  });

  test("policy: CUSTOM.ALARM_ACTIONS reports an action from an unset topic ARN (null) when alarm_topic_arn is null", () => {
    expect(example.config.alarm_topic_arn).toBeNull();
    const result = check(example, "CUSTOM.ALARM_ACTIONS", ({ main }) => {
      alarm(main, "-queue-oldest-message").alarm_actions = [null];
    });
    expect(result.problems).toEqual(["main/alarms/queue-oldest-message: notifies null, not the alarm topic"]);
  });
});

describe("SNS.1 alarm topic encryption", () => {
  const topicOf = (main: TfJson) => first(main, "aws_sns_topic");
  const keyPolicyEdit = (edit: (statements: any[]) => void) => (s: { main: TfJson }) =>
    editPolicy(first(s.main, "aws_kms_key"), "policy", (d) => edit(d.Statement));
  const cloudWatchStatement = (statements: any[]) =>
    statements.find((st) => st.Principal?.Service === "cloudwatch.amazonaws.com");

  test("policy: SNS.1 reports a stack without alarm topic when alarm_topic_arn is null", () => {
    const result = check(example, "SNS.1", ({ main }) => delete main.resource!.aws_sns_topic);
    expect(result.status).toBe("fail");
    expect(result.problems).toEqual(["no alarm topic in the stack, and alarm_topic_arn is null"]);
  });

  test("policy: SNS.1 reports an unencrypted topic as not encrypted", () => {
    const result = check(full, "SNS.1", ({ main }) => delete topicOf(main).kms_master_key_id);
    expect(result.problems).toEqual(["main/alarm-topic/topic: not encrypted"]);
  });

  test("policy: SNS.1 reports a key that is not a key of this stack", () => {
    const result = check(full, "SNS.1", ({ main }) => (topicOf(main).kms_master_key_id = "alias/aws/sns"));
    expect(result.problems).toEqual([
      "main/alarm-topic/topic: kms_master_key_id alias/aws/sns is not a customer-managed key of this stack",
    ]);
  });

  test.each(["key_id", "id"])("policy: SNS.1 accepts the stack's key referenced by its %s", (attribute) => {
    const result = check(full, "SNS.1", ({ main }) => {
      const topic = topicOf(main);
      topic.kms_master_key_id = topic.kms_master_key_id.replace(/\.arn\}$/, `.${attribute}}`);
    });
    expect(result.status).toBe("pass");
  });

  test("policy: SNS.1 names every action the key policy does not grant CloudWatch", () => {
    const result = check(
      full,
      "SNS.1",
      keyPolicyEdit((statements) => (cloudWatchStatement(statements).Action = ["kms:DescribeKey"])),
    );
    expect(result.problems).toEqual([
      "main/alarm-topic/topic: main/alarm-topic/key: the key policy does not let cloudwatch.amazonaws.com use kms:GenerateDataKey*, kms:Decrypt",
    ]);
  });

  test("policy: SNS.1 does not count a grant to another principal as CloudWatch's", () => {
    const result = check(
      full,
      "SNS.1",
      keyPolicyEdit((statements) => {
        cloudWatchStatement(statements).Action = ["kms:GenerateDataKey*"];
        statements.push({
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: ["kms:Decrypt"],
          Resource: "*",
        });
      }),
    );
    expect(result.problems).toEqual([
      "main/alarm-topic/topic: main/alarm-topic/key: the key policy does not let cloudwatch.amazonaws.com use kms:Decrypt",
    ]);
  });

  test("policy: SNS.1 does not count a Deny statement for CloudWatch as a grant", () => {
    const result = check(
      full,
      "SNS.1",
      keyPolicyEdit((statements) => {
        const allow = cloudWatchStatement(statements);
        allow.Action = ["kms:GenerateDataKey*"];
        statements.push({ ...allow, Effect: "Deny", Action: ["kms:Decrypt"] });
      }),
    );
    expect(result.problems).toEqual([
      "main/alarm-topic/topic: main/alarm-topic/key: the key policy does not let cloudwatch.amazonaws.com use kms:Decrypt",
    ]);
  });
});

describe("CUSTOM.SCALABLE_TARGETS", () => {
  test("policy: CUSTOM.SCALABLE_TARGETS reports min_capacity 0 (nothing serves), naming the service", () => {
    const result = check(full, "CUSTOM.SCALABLE_TARGETS", ({ main }) => {
      scalableTarget(main, "main/processor-scaling/target").min_capacity = 0;
    });
    expect(result.problems).toEqual(["main/processor/service: min_capacity 0 (below 1 nothing serves or consumes)"]);
  });

  test("policy: CUSTOM.SCALABLE_TARGETS reports max_capacity below min_capacity", () => {
    const result = check(full, "CUSTOM.SCALABLE_TARGETS", ({ main }) => {
      scalableTarget(main, "main/api-scaling/target").max_capacity = 1;
    });
    expect(result.problems).toEqual(["main/api/service: max_capacity 1 is below min_capacity 2"]);
  });

  test("policy: CUSTOM.SCALABLE_TARGETS does not take a target of another namespace for the service's", () => {
    const result = check(full, "CUSTOM.SCALABLE_TARGETS", ({ main }) => {
      scalableTarget(main, "main/api-scaling/target").service_namespace = "dynamodb";
    });
    expect(result.problems).toEqual(["main/api/service: no scalable target"]);
  });

  test("policy: CUSTOM.SCALABLE_TARGETS does not take a target of another dimension for the desired count", () => {
    const result = check(full, "CUSTOM.SCALABLE_TARGETS", ({ main }) => {
      scalableTarget(main, "main/processor-scaling/target").scalable_dimension = "ecs:service:RunningCount";
    });
    expect(result.problems).toEqual(["main/processor/service: no scalable target"]);
  });
});

describe("CUSTOM.ALARM_DIMENSIONS", () => {
  test("policy: CUSTOM.ALARM_DIMENSIONS passes the WAF alarm's Region and Rule, and reports a typed WebACL name", () => {
    expect(check(example, "CUSTOM.ALARM_DIMENSIONS").status).toBe("pass");
    const result = check(example, "CUSTOM.ALARM_DIMENSIONS", ({ main }) => {
      alarm(main, "-waf-blocked-requests").dimensions.WebACL = "orders-prod-apis";
    });
    expect(result.problems).toEqual([
      "main/alarms/waf-blocked-requests: WebACL=orders-prod-apis is not a reference to a resource of the stack",
    ]);
  });

  test("policy: CUSTOM.ALARM_DIMENSIONS reports one metric of a metric-math alarm without dimensions", () => {
    const result = check(full, "CUSTOM.ALARM_DIMENSIONS", ({ main }) => {
      delete alarm(main, "-processor-stalled").metric_query[1].metric.dimensions;
    });
    expect(result.problems).toEqual([
      "main/alarms/processor-stalled: a metric without dimensions (an account-wide metric, not this stack's)",
    ]);
  });

  test("policy: CUSTOM.ALARM_DIMENSIONS names every literal dimension with its value", () => {
    const result = check(full, "CUSTOM.ALARM_DIMENSIONS", ({ main }) => {
      alarm(main, "-api-tasks-below-desired").metric_query[0].metric.dimensions = {
        ClusterName: "orders-staging",
        ServiceName: "orders-staging-api",
      };
    });
    expect(result.problems).toEqual([
      "main/alarms/api-tasks-below-desired: ClusterName=orders-staging, ServiceName=orders-staging-api is not a reference to a resource of the stack",
    ]);
  });

  test.each([
    ["a name derived from a reference (suffix)", "${aws_sqs_queue.queue_140BE0E7.name}-old"],
    ["a name derived from a reference (prefix)", "old-${aws_sqs_queue.queue_140BE0E7.name}"],
    ["a reference to a resource type the stack does not have", "${aws_kinesis_stream.events.name}"],
  ])("policy: CUSTOM.ALARM_DIMENSIONS reports %s", (_how, value) => {
    const result = check(full, "CUSTOM.ALARM_DIMENSIONS", ({ main }) => {
      alarm(main, "-queue-oldest-message").dimensions.QueueName = value;
    });
    expect(result.problems).toEqual([
      `main/alarms/queue-oldest-message: QueueName=${value} is not a reference to a resource of the stack`,
    ]);
  });
});
