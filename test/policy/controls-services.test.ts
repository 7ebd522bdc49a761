import { describe, expect, test } from "vitest";
import { CONTROLS, type Control } from "../../policy/controls/index.js";
import { reference, resources, type TfJson } from "../support/tfjson.js";
import { editContainers, editPolicy, first } from "../support/policy-edits.js";
import { policyFixtures, type PolicyFixture } from "../support/policy-fixtures.js";
import { controlRow } from "../support/control-result.js";

/**
 * The service controls (ECS, load balancers, SQS, API Gateway, DynamoDB, ECR) one branch at a time: each test breaks
 * (or varies) the synthesized JSON in one way and asserts the exact problem line the report shows, or that an
 * accepted alternative passes. test/policy/controls.test.ts has one break per control; these are the rest.
 */
const fixtures = await policyFixtures();
/** examples/all-options.tfvars.json: every optional feature on (pinned load balancer subnets, custom domains, ...). */
const full = fixtures.full!;
/** The example config: the load balancers take their subnets from the tagged-subnet lookup. */
const example = fixtures.example!;

// Never throws while tests are collected (a file that fails to load is no failed test to mutation testing).
const control = (id: string): Control => CONTROLS.find((c) => c.ids?.includes(id))!;

/** The problem lines of control `id` for a copy of `fixture` changed by `edit` (the fixture stays untouched). */
function problemsAfter(fixture: PolicyFixture, id: string, edit: (copy: PolicyFixture) => void): string[] {
  const copy = structuredClone(fixture);
  edit(copy);
  return control(id).check(copy);
}

const lbAt = (main: TfJson, type: string) => first(main, "aws_lb", (lb) => lb.load_balancer_type === type);
const httpsListener = (main: TfJson) => first(main, "aws_lb_listener", (l) => l.protocol === "HTTPS");
const zonePreconditions = (main: TfJson) =>
  first(main, "terraform_data", (t) =>
    (t.lifecycle?.precondition ?? []).some((p: { condition: string }) => p.condition.includes("availability_zone")),
  ).lifecycle.precondition as { condition: string }[];
const workQueue = (main: TfJson) => first(main, "aws_sqs_queue", (q) => q.redrive_policy);
const setRedrive = (main: TfJson, change: Record<string, unknown>) => {
  const queue = workQueue(main);
  queue.redrive_policy = JSON.stringify({ ...JSON.parse(queue.redrive_policy), ...change });
};

