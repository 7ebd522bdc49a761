import { describe, expect, test } from "vitest";
import { loadApiConfig } from "../../apps/api/src/config.js";
import { resources, type TfResource } from "../support/tfjson.js";
import {
  addressOf,
  ECR_COLLECTOR_TRACING,
  refTo,
  resourceAt,
  resourcesOf,
  synthApp,
  type TfJson,
} from "../support/synth.js";

/**
 * Issue 13: `private_integration` ("nlb" default, "alb" = VPC Link v2 straight to the ALB), the nlb -> alb migration
 * steps, and `vpc_endpoints` ("create" or "existing"). The `nlb` mode is pinned by the snapshot (unchanged); these
 * tests pin what the other modes add, change and remove (the keys' own rules: test/infra/config.test.ts).
 */

const sgRules = (doc: TfJson, kind: "ingress" | "egress") =>
  resourcesOf(doc, `aws_vpc_security_group_${kind}_rule`).map(([, body]) => body);

describe("private_integration alb: VPC Link v2 straight to the ALB", () => {
  const { main } = synthApp({ private_integration: "alb" });
  const alb = refTo(main, "aws_lb", "ingress/alb", "arn");
  const albGroup = refTo(main, "aws_security_group", "ingress/alb-sg", "id");
  const linkGroup = refTo(main, "aws_security_group", "ingress/vpc-link-sg", "id");

  test("alb: no NLB, no NLB target group and no VPC Link v1 exist", () => {
    expect(resourcesOf(main, "aws_lb").map(([, lb]) => lb.load_balancer_type)).toEqual(["application"]);
    expect(main.resource!.aws_api_gateway_vpc_link).toBeUndefined();
    // The api's group and the alternate group ECS shifts traffic to: no NLB group holding the ALB.
    expect(resourcesOf(main, "aws_lb_target_group").map(([, tg]) => tg.target_type)).toEqual(["ip", "ip"]);
    expect(main.output!.nlb_dns_name).toBeUndefined();
  });

  test("alb: the v2 link sits in the load balancer subnets (one per AZ) with its own security group", () => {
    const link = resourceAt(main, "aws_apigatewayv2_vpc_link", "ingress/vpc-link-v2");
    expect(link.subnet_ids).toEqual(resourceAt(main, "aws_lb", "ingress/alb").subnets);
    expect(link.subnet_ids).toMatch(/sort\(ids\)\[0\]/);
    expect(link.security_group_ids).toEqual([linkGroup]);
  });

  test("alb: the v2 link follows pinned load balancer subnets, so tagging more subnets never replaces it", () => {
    const pinned = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
    const doc = synthApp({ private_integration: "alb", load_balancer_subnet_ids: pinned }).main;
    expect(resourceAt(doc, "aws_apigatewayv2_vpc_link", "ingress/vpc-link-v2").subnet_ids).toEqual(pinned);
  });

  test("alb: the ALB admits 443 from the link's group only, and the link's group sends only to the ALB on 443", () => {
    const intoAlb = sgRules(main, "ingress").filter((r) => r.security_group_id === albGroup);
    expect(intoAlb).toEqual([
      expect.objectContaining({
        referenced_security_group_id: linkGroup,
        from_port: 443,
        to_port: 443,
        ip_protocol: "tcp",
      }),
    ]);
    expect(sgRules(main, "ingress").filter((r) => r.security_group_id === linkGroup)).toEqual([]);
    expect(sgRules(main, "egress").filter((r) => r.security_group_id === linkGroup)).toEqual([
      expect.objectContaining({ referenced_security_group_id: albGroup, from_port: 443, to_port: 443 }),
    ]);
  });

  test("alb: both query integrations target the ALB through the v2 link, over HTTPS to the certificate's domain", () => {
    const link = refTo(main, "aws_apigatewayv2_vpc_link", "ingress/vpc-link-v2", "id");
    for (const [path, uri] of [
      ["query-api/get-request-integration", "https://orders-internal.example.com/requests/{requestId}"],
      ["query-api/get-health-integration", "https://orders-internal.example.com/health"],
    ] as const) {
      const integration = resourceAt(main, "aws_api_gateway_integration", path);
      expect(integration).toMatchObject({
        type: "HTTP_PROXY",
        connection_type: "VPC_LINK",
        connection_id: link,
        integration_target: alb,
        uri,
      });
      // The ALB admits the link before an integration can send over it.
      expect(integration.depends_on).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^aws_vpc_security_group_ingress_rule\.ingress_vpc-link-to-alb-ingress/),
          expect.stringMatching(/^aws_lb_listener\.ingress_alb-https/),
        ]),
      );
    }
  });

  test("alb: replacing the ALB redeploys the stage (its ARN is in the deployment's integration-target hash)", () => {
    const triggers = resourceAt(main, "aws_api_gateway_deployment", "query-api/stage/deployment").triggers;
    expect(triggers.integration_targets).toContain(alb.slice(2, -1));
    const nlbTriggers = resourceAt(
      synthApp().main,
      "aws_api_gateway_deployment",
      "query-api/stage/deployment",
    ).triggers;
    expect(nlbTriggers.integration_targets).not.toContain("aws_lb.");
  });

  test("alb: the api serves its routes under the stage name too (a v2 link sends /v1/...), and its loader accepts that env", () => {
    const environment = (doc: TfJson) =>
      Object.fromEntries(
        JSON.parse(resourceAt(doc, "aws_ecs_task_definition", "api/task").container_definitions)[0].environment.map(
          (e: any) => [e.name, e.value],
        ),
      );
    const env = environment(main);
    expect(env.PATH_PREFIX).toBe("/v1");
    expect(loadApiConfig({ ...env, TABLE_NAME: "orders-prod-requests" }).pathPrefix).toBe("/v1");
    expect(environment(synthApp().main).PATH_PREFIX).toBeUndefined();
  });

  test("alb: outputs name the ALB and the v2 link; no NLB alarm or dashboard line", () => {
    expect(main.output!.alb_dns_name!.description).toContain("VPC Link v2");
    expect(main.output!.vpc_link_v2_id!.value).toBe(
      refTo(main, "aws_apigatewayv2_vpc_link", "ingress/vpc-link-v2", "id"),
    );
    const alarmNames = resourcesOf(main, "aws_cloudwatch_metric_alarm").map(([, a]) => a.alarm_name as string);
    expect(alarmNames.some((n) => n.endsWith("-nlb-alb-unhealthy"))).toBe(false);
    expect(alarmNames.some((n) => n.endsWith("-api-no-healthy-hosts"))).toBe(true);
    const dashboard = resourceAt(main, "aws_cloudwatch_dashboard", "dashboard/dashboard").dashboard_body as string;
    expect(dashboard).not.toContain("AWS/NetworkELB");
    expect(dashboard).not.toContain("NLB");
    expect(dashboard).toContain("5. VPC Link v2 -> ALB");
  });
});

