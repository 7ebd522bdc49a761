import { describe, expect, test } from "vitest";
import { CONTROLS, evaluate, type Control } from "../../policy/controls/index.js";
import { renderTable } from "../../policy/render.js";
import { resources, type TfJson } from "../../tfjson/index.js";
import { editContainers, editPolicy, first } from "../support/policy-edits.js";
import { EXTERNAL_TOPIC, policyFixtures } from "../support/policy-fixtures.js";
import { controlResult } from "../support/control-result.js";

/** The synthesized stacks of the example config and its variations (test/support/policy-fixtures.ts). */
const fixtures = await policyFixtures();
const example = fixtures.example!;
/** examples/all-options.tfvars.json turns every optional control on, so none of them is an exception. */
const full = fixtures.full!;

// Never throws while tests are collected: a control that lost its ids must fail a test, not the file's loading
// (a file that fails to load is no failed test to mutation testing: docs/TESTING.md).
const idOf = (control: Control) => control.ids?.[0] ?? "(a control without ids)";
const resultFor = controlResult;

/** For every control: a change to the synthesized JSON (or config) that breaks it. The check must report it. */
const BREAKERS: Record<string, (s: { ecr: TfJson; main: TfJson }) => void> = {
  "CUSTOM.ROLLOUT_STRATEGY": ({ main }) =>
    (first(main, "aws_ecs_service", (s) => s.load_balancer).deployment_configuration = { strategy: "ROLLING" }),
  "CUSTOM.ROLLOUT_ALARMS": ({ main }) => (first(main, "aws_ecs_service").alarms.rollback = false),
  "CUSTOM.DEPLOYMENT_EVENTS": ({ main }) => delete main.resource!.aws_cloudwatch_event_target,
  "APIGateway.1": ({ main }) => (first(main, "aws_api_gateway_method_settings").settings.logging_level = "OFF"),
  CKV_AWS_76: ({ main }) => delete first(main, "aws_api_gateway_stage").access_log_settings,
  CKV_AWS_276: ({ main }) => (first(main, "aws_api_gateway_method_settings").settings.data_trace_enabled = true),
  "APIGateway.3": ({ main }) => (first(main, "aws_api_gateway_stage").xray_tracing_enabled = false),
  CKV_AWS_59: ({ main }) =>
    Object.assign(first(main, "aws_api_gateway_method"), { authorization: "NONE", api_key_required: false }),
  CKV2_AWS_53: ({ main }) =>
    delete first(main, "aws_api_gateway_method", (m) => m.http_method === "POST").request_validator_id,
  CKV_AWS_217: ({ main }) => delete first(main, "aws_api_gateway_deployment").lifecycle,
  CKV_AWS_206: ({ main }) => (first(main, "aws_api_gateway_domain_name").security_policy = "TLS_1_0"),
  "APIGateway.4": ({ main }) => delete main.resource!.aws_wafv2_web_acl_association,
  "CUSTOM.KEY_PER_PLAN": ({ main }) => {
    const keys = main.resource!.aws_api_gateway_usage_plan_key!;
    const [name, key] = Object.entries(keys)[0]!;
    const other = Object.values(keys).find((k) => k.usage_plan_id !== key.usage_plan_id)!;
    keys[`${name}_shared`] = { ...other, usage_plan_id: key.usage_plan_id };
  },
  "CUSTOM.KEY_OUTPUTS": ({ main }) => {
    const key = Object.keys(main.resource!.aws_api_gateway_api_key!)[0]!;
    main.output!.leaked_key = { value: `\${aws_api_gateway_api_key.${key}.value}`, sensitive: true };
  },
  // The write method falls back to no credential, while the config records no reason for it.
  "CUSTOM.METHOD_AUTH": ({ main }) =>
    (first(main, "aws_api_gateway_method", (m) => m.http_method === "POST").authorization = "NONE"),
  "CUSTOM.API_KEY_ONLY": ({ main }) =>
    (first(main, "aws_api_gateway_method", (m) => m.http_method === "POST").authorization = "NONE"),
  "CUSTOM.IAM_NAMED_ONLY": ({ main }) => delete main.resource!.aws_api_gateway_rest_api_policy,
  "CUSTOM.METHOD_CAPACITY": ({ main }) =>
    (first(main, "aws_api_gateway_method_settings").settings.throttling_rate_limit = 5_000),
  "ELB.17": ({ main }) =>
    (first(main, "aws_lb_listener", (l) => l.protocol === "HTTPS").ssl_policy = "ELBSecurityPolicy-2016-08"),
  "ELB.1": ({ main }) =>
    Object.assign(
      first(main, "aws_lb_listener", (l) => l.protocol === "HTTPS"),
      { protocol: "HTTP", port: 80 },
    ),
  "ELB.4": ({ main }) =>
    (first(main, "aws_lb", (lb) => lb.load_balancer_type === "application").drop_invalid_header_fields = false),
  "ELB.12": ({ main }) =>
    (first(main, "aws_lb", (lb) => lb.load_balancer_type === "application").desync_mitigation_mode = "monitor"),
  "ELB.6": ({ main }) =>
    (first(main, "aws_lb", (lb) => lb.load_balancer_type === "network").enable_deletion_protection = false),
  "ELB.5": ({ main }) => delete first(main, "aws_lb", (lb) => lb.load_balancer_type === "application").access_logs,
  "ELB.13": ({ main }) => delete main.resource!.terraform_data, // the availability-zone preconditions
  "CUSTOM.HEALTH_CHECK": ({ main }) => delete first(main, "aws_lb_target_group").health_check.path,
  "ECS.2": ({ main }) => (first(main, "aws_ecs_service").network_configuration.assign_public_ip = true),
  "ECS.4": ({ main }) => editContainers(main, (c) => (c.privileged = true)),
  "ECS.5": ({ main }) => editContainers(main, (c) => (c.readonlyRootFilesystem = false)),
  "ECS.3": ({ main }) => (first(main, "aws_ecs_task_definition").pid_mode = "host"),
  "ECS.8": ({ main }) => editContainers(main, (c) => c.environment.push({ name: "DB_PASSWORD", value: "hunter2" })),
  "ECS.9": ({ main }) => editContainers(main, (c) => delete c.logConfiguration),
  "ECS.10": ({ main }) => (first(main, "aws_ecs_service").platform_version = "1.3.0"),
  "ECS.12": ({ main }) => (first(main, "aws_ecs_cluster").setting = [{ name: "containerInsights", value: "disabled" }]),
  "ECS.20": ({ main }) => editContainers(main, (c) => (c.user = "root")),
  "CUSTOM.ECS_ROLES": ({ main }) => {
    const task = first(main, "aws_ecs_task_definition");
    task.task_role_arn = task.execution_role_arn;
  },
  "SQS.1": ({ main }) => (first(main, "aws_sqs_queue", (q) => !q.redrive_policy).sqs_managed_sse_enabled = false),
  "SQS.3": ({ main }) =>
    editPolicy(first(main, "aws_sqs_queue_policy"), "policy", (d) =>
      d.Statement.push({ Effect: "Allow", Principal: "*", Action: "sqs:SendMessage", Resource: "*" }),
    ),
  "CUSTOM.SQS_TLS": ({ main }) =>
    editPolicy(first(main, "aws_sqs_queue_policy"), "policy", (d) => (d.Statement[0].Condition = {})),
  "CUSTOM.SQS_DLQ": ({ main }) => delete first(main, "aws_sqs_queue", (q) => q.redrive_policy).redrive_policy,
  "CUSTOM.DLQ_ALARM": ({ main }) =>
    delete first(main, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name?.includes("dlq")).dimensions,
  "DynamoDB.2": ({ main }) => (first(main, "aws_dynamodb_table").point_in_time_recovery.enabled = false),
  "DynamoDB.6": ({ main }) => (first(main, "aws_dynamodb_table").deletion_protection_enabled = false),
  "DynamoDB.1": ({ main }) =>
    Object.assign(first(main, "aws_dynamodb_table"), {
      billing_mode: "PROVISIONED",
      read_capacity: 5,
      write_capacity: 5,
    }),
  "ECR.1": ({ ecr }) => (first(ecr, "aws_ecr_repository").image_scanning_configuration.scan_on_push = false),
  "ECR.2": ({ ecr }) => (first(ecr, "aws_ecr_repository").image_tag_mutability = "MUTABLE"),
  "ECR.3": ({ ecr }) => delete ecr.resource!.aws_ecr_lifecycle_policy,
  CKV_AWS_136: ({ ecr }) =>
    (first(ecr, "aws_ecr_repository").encryption_configuration = [{ encryption_type: "AES256" }]),
  CKV_AWS_338: ({ main }) => (first(main, "aws_cloudwatch_log_group").retention_in_days = 0),
  CKV_AWS_158: ({ main }) => delete first(main, "aws_cloudwatch_log_group").kms_key_id,
  CKV_AWS_289: ({ main }) =>
    editPolicy(first(main, "aws_iam_role_policy"), "policy", (d) => (d.Statement[0].Action = "dynamodb:Get*")),
  CKV_AWS_274: ({ main }) =>
    (main.resource!.aws_iam_role_policy_attachment = {
      admin: { role: "x", policy_arn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    }),
  CKV_AWS_111: ({ main }) =>
    editPolicy(
      first(
        main,
        "aws_iam_role_policy",
        (p) => !p.policy.includes("GetAuthorizationToken") && !p.policy.includes("elasticloadbalancing:Describe"),
      ),
      "policy",
      (d) => (d.Statement[0].Resource = "*"),
    ),
  "CUSTOM.IAM_TRUST": ({ main }) =>
    editPolicy(first(main, "aws_iam_role"), "assume_role_policy", (d) => (d.Statement[0].Principal = { AWS: "*" })),
  "EC2.19": ({ main }) => (first(main, "aws_vpc_security_group_ingress_rule").cidr_ipv4 = "0.0.0.0/1"),
  // The ALB's group admits the api tasks' group instead of the NLB's: a hop out of order.
  "CUSTOM.SG_HOPS": ({ main }) => {
    const rules = resources(main, "aws_vpc_security_group_ingress_rule");
    const toAlb = rules.find((r) => r.path.endsWith("/nlb-to-alb-ingress"))!.body;
    const toTasks = rules.find((r) => r.path.endsWith("/from-load-balancer-ingress"))!.body;
    toAlb.referenced_security_group_id = toTasks.security_group_id;
  },
  // The query integration keeps its v1 link but also names a target, as only v2 links do: a path out of its mode.
  "CUSTOM.PRIVATE_PATH": ({ main }) =>
    (first(main, "aws_api_gateway_integration", (i) => i.connection_type === "VPC_LINK").integration_target =
      "${aws_lb.x.arn}"),
  // A task group that may reach the internet again although the endpoints are on.
  "CUSTOM.TASK_EGRESS": ({ main }) =>
    (main.resource!.aws_vpc_security_group_egress_rule!.internet = {
      security_group_id: first(main, "aws_ecs_service").network_configuration.security_groups[0],
      cidr_ipv4: "0.0.0.0/0",
      ip_protocol: "tcp",
      from_port: 443,
      to_port: 443,
    }),
  "CUSTOM.ALARM_ACTIONS": ({ main }) =>
    delete first(main, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name.endsWith("-processor-stalled")).alarm_actions,
  "SNS.1": ({ main }) => delete first(main, "aws_sns_topic").kms_master_key_id,
  "CUSTOM.SCALABLE_TARGETS": ({ main }) => {
    const targets = main.resource!.aws_appautoscaling_target!;
    const api = resources(main, "aws_appautoscaling_target").find((t) => t.path.endsWith("api-scaling/target"))!;
    delete targets[api.name];
  },
  // The DLQ alarm watching a queue by a typed name instead of by reference.
  "CUSTOM.ALARM_DIMENSIONS": ({ main }) =>
    (first(main, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name.endsWith("-dlq-not-empty")).dimensions.QueueName =
      "orders-prod-requests-dlq"),
};

describe("policy controls", () => {
  test("policy: the example config passes every control that applies to it", () => {
    const failures = evaluate(example).filter((r) => r.status === "fail");
    expect(failures.map((r) => `${idOf(r.control)}: ${r.problems.join("; ")}`)).toEqual([]);
  });

  test("policy: with every optional feature configured, every control applies and passes", () => {
    expect(
      evaluate(full)
        .map((r) => [idOf(r.control), r.status])
        .filter(([, status]) => status !== "pass"),
    ).toEqual([]);
  });

  test("policy: controls that do not apply say why, and only optional features are exceptions", () => {
    const exceptions = evaluate(example).filter((r) => r.status === "exception");
    expect(exceptions.map((r) => idOf(r.control)).sort()).toEqual(["CKV_AWS_158", "CKV_AWS_206", "ELB.5"]);
    for (const r of exceptions) expect(r.exceptionReason).toMatch(/.{20,}/);
  });

  test("policy: every control has a test that breaks it", () => {
    expect(Object.keys(BREAKERS).sort()).toEqual(CONTROLS.map(idOf).sort());
  });

  test.each(CONTROLS.map((c) => [idOf(c), c.title] as const))(
    "policy: %s (%s) reports a violation when broken",
    (id) => {
      const broken = structuredClone(full);
      BREAKERS[id]!(broken);
      const result = resultFor(broken, id);
      expect(result.status).toBe("fail");
      expect(result.problems.length).toBeGreaterThan(0);
      // The break is specific: the untouched synth still passes this control.
      expect(resultFor(full, id).status).toBe("pass");
    },
  );

  const SUBTLE_BREAKS: [id: string, how: string, (s: { main: TfJson }) => void][] = [
    [
      "CUSTOM.ALARM_ACTIONS",
      "an action that is not the alarm topic",
      ({ main }) =>
        (first(main, "aws_cloudwatch_metric_alarm").alarm_actions = [
          "arn:aws:sns:eu-west-1:123456789012:somewhere-else",
        ]),
    ],
    [
      "SNS.1",
      "the AWS-managed SNS key (alarms cannot publish with it)",
      ({ main }) => (first(main, "aws_sns_topic").kms_master_key_id = "alias/aws/sns"),
    ],
    [
      "SNS.1",
      "a key policy that leaves CloudWatch out",
      ({ main }) =>
        editPolicy(
          first(main, "aws_kms_key"),
          "policy",
          (d) => (d.Statement = d.Statement.filter((s: any) => s.Principal?.Service !== "cloudwatch.amazonaws.com")),
        ),
    ],
    ["SNS.1", "key rotation off", ({ main }) => (first(main, "aws_kms_key").enable_key_rotation = false)],
    [
      "CUSTOM.SCALABLE_TARGETS",
      "max below min",
      ({ main }) => (first(main, "aws_appautoscaling_target").max_capacity = 0),
    ],
    [
      "CUSTOM.SCALABLE_TARGETS",
      "a scalable target without a policy",
      ({ main }) => delete main.resource!.aws_appautoscaling_policy,
    ],
    [
      "CUSTOM.SCALABLE_TARGETS",
      "a service that resets its count on every deploy",
      ({ main }) => delete first(main, "aws_ecs_service").lifecycle,
    ],
    [
      "CUSTOM.ALARM_DIMENSIONS",
      "a literal inside a metric-math query",
      ({ main }) =>
        (first(main, "aws_cloudwatch_metric_alarm", (a) =>
          a.alarm_name.endsWith("-processor-stalled"),
        ).metric_query[0].metric.dimensions.QueueName = "orders-prod-requests"),
    ],
    [
      "CUSTOM.ALARM_DIMENSIONS",
      "a reference to a resource that is not in the stack",
      ({ main }) =>
        (first(main, "aws_cloudwatch_metric_alarm", (a) =>
          a.alarm_name.endsWith("-queue-oldest-message"),
        ).dimensions.QueueName = "${aws_sqs_queue.gone.name}"),
    ],
    [
      "CUSTOM.ALARM_DIMENSIONS",
      "a metric without dimensions",
      ({ main }) =>
        delete first(main, "aws_cloudwatch_metric_alarm", (a) => a.alarm_name.endsWith("-queue-oldest-message"))
          .dimensions,
    ],
    [
      "CKV_AWS_111",
      "an ARN with a wildcard region",
      ({ main }) =>
        editPolicy(
          first(main, "aws_iam_role_policy", (p) => p.policy.includes("dynamodb:GetItem")),
          "policy",
          (d) => (d.Statement[0].Resource = "arn:aws:dynamodb:*:123456789012:table/x"),
        ),
    ],
    [
      "CUSTOM.SG_HOPS",
      "tasks admitting the ALB on a second port",
      ({ main }) =>
        Object.assign(
          resources(main, "aws_vpc_security_group_ingress_rule").find((r) =>
            r.path.endsWith("/from-load-balancer-ingress"),
          )!.body,
          { from_port: 22, to_port: 22 },
        ),
    ],
    ["ECS.20", "a numeric root user", ({ main }) => editContainers(main, (c) => (c.user = "0:0"))],
    [
      "CKV_AWS_289",
      "a wildcard inside an action name",
      ({ main }) =>
        editPolicy(first(main, "aws_iam_role_policy"), "policy", (d) => (d.Statement[0].Action = ["sqs:Send*"])),
    ],
  ];
  test.each(SUBTLE_BREAKS)("policy: %s is not fooled by %s", (id, _how, breakIt) => {
    const broken = structuredClone(full);
    breakIt(broken);
    expect(resultFor(broken, id).status).toBe("fail");
  });

  /** Each check of a control, one break each, with the problem line the report shows. */
  const firstData = (doc: TfJson, type: string) => resources(doc, type, "data")[0]!.body as any;
  const lbAt = (main: TfJson, type: string) => first(main, "aws_lb", (lb) => lb.load_balancer_type === type);
  // The subnet-zone guards (other terraform_data, such as the VPC DNS check with endpoints on, hold other preconditions).
  const zonePreconditions = (main: TfJson) =>
    first(main, "terraform_data", (t) =>
      (t.lifecycle?.precondition ?? []).some((p: { condition: string }) => p.condition.includes("availability_zone")),
    ).lifecycle.precondition as { condition: string }[];
  const BRANCHES: [
    id: string,
    fixture: "full" | "example",
    how: string,
    (s: { main: TfJson }) => void,
    problem: RegExp,
  ][] = [
    [
      "ELB.13",
      "full",
      "pinned subnets replaced by an expression that is not the lookup",
      ({ main }) => (lbAt(main, "application").subnets = "${var.other_subnets}"),
      /^main\/ingress\/alb: subnets do not come from the tagged-subnet lookup \(one per AZ\)$/,
    ],
    [
      "ELB.13",
      "example",
      "subnets from an expression that is not the lookup",
      ({ main }) => (lbAt(main, "network").subnets = "${var.other_subnets}"),
      /^main\/ingress\/nlb: subnets do not come from the tagged-subnet lookup/,
    ],
    [
      "ELB.13",
      "full",
      "a pinned subnet that no precondition checks",
      ({ main }) => lbAt(main, "network").subnets.push("subnet-0a0000000000000c1"),
      /^main\/ingress\/nlb: pinned subnets subnet-0a0000000000000c1 are not checked against the tagged-subnet lookup$/,
    ],
    [
      "ELB.13",
      "full",
      "no contains() precondition for the pinned subnets",
      ({ main }) => {
        const list = zonePreconditions(main);
        list.splice(
          list.findIndex((p) => p.condition.includes("contains(")),
          1,
        );
      },
      /: pinned subnets subnet-0a0000000000000a1, subnet-0a0000000000000b1 are not checked/,
    ],
    [
      "ELB.13",
      "full",
      "a per-subnet lookup that iterates something else",
      ({ main }) => (firstData(main, "aws_subnet").for_each = "${toset(var.ids)}"),
      /: main\/network\/private-subnet does not iterate a tagged-subnet lookup$/,
    ],
    [
      "ELB.13",
      "example",
      "a tagged-subnet lookup that accepts one subnet",
      ({ main }) => (firstData(main, "aws_subnets").lifecycle.postcondition[0].condition = "${length(self.ids) >= 1}"),
      /: main\/network\/private-subnets does not require 2\+ subnets$/,
    ],
    [
      "ELB.13",
      "example",
      "an availability-zone check that accepts one zone",
      ({ main }) => {
        const zones = zonePreconditions(main).find((p) => p.condition.includes("availability_zone"))!;
        zones.condition = zones.condition.replace(">= 2", ">= 1");
      },
      /: no check that main\/network\/private-subnets spans 2\+ availability zones$/,
    ],
    [
      "CKV2_AWS_53",
      "full",
      "a PUT method without a body validator",
      ({ main }) =>
        (main.resource!.aws_api_gateway_method!.put = {
          http_method: "PUT",
          authorization: "NONE",
          api_key_required: true,
        }),
      /^put: no body validator$/,
    ],
    [
      "CKV2_AWS_53",
      "full",
      "a PATCH method whose validator does not validate bodies",
      ({ main }) => {
        const validator = first(main, "aws_api_gateway_request_validator", (v) => v.validate_request_body === true);
        const post = first(main, "aws_api_gateway_method", (m) => m.http_method === "POST");
        post.http_method = "PATCH";
        validator.validate_request_body = false;
      },
      /: no body validator$/,
    ],
    [
      "APIGateway.1",
      "full",
      "a stage without */* method settings",
      ({ main }) => (first(main, "aws_api_gateway_method_settings").method_path = "items/GET"),
      /: no \*\/\* method settings$/,
    ],
    [
      "APIGateway.1",
      "full",
      "metrics off at INFO level",
      ({ main }) =>
        Object.assign(first(main, "aws_api_gateway_method_settings").settings, {
          logging_level: "INFO",
          metrics_enabled: false,
        }),
      /: metrics disabled$/,
    ],
    [
      "ECS.3",
      "full",
      "the host network mode",
      ({ main }) => (first(main, "aws_ecs_task_definition").network_mode = "host"),
      /: host network mode$/,
    ],
    [
      "ELB.17",
      "full",
      "a TLS listener with an old policy",
      ({ main }) =>
        Object.assign(
          first(main, "aws_lb_listener", (l) => l.protocol === "HTTPS"),
          { protocol: "TLS", ssl_policy: "ELBSecurityPolicy-TLS-1-1-2017-01" },
        ),
      /: ssl_policy ELBSecurityPolicy-TLS-1-1-2017-01$/,
    ],
  ];
  test.each(BRANCHES)("policy: %s on the %s config reports %s", (id, fixture, _how, breakIt, problem) => {
    const broken = structuredClone(fixture === "full" ? full : example);
    breakIt(broken);
    const result = resultFor(broken, id);
    expect(result.status).toBe("fail");
    // one line per resource at fault (both load balancers when the shared network lookup is broken)
    expect(result.problems).toEqual(result.problems.map(() => expect.stringMatching(problem)));
  });

  test("policy: a GET method needs no body validator, and TLS 1.2/1.3 listener policies of each family pass", () => {
    const broken = structuredClone(full);
    delete first(broken.main, "aws_api_gateway_method", (m) => m.http_method === "GET").request_validator_id;
    expect(resultFor(broken, "CKV2_AWS_53").status).toBe("pass");
    for (const policy of [
      "ELBSecurityPolicy-TLS13-1-2-2021-06",
      "ELBSecurityPolicy-TLS13-1-3-2021-06",
      "ELBSecurityPolicy-TLS-1-2-Ext-2018-06",
      "ELBSecurityPolicy-FS-1-2-Res-2020-10",
    ]) {
      const listener = structuredClone(full);
      first(listener.main, "aws_lb_listener", (l) => l.protocol === "HTTPS").ssl_policy = policy;
      expect(resultFor(listener, "ELB.17").status, policy).toBe("pass");
    }
  });

  test("policy: deletion protection off (a dev config) makes ELB.6 and DynamoDB.6 exceptions, never silent passes", () => {
    const dev = fixtures.dev!;
    expect(resultFor(dev, "ELB.6").status).toBe("exception");
    expect(resultFor(dev, "DynamoDB.6").status).toBe("exception");
  });

  test("policy: with alarm_topic_arn set, the topic's encryption is an exception and every alarm still notifies that topic", () => {
    const external = fixtures.external!;
    expect(external.config.alarm_topic_arn).toBe(EXTERNAL_TOPIC);
    expect(resultFor(external, "SNS.1")).toMatchObject({
      status: "exception",
      exceptionReason: expect.stringContaining("alarm_topic_arn"),
    });
    expect(resultFor(external, "CUSTOM.ALARM_ACTIONS").status).toBe("pass");
  });

  test("policy: a service fixed at one size passes CUSTOM.SCALABLE_TARGETS and is reported as fixed", () => {
    const fixed = fixtures.fixed!;
    const result = resultFor(fixed, "CUSTOM.SCALABLE_TARGETS");
    expect(result.status).toBe("pass");
    expect(result.notes).toEqual([expect.stringMatching(/api\/service: fixed size \(min = max = 3\)$/)]);
    expect(resultFor(example, "CUSTOM.SCALABLE_TARGETS").notes).toBeUndefined();
    expect(renderTable(evaluate(fixed))).toContain("fixed size (min = max = 3)");
  });

  test("policy: a shorter log retention fails CKV_AWS_338 through config alone", () => {
    const shortLogs = fixtures.shortLogs!;
    expect(resultFor(shortLogs, "CKV_AWS_338").problems[0]).toContain("retention 30 days");
  });

  test("policy report: one Markdown row per control with status and a closing count line", () => {
    const table = renderTable(evaluate(example)).split("\n");
    expect(table[0]).toBe("| control | resource | requirement | result | notes |");
    expect(
      table.filter((line) => line.startsWith("| ") && !line.startsWith("| control") && !line.startsWith("| ---")),
    ).toHaveLength(CONTROLS.length);
    expect(table.at(-1)).toMatch(/^\d+ passed, 0 failed, 3 not applicable to this config$/);
  });
});