describe("policy report rows of the service controls", () => {
  /** Each control's row: every standard id it covers (Security Hub and checkov) and the resource type it checks. */
  const ROWS: [ids: string, resourceType: string][] = [
    ["APIGateway.1", "aws_api_gateway_stage"],
    ["CKV_AWS_76", "aws_api_gateway_stage"],
    ["CKV_AWS_276", "aws_api_gateway_method_settings"],
    ["APIGateway.3", "aws_api_gateway_stage"],
    ["CKV_AWS_59", "aws_api_gateway_method"],
    ["CKV2_AWS_53", "aws_api_gateway_method"],
    ["CKV_AWS_217", "aws_api_gateway_deployment"],
    ["CKV_AWS_206", "aws_api_gateway_domain_name"],
    ["APIGateway.4", "aws_wafv2_web_acl_association"],
    ["ELB.17, CKV_AWS_103", "aws_lb_listener"],
    ["ELB.1, CKV_AWS_2", "aws_lb_listener"],
    ["ELB.4, CKV_AWS_131", "aws_lb"],
    ["ELB.12", "aws_lb"],
    ["ELB.6, CKV_AWS_150", "aws_lb"],
    ["ELB.5, CKV_AWS_91", "aws_lb"],
    ["ELB.13", "aws_lb"],
    ["CUSTOM.HEALTH_CHECK", "aws_lb_target_group"],
    ["ECS.2", "aws_ecs_service"],
    ["ECS.4", "aws_ecs_task_definition"],
    ["ECS.5", "aws_ecs_task_definition"],
    ["ECS.3, ECS.17", "aws_ecs_task_definition"],
    ["ECS.8", "aws_ecs_task_definition"],
    ["ECS.9", "aws_ecs_task_definition"],
    ["ECS.10", "aws_ecs_service"],
    ["ECS.12", "aws_ecs_cluster"],
    ["ECS.20", "aws_ecs_task_definition"],
    ["CUSTOM.ECS_ROLES", "aws_ecs_task_definition"],
    ["SQS.1, CKV_AWS_27", "aws_sqs_queue"],
    ["SQS.3, CKV_AWS_72", "aws_sqs_queue_policy"],
    ["CUSTOM.SQS_TLS", "aws_sqs_queue_policy"],
    ["CUSTOM.SQS_DLQ", "aws_sqs_queue"],
    ["CUSTOM.DLQ_ALARM", "aws_cloudwatch_metric_alarm"],
    ["DynamoDB.2, CKV_AWS_28", "aws_dynamodb_table"],
    ["DynamoDB.6", "aws_dynamodb_table"],
    ["DynamoDB.1", "aws_dynamodb_table"],
    ["ECR.1", "aws_ecr_repository"],
    ["ECR.2, CKV_AWS_51", "aws_ecr_repository"],
    ["ECR.3", "aws_ecr_lifecycle_policy"],
    ["CKV_AWS_136", "aws_ecr_repository"],
  ];
  test.each(ROWS)("policy report: the row of %s names the resource type %s", (ids, resourceType) => {
    expect(controlRow(full, ids.split(", ")[0]!).startsWith(`| ${ids} | ${resourceType} | `)).toBe(true);
    // the type the row names is one the stacks really have
    expect([...resources(full.main, resourceType), ...resources(full.ecr, resourceType)]).not.toEqual([]);
  });

  test("policy report: the load balancer controls list what they exempt, and why", () => {
    const row = (id: string) => controlRow(full, id);
    expect(row("ELB.1")).toContain(
      "exempt: the NLB's TCP 443 listener (TLS passes through untouched to the ALB, which terminates it)",
    );
    expect(row("ELB.6")).toContain(
      "exempt: the NLB in the nlb -> alb migration step (keep_nlb_during_migration) (the next deploy deletes it, which AWS refuses while it is protected)",
    );
    expect(row("ELB.5")).toContain(
      "exempt: the NLB (NLBs write access logs only for TLS listeners; its TCP listener passes TLS through)",
    );
  });
});