/** Every resource, data source and output of a stack by construct path, with its body (metadata left out). */
function flatten(doc: TfJson): Map<string, string> {
  const entries = new Map<string, string>();
  const add = (r: TfResource) => {
    const { "//": _meta, ...body } = r.body;
    entries.set(`${r.path.replace(/^main\//, "")} (${r.type})`, JSON.stringify(body));
  };
  for (const block of ["resource", "data"] as const)
    for (const type of Object.keys(doc[block] ?? {})) resources(doc, type, block).forEach(add);
  for (const [name, output] of Object.entries(doc.output ?? {})) entries.set(`output.${name}`, JSON.stringify(output));
  return entries;
}

function stepDiff(before: TfJson, after: TfJson) {
  const [a, b] = [flatten(before), flatten(after)];
  return {
    adds: [...b.keys()].filter((k) => !a.has(k)).sort(),
    changes: [...b.keys()].filter((k) => a.has(k) && a.get(k) !== b.get(k)).sort(),
    removes: [...a.keys()].filter((k) => !b.has(k)).sort(),
  };
}

describe("migration nlb -> alb (docs/PRIVATE-NETWORKING.md): each deploy's synth", () => {
  const step0 = synthApp().main;
  const step1 = synthApp({ private_integration: "alb", keep_nlb_during_migration: true }).main;
  const step2 = synthApp({ private_integration: "alb" }).main;

  test("migration step 1: adds the v2 link and its hop, moves both integrations, redeploys the stage, unprotects the NLB, removes nothing", () => {
    expect(stepDiff(step0, step1)).toEqual({
      adds: [
        "ingress/vpc-link-sg (aws_security_group)",
        "ingress/vpc-link-to-alb-egress (aws_vpc_security_group_egress_rule)",
        "ingress/vpc-link-to-alb-ingress (aws_vpc_security_group_ingress_rule)",
        "ingress/vpc-link-v2 (aws_apigatewayv2_vpc_link)",
        "output.vpc_link_v2_id",
      ],
      changes: [
        "api/service (aws_ecs_service)",
        "api/task (aws_ecs_task_definition)",
        "ingress/nlb (aws_lb)",
        "output.alb_dns_name",
        "query-api/get-health-integration (aws_api_gateway_integration)",
        "query-api/get-request-integration (aws_api_gateway_integration)",
        "query-api/stage/deployment (aws_api_gateway_deployment)",
      ],
      removes: [],
    });
    // The NLB's only change: deletion protection off, so the next deploy may delete it.
    const nlb = (doc: TfJson) => resourceAt(doc, "aws_lb", "ingress/nlb");
    expect({ ...nlb(step1), enable_deletion_protection: true }).toEqual(nlb(step0));
    expect(nlb(step1).enable_deletion_protection).toBe(false);
    // The deployment is replaced (new triggers); the stage points at it by reference, so it moves in the same apply.
    const triggers = (doc: TfJson) =>
      resourceAt(doc, "aws_api_gateway_deployment", "query-api/stage/deployment").triggers;
    expect(triggers(step1).redeployment).not.toBe(triggers(step0).redeployment);
    expect(resourceAt(step1, "aws_api_gateway_stage", "query-api/stage/stage").deployment_id).toBe(
      refTo(step1, "aws_api_gateway_deployment", "query-api/stage/deployment", "id"),
    );
    // The api rolls out tasks that also serve /v1/... (PATH_PREFIX) and the deploy waits for that rollout before it
    // moves the integrations: the stage never sends to a task that cannot answer the v2 path.
    expect(resourceAt(step1, "aws_ecs_service", "api/service").wait_for_steady_state).toBe(true);
    expect(resourceAt(step0, "aws_ecs_service", "api/service").wait_for_steady_state).toBeUndefined();
    for (const path of ["query-api/get-request-integration", "query-api/get-health-integration"]) {
      expect(resourceAt(step1, "aws_api_gateway_integration", path).depends_on).toContain(
        refTo(step1, "aws_ecs_service", "api/service", "id").slice(2, -4),
      );
    }
    // The old path stays whole: v1 link, NLB listener and target group, and the NLB -> ALB rule are untouched.
    expect(resourcesOf(step1, "aws_api_gateway_vpc_link")).toEqual(resourcesOf(step0, "aws_api_gateway_vpc_link"));
  });

  test("migration step 2: removes the NLB, its listener, target group, group, rules, v1 link and alarm; the serving path is untouched", () => {
    expect(stepDiff(step1, step2)).toEqual({
      adds: [],
      changes: ["dashboard/dashboard (aws_cloudwatch_dashboard)"],
      removes: [
        "alarms/nlb-alb-unhealthy (aws_cloudwatch_metric_alarm)",
        "ingress/alb-tg (aws_lb_target_group)",
        "ingress/alb-tg-attachment (aws_lb_target_group_attachment)",
        "ingress/nlb (aws_lb)",
        "ingress/nlb-sg (aws_security_group)",
        "ingress/nlb-tcp (aws_lb_listener)",
        "ingress/nlb-to-alb-egress (aws_vpc_security_group_egress_rule)",
        "ingress/nlb-to-alb-ingress (aws_vpc_security_group_ingress_rule)",
        "ingress/vpc-link (aws_api_gateway_vpc_link)",
        "output.nlb_dns_name",
      ],
    });
  });

  test("migration: going straight from nlb to alb would delete a protected NLB in the same deploy as the switch", () => {
    // Why the middle step exists: without it, one apply both moves the integrations and deletes the NLB, which AWS
    // refuses while deletion protection is on (and the state still says it is on).
    const direct = stepDiff(step0, step2);
    expect(direct.removes).toContain("ingress/nlb (aws_lb)");
    expect(resourceAt(step0, "aws_lb", "ingress/nlb").enable_deletion_protection).toBe(true);
  });
});

describe("vpc_endpoints", () => {
  const { main } = synthApp({ vpc_endpoints: { mode: "create" }, tracing: ECR_COLLECTOR_TRACING });
  const taskGroups = ["api/sg", "processor/sg"].map((path) => refTo(main, "aws_security_group", path, "id"));
  const endpointGroup = () => refTo(main, "aws_security_group", "endpoints/sg", "id");

  test("endpoints: interface endpoints for SQS, ECR api and dkr, CloudWatch Logs and X-Ray (tracing is on), with private DNS, in the load balancer subnets where offered", () => {
    const interfaces = resources(main, "aws_vpc_endpoint").filter((r) => r.body.vpc_endpoint_type === "Interface");
    expect(interfaces.map((r) => r.path.split("/").at(-1)).sort()).toEqual([
      "ecr-api",
      "ecr-dkr",
      "logs",
      "sqs",
      "xray",
    ]);
    for (const { body, path } of interfaces) {
      const service = path.split("/").at(-1)!;
      expect(body.private_dns_enabled).toBe(true);
      expect(body.security_group_ids).toEqual([endpointGroup()]);
      expect(body.service_name).toBe(
        refTo(main, "aws_vpc_endpoint_service", `endpoints/${service}-service`, "service_name", "data"),
      );
      // The load balancers' one-subnet-per-AZ choice, kept to the AZs the service is offered in.
      expect(body.subnet_ids).toContain("sort(ids)[0]");
      expect(body.subnet_ids).toContain(`contains(data.aws_vpc_endpoint_service.`);
    }
  });

  test("endpoints: no X-Ray endpoint (an hourly charge per AZ) when tracing is off", () => {
    const untraced = synthApp({ vpc_endpoints: { mode: "create" }, tracing: { sample_rate: 0 } }).main;
    const interfaces = resources(untraced, "aws_vpc_endpoint").filter((r) => r.body.vpc_endpoint_type === "Interface");
    expect(interfaces.map((r) => r.path.split("/").at(-1)).sort()).toEqual(["ecr-api", "ecr-dkr", "logs", "sqs"]);
  });

  test("endpoints: gateway endpoints for S3 and DynamoDB on each private subnet's route table, or the main one", () => {
    const gateways = resources(main, "aws_vpc_endpoint").filter((r) => r.body.vpc_endpoint_type === "Gateway");
    expect(gateways.map((r) => r.path.split("/").at(-1)).sort()).toEqual(["dynamodb", "s3"]);
    // GIVEN one lookup per private subnet of its explicit association, and the VPC's main table
    const explicit = resourceAt(main, "aws_route_tables", "network/private-subnet-route-table", "data");
    const privateSubnets = addressOf(main, "aws_subnets", "network/private-subnets", "data");
    expect(explicit.for_each).toBe(`\${toset(${privateSubnets}.ids)}`);
    expect(explicit.filter).toEqual([{ name: "association.subnet-id", values: ["${each.value}"] }]);
    const mainTable = resourceAt(main, "aws_route_table", "network/main-route-table", "data");
    expect(mainTable.filter).toEqual([{ name: "association.main", values: ["true"] }]);
    // THEN a subnet without an explicit table (on the main one implicitly) routes through the main table
    const tables = addressOf(main, "aws_route_tables", "network/private-subnet-route-table", "data");
    const mainId = `${addressOf(main, "aws_route_table", "network/main-route-table", "data")}.id`;
    for (const { body } of gateways)
      expect(body.route_table_ids).toBe(
        `\${distinct(flatten([for tables in ${tables} : length(tables.ids) > 0 ? tables.ids : [${mainId}]]))}`,
      );
  });

  test("endpoints: the endpoint group admits 443 from the task groups only", () => {
    const into = sgRules(main, "ingress").filter((r) => r.security_group_id === endpointGroup());
    expect(into.map((r) => [r.referenced_security_group_id, r.from_port, r.to_port]).sort()).toEqual(
      taskGroups.map((g) => [g, 443, 443]).sort(),
    );
  });

  test("endpoints: task egress narrows to the endpoint group and the gateway prefix lists, never 0.0.0.0/0", () => {
    const prefixLists = ["s3", "dynamodb"].map((s) =>
      refTo(main, "aws_vpc_endpoint", `endpoints/${s}`, "prefix_list_id"),
    );
    for (const group of taskGroups) {
      const egress = sgRules(main, "egress").filter((r) => r.security_group_id === group);
      expect(egress.some((r) => r.cidr_ipv4 || r.cidr_ipv6)).toBe(false);
      expect(egress.map((r) => r.referenced_security_group_id ?? r.prefix_list_id).sort()).toEqual(
        [endpointGroup(), ...prefixLists].sort(),
      );
      for (const rule of egress) expect([rule.from_port, rule.to_port, rule.ip_protocol]).toEqual([443, 443, "tcp"]);
    }
  });

  test("endpoints: the plan stops unless the VPC has DNS support and DNS hostnames on", () => {
    const guard = resourceAt(main, "terraform_data", "endpoints/vpc-dns");
    const vpc = refTo(main, "aws_vpc", "network/vpc", "enable_dns_support", "data").replace(
      /\.enable_dns_support\}$/,
      "",
    );
    expect(guard.lifecycle.precondition).toEqual([
      {
        condition: `${vpc}.enable_dns_support && ${vpc.replace(/^\$\{/, "")}.enable_dns_hostnames}`,
        error_message: expect.stringMatching(/^vpc_endpoints needs DNS support and DNS hostnames on/),
      },
    ]);
  });

  test("endpoints (existing): no endpoint is created; egress goes to the given groups and the regional prefix lists", () => {
    const doc = synthApp({
      vpc_endpoints: { mode: "existing", security_group_ids: ["sg-0123456789abcdef0", "sg-0123456789abcdef1"] },
      tracing: ECR_COLLECTOR_TRACING,
    }).main;
    expect(doc.resource!.aws_vpc_endpoint).toBeUndefined();
    expect(
      resourcesOf(doc, "aws_prefix_list", "data")
        .map(([, d]) => d.name)
        .sort(),
    ).toEqual(
      ["dynamodb", "s3"].map(
        (s) => `${refTo(doc, "aws_partition", "partition", "reverse_dns_prefix", "data")}.eu-west-1.${s}`,
      ),
    );
    const group = refTo(doc, "aws_security_group", "processor/sg", "id");
    const egress = sgRules(doc, "egress").filter((r) => r.security_group_id === group);
    expect(egress.some((r) => r.cidr_ipv4)).toBe(false);
    expect(egress.map((r) => r.referenced_security_group_id ?? r.prefix_list_id).sort()).toEqual(
      [
        "sg-0123456789abcdef0",
        "sg-0123456789abcdef1",
        ...["s3", "dynamodb"].map((s) => refTo(doc, "aws_prefix_list", `endpoints/${s}-prefix-list`, "id", "data")),
      ].sort(),
    );
    expect(resourceAt(doc, "terraform_data", "endpoints/vpc-dns").lifecycle.precondition).toHaveLength(1);
  });

  test("endpoints off (default): tasks keep HTTPS egress to 0.0.0.0/0 (NAT), as before", () => {
    const doc = synthApp().main;
    expect(resourceAt(doc, "aws_vpc_security_group_egress_rule", "processor/egress-https").cidr_ipv4).toBe("0.0.0.0/0");
    expect(doc.resource!.aws_vpc_endpoint).toBeUndefined();
  });
});