describe("policy: ECS controls", () => {
  test("policy: ECS.4 names the privileged container", () => {
    expect(problemsAfter(full, "ECS.4", ({ main }) => editContainers(main, (c) => (c.privileged = true)))).toEqual([
      "main/api/task/api: privileged",
    ]);
  });

  test("policy: ECS.5 names the container with a writable root filesystem", () => {
    expect(
      problemsAfter(full, "ECS.5", ({ main }) => editContainers(main, (c) => (c.readonlyRootFilesystem = false))),
    ).toEqual(["main/api/task/api: writable root filesystem"]);
  });

  test("policy: ECS.8 names the variable that looks like a secret, and a container without environment passes", () => {
    expect(
      problemsAfter(full, "ECS.8", ({ main }) =>
        editContainers(main, (c) => c.environment.push({ name: "STRIPE_API_KEY", value: "sk_live_x" })),
      ),
    ).toEqual(["main/api/task/api: STRIPE_API_KEY looks like a secret in plain environment"]);
    expect(problemsAfter(full, "ECS.8", ({ main }) => editContainers(main, (c) => delete c.environment))).toEqual([]);
  });

  test("policy: ECS.9 names the container without a log configuration", () => {
    expect(problemsAfter(full, "ECS.9", ({ main }) => editContainers(main, (c) => delete c.logConfiguration))).toEqual([
      "main/api/task/api: no log configuration",
    ]);
  });

  test("policy: ECS.10 names the old Fargate platform version", () => {
    expect(
      problemsAfter(full, "ECS.10", ({ main }) => (first(main, "aws_ecs_service").platform_version = "1.3.0")),
    ).toEqual(["main/api/service: platform 1.3.0"]);
  });

  test("policy: ECS.10 also holds a service placed by a Fargate Spot capacity provider strategy", () => {
    expect(
      problemsAfter(full, "ECS.10", ({ main }) => {
        const service = first(main, "aws_ecs_service");
        delete service.launch_type;
        service.capacity_provider_strategy = [{ capacity_provider: "FARGATE_SPOT", weight: 1 }];
        service.platform_version = "1.3.0";
      }),
    ).toEqual(["main/api/service: platform 1.3.0"]);
  });

  test("policy: ECS.10 applies to Fargate only: an EC2 service has no platform version to pin", () => {
    const problems = problemsAfter(full, "ECS.10", ({ main }) => {
      const service = first(main, "aws_ecs_service");
      service.launch_type = "EC2";
      delete service.platform_version;
    });
    expect(problems).toEqual([]);
  });

  test("policy: ECS.12 accepts enhanced Container Insights", () => {
    expect(
      problemsAfter(
        full,
        "ECS.12",
        ({ main }) => (first(main, "aws_ecs_cluster").setting = [{ name: "containerInsights", value: "enhanced" }]),
      ),
    ).toEqual([]);
  });

  test("policy: ECS.12 catches a cluster without settings", () => {
    expect(problemsAfter(full, "ECS.12", ({ main }) => delete first(main, "aws_ecs_cluster").setting)).toEqual([
      "main/cluster: Container Insights off",
    ]);
  });

  test("policy: ECS.12 is not fooled by an enabled setting of another name", () => {
    expect(
      problemsAfter(
        full,
        "ECS.12",
        ({ main }) => (first(main, "aws_ecs_cluster").setting = [{ name: "somethingElse", value: "enabled" }]),
      ),
    ).toEqual(["main/cluster: Container Insights off"]);
  });

  test("policy: ECS.20 names the root user", () => {
    expect(problemsAfter(full, "ECS.20", ({ main }) => editContainers(main, (c) => (c.user = "root")))).toEqual([
      "main/api/task/api: user root",
    ]);
  });

  test("policy: ECS.20 catches a container without a user (the image's default, often root)", () => {
    expect(problemsAfter(full, "ECS.20", ({ main }) => editContainers(main, (c) => delete c.user))).toEqual([
      "main/api/task/api: user not set",
    ]);
  });

  test("policy: CUSTOM.ECS_ROLES catches a task without its task role", () => {
    expect(
      problemsAfter(
        full,
        "CUSTOM.ECS_ROLES",
        ({ main }) => delete first(main, "aws_ecs_task_definition").task_role_arn,
      ),
    ).toEqual(["main/api/task: missing a role"]);
  });

  test("policy: CUSTOM.ECS_ROLES catches a task without its execution role", () => {
    expect(
      problemsAfter(
        full,
        "CUSTOM.ECS_ROLES",
        ({ main }) => delete first(main, "aws_ecs_task_definition").execution_role_arn,
      ),
    ).toEqual(["main/api/task: missing a role"]);
  });
});

describe("policy: load balancer controls", () => {
  test("policy: ELB.17 does not trust a policy chosen by an expression, which may pick an old one", () => {
    const policy = '${var.legacy_clients ? "ELBSecurityPolicy-2016-08" : "ELBSecurityPolicy-TLS13-1-2-2021-06"}';
    expect(problemsAfter(full, "ELB.17", ({ main }) => (httpsListener(main).ssl_policy = policy))).toEqual([
      `main/ingress/alb-https: ssl_policy ${policy}`,
    ]);
  });

  test("policy: ELB.17 accepts a policy name only, not a list holding one", () => {
    expect(
      problemsAfter(
        full,
        "ELB.17",
        ({ main }) => (httpsListener(main).ssl_policy = ["ELBSecurityPolicy-TLS13-1-2-2021-06"]),
      ),
    ).toEqual(["main/ingress/alb-https: ssl_policy ELBSecurityPolicy-TLS13-1-2-2021-06"]);
  });

  test("policy: ELB.12 accepts the defensive desync mitigation mode", () => {
    expect(
      problemsAfter(full, "ELB.12", ({ main }) => (lbAt(main, "application").desync_mitigation_mode = "defensive")),
    ).toEqual([]);
  });

  test("policy: ELB.6 exempts the NLB kept for the nlb -> alb migration", () => {
    const problems = problemsAfter(full, "ELB.6", ({ main, config }) => {
      Object.assign(config, { keep_nlb_during_migration: true });
      lbAt(main, "network").enable_deletion_protection = false;
    });
    expect(problems).toEqual([]);
  });

  test("policy: ELB.6 still requires the ALB's protection during the nlb -> alb migration", () => {
    const problems = problemsAfter(full, "ELB.6", ({ main, config }) => {
      Object.assign(config, { keep_nlb_during_migration: true });
      lbAt(main, "application").enable_deletion_protection = false;
    });
    expect(problems).toEqual(["main/ingress/alb: deletion protection off"]);
  });

  test("policy: ELB.13 catches pinned subnets whose zones no precondition reads from the per-subnet lookup", () => {
    const problems = problemsAfter(full, "ELB.13", ({ main }) => {
      const list = zonePreconditions(main);
      list.splice(
        list.findIndex((p) => p.condition.includes("[id]")),
        1,
      );
    });
    expect(problems).toEqual([
      "main/ingress/alb: subnets do not come from the tagged-subnet lookup (one per AZ)",
      "main/ingress/nlb: subnets do not come from the tagged-subnet lookup (one per AZ)",
    ]);
  });

  test("policy: ELB.13 accepts more postconditions on the tagged-subnet lookup besides the 2+ one", () => {
    const problems = problemsAfter(example, "ELB.13", ({ main }) =>
      resources(main, "aws_subnets", "data")[0]!.body.lifecycle.postcondition.push({
        condition: "${length(self.ids) <= 6}",
        error_message: "at most 6 private subnets",
      }),
    );
    expect(problems).toEqual([]);
  });

  test("policy: ELB.13 catches an availability-zone check over another lookup than the load balancers' subnets", () => {
    const problems = problemsAfter(example, "ELB.13", ({ main }) => {
      const zones = zonePreconditions(main).find((p) => p.condition.includes("availability_zone"))!;
      const perSubnet = resources(main, "aws_subnet", "data")[0]!;
      zones.condition = zones.condition.replace(perSubnet.address, "data.aws_subnet.elsewhere");
    });
    expect(problems).toEqual([
      "main/ingress/alb: no check that main/network/private-subnets spans 2+ availability zones",
      "main/ingress/nlb: no check that main/network/private-subnets spans 2+ availability zones",
    ]);
  });
});

describe("policy: SQS controls", () => {
  const addStatement = (main: TfJson, statement: Record<string, unknown>) =>
    editPolicy(first(main, "aws_sqs_queue_policy"), "policy", (d) => d.Statement.push(statement));
  const sender = { AWS: "arn:aws:iam::123456789012:role/sender" };

  test("policy: SQS.3 accepts an Allow statement for a named principal and action", () => {
    const problems = problemsAfter(full, "SQS.3", ({ main }) =>
      addStatement(main, { Effect: "Allow", Principal: sender, Action: "sqs:SendMessage", Resource: "*" }),
    );
    expect(problems).toEqual([]);
  });

  test.each(["*", "sqs:*"])(
    "policy: SQS.3 catches an Allow of the action %s, even listed after a named one",
    (action) => {
      const problems = problemsAfter(full, "SQS.3", ({ main }) =>
        addStatement(main, { Effect: "Allow", Principal: sender, Action: ["sqs:SendMessage", action], Resource: "*" }),
      );
      expect(problems).toEqual(["main/queue/dlq-policy: Allow with wildcard principal or action"]);
    },
  );

  test("policy: SQS.3 catches an Allow to any AWS principal", () => {
    const problems = problemsAfter(full, "SQS.3", ({ main }) =>
      addStatement(main, { Effect: "Allow", Principal: { AWS: "*" }, Action: "sqs:SendMessage", Resource: "*" }),
    );
    expect(problems).toEqual(["main/queue/dlq-policy: Allow with wildcard principal or action"]);
  });

  test("policy: CUSTOM.SQS_TLS accepts a policy with other statements besides the TLS deny", () => {
    const problems = problemsAfter(full, "CUSTOM.SQS_TLS", ({ main }) =>
      addStatement(main, { Effect: "Allow", Principal: sender, Action: "sqs:SendMessage", Resource: "*" }),
    );
    expect(problems).toEqual([]);
  });

  test("policy: CUSTOM.SQS_TLS is not fooled by an Allow (instead of a Deny) on insecure transport", () => {
    const problems = problemsAfter(full, "CUSTOM.SQS_TLS", ({ main }) =>
      editPolicy(first(main, "aws_sqs_queue_policy"), "policy", (d) => (d.Statement[0].Effect = "Allow")),
    );
    expect(problems).toEqual(["main/queue/dlq: no TLS-only policy"]);
  });

  test("policy: CUSTOM.SQS_DLQ catches a redrive policy with a maxReceiveCount of 0", () => {
    expect(problemsAfter(full, "CUSTOM.SQS_DLQ", ({ main }) => setRedrive(main, { maxReceiveCount: 0 }))).toEqual([
      "main/queue/queue: no dead-letter queue",
    ]);
  });

  test("policy: CUSTOM.SQS_DLQ accepts a maxReceiveCount of 1 (one attempt, then the DLQ)", () => {
    expect(problemsAfter(full, "CUSTOM.SQS_DLQ", ({ main }) => setRedrive(main, { maxReceiveCount: 1 }))).toEqual([]);
  });

  test("policy: CUSTOM.DLQ_ALARM wants alarms on dead-letter queues only, not on the work queue", () => {
    const alarmsOnWorkQueue = (main: TfJson) => {
      const queue = resources(main, "aws_sqs_queue").find((q) => q.body.redrive_policy)!;
      return resources(main, "aws_cloudwatch_metric_alarm").filter(
        (a) => a.body.dimensions?.QueueName === reference(queue, "name"),
      );
    };
    expect(alarmsOnWorkQueue(full.main).map((a) => a.body.alarm_name)).toEqual(["orders-staging-queue-oldest-message"]);
    const problems = problemsAfter(full, "CUSTOM.DLQ_ALARM", ({ main }) => {
      for (const alarm of alarmsOnWorkQueue(main)) delete main.resource!.aws_cloudwatch_metric_alarm![alarm.name];
    });
    expect(problems).toEqual([]);
  });

  test("policy: CUSTOM.DLQ_ALARM names the dead-letter queue nobody watches", () => {
    const problems = problemsAfter(
      full,
      "CUSTOM.DLQ_ALARM",
      ({ main }) =>
        delete first(main, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name.endsWith("-dlq-not-empty")).dimensions,
    );
    expect(problems).toEqual(["main/queue/dlq: no alarm on its depth"]);
  });
});

describe("policy: API Gateway, DynamoDB and ECR controls", () => {
  test("policy: CKV_AWS_59 accepts a method with authorization and no API key", () => {
    const problems = problemsAfter(full, "CKV_AWS_59", ({ main }) =>
      Object.assign(first(main, "aws_api_gateway_method"), { authorization: "AWS_IAM", api_key_required: false }),
    );
    expect(problems).toEqual([]);
  });

  test("policy: CKV_AWS_206 accepts the TLS 1.3 security policies", () => {
    const problems = problemsAfter(
      full,
      "CKV_AWS_206",
      ({ main }) => (first(main, "aws_api_gateway_domain_name").security_policy = "SecurityPolicy_TLS13_1_3_2025_09"),
    );
    expect(problems).toEqual([]);
  });

  test("policy: CKV_AWS_206 does not trust a security policy chosen by an expression", () => {
    const policy = '${var.legacy_clients ? "TLS_1_0" : "TLS_1_2"}';
    const problems = problemsAfter(
      full,
      "CKV_AWS_206",
      ({ main }) => (first(main, "aws_api_gateway_domain_name").security_policy = policy),
    );
    expect(problems).toEqual([`main/ingest-api/stage/domain: security_policy ${policy}`]);
  });

  test("policy: DynamoDB.1 accepts provisioned capacity with a DynamoDB scalable target", () => {
    const problems = problemsAfter(full, "DynamoDB.1", ({ main }) => {
      Object.assign(first(main, "aws_dynamodb_table"), {
        billing_mode: "PROVISIONED",
        read_capacity: 5,
        write_capacity: 5,
      });
      main.resource!.aws_appautoscaling_target!.table_read = {
        service_namespace: "dynamodb",
        resource_id: "table/orders",
        scalable_dimension: "dynamodb:table:ReadCapacityUnits",
        min_capacity: 5,
        max_capacity: 100,
      };
    });
    expect(problems).toEqual([]);
  });

  test("policy: DynamoDB.1 names a provisioned table when only the ECS services scale", () => {
    const problems = problemsAfter(full, "DynamoDB.1", ({ main }) =>
      Object.assign(first(main, "aws_dynamodb_table"), {
        billing_mode: "PROVISIONED",
        read_capacity: 5,
        write_capacity: 5,
      }),
    );
    expect(problems).toEqual(["main/table/table: provisioned without autoscaling"]);
  });

  test("policy: ECR.2 reports a repository without tag mutability as MUTABLE, the AWS default", () => {
    expect(
      problemsAfter(full, "ECR.2", ({ ecr }) => delete first(ecr, "aws_ecr_repository").image_tag_mutability),
    ).toEqual(["ecr/api-repository: tags MUTABLE"]);
  });
});
