import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parseConfig } from "../../config/load.js";
import { evaluate } from "../../policy/controls/index.js";
import { reference, resources, type TfJson, type TfResource } from "../../tfjson/index.js";
import { ECR_COLLECTOR_TRACING, exampleConfigInput } from "../support/example-config.js";
import { policyFixtures, type PolicyFixture } from "../support/policy-fixtures.js";
import { controlResult, controlRow } from "../support/control-result.js";

/**
 * The security-group and private-path controls (policy/controls/network.ts) branch by branch: each way a rule, a
 * link or an integration can leave its hop is reported with the line users read, and the accepted alternative next
 * to it passes. `full` has the VPC endpoints on; the private-networking modes the shared fixtures lack are below.
 */
const fixtures = await policyFixtures();
const example = fixtures.example!;
const full = fixtures.full!;

const MODE_CHANGES = {
  alb: { private_integration: "alb" },
  migration: { private_integration: "alb", keep_nlb_during_migration: true },
  existingEndpoints: {
    vpc_endpoints: { mode: "existing", security_group_ids: ["sg-0123456789abcdef0"] },
    tracing: ECR_COLLECTOR_TRACING,
  },
};

/**
 * The example config in each private-networking mode, synthesized once per file (and once per `npm run mutation`
 * run: cached beside its POLICY_FIXTURES_FILE, which test/mutation/policy-fixtures-setup.ts removes afterwards).
 */
async function modeFixtures(): Promise<Record<keyof typeof MODE_CHANGES, PolicyFixture>> {
  const cache = process.env.POLICY_FIXTURES_FILE && `${process.env.POLICY_FIXTURES_FILE}.network-modes.json`;
  if (cache && existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8"));
  const { synthesizeToJson } = await import("../../stacks/synthesize.js");
  const synth = (changes: Record<string, unknown>) => {
    const config = parseConfig({ ...exampleConfigInput(), ...changes });
    return { ...synthesizeToJson(config), config };
  };
  const modes = {
    alb: synth(MODE_CHANGES.alb),
    migration: synth(MODE_CHANGES.migration),
    existingEndpoints: synth(MODE_CHANGES.existingEndpoints),
  };
  if (cache) writeFileSync(cache, JSON.stringify(modes));
  return modes;
}
const modes = await modeFixtures();

const resultFor = controlResult;
const problemsOf = (input: PolicyFixture, id: string) => resultFor(input, id).problems;
/** The resource of a type whose construct path ends with `/<pathEnd>`. */
const resourceAt = (doc: TfJson, type: string, pathEnd: string): TfResource => {
  const found = resources(doc, type).find((r) => r.path.endsWith(`/${pathEnd}`));
  if (!found) throw new Error(`no ${type} at ${pathEnd}`);
  return found;
};
const at = (doc: TfJson, type: string, pathEnd: string) => resourceAt(doc, type, pathEnd).body as any;
const ingress = (doc: TfJson, pathEnd: string) => at(doc, "aws_vpc_security_group_ingress_rule", pathEnd);
const egress = (doc: TfJson, pathEnd: string) => at(doc, "aws_vpc_security_group_egress_rule", pathEnd);
const groupId = (doc: TfJson, pathEnd: string) => reference(resourceAt(doc, "aws_security_group", pathEnd), "id");
/** Adds a resource of `type` under `name`: a copy of another one's body, changed, without its construct path. */
const add = (doc: TfJson, type: string, name: string, body: object) => {
  const copy = structuredClone(body) as Record<string, unknown>;
  delete copy["//"];
  doc.resource![type]![name] = copy;
};
const lbAt = (doc: TfJson, type: "network" | "application") =>
  resources(doc, "aws_lb").find((lb) => lb.body.load_balancer_type === type)!;
const vpcIntegrations = (doc: TfJson) =>
  resources(doc, "aws_api_gateway_integration").filter((i) => i.body.connection_type === "VPC_LINK");

describe("EC2.19: no ingress from the internet", () => {
  test.each([
    ["cidr_ipv4", "0.0.0.0/0"],
    ["cidr_ipv4", "10.0.0.0/7"],
    ["cidr_ipv6", "::/0"],
  ])("an ingress rule from %s %s (wider than /8) is reported with its range", (key, range) => {
    // GIVEN the tasks' ingress rule opened to a range instead of the ALB's group
    const input = structuredClone(example);
    const rule = ingress(input.main, "api/from-load-balancer-ingress");
    delete rule.referenced_security_group_id;
    rule[key] = range;
    // THEN EC2.19 names the rule and the range
    expect(problemsOf(input, "EC2.19")).toEqual([`main/api/from-load-balancer-ingress: admits ${range}`]);
  });

  test.each(["10.0.0.0/8", "10.0.0.0/16"])(
    "an ingress rule from the private range %s (/8 or narrower) passes",
    (range) => {
      const input = structuredClone(example);
      const rule = ingress(input.main, "api/from-load-balancer-ingress");
      delete rule.referenced_security_group_id;
      rule.cidr_ipv4 = range;
      expect(resultFor(input, "EC2.19").status).toBe("pass");
    },
  );

  test("an ingress rule from a prefix list is reported (a prefix list can hold any range)", () => {
    const input = structuredClone(example);
    const rule = ingress(input.main, "api/from-load-balancer-ingress");
    delete rule.referenced_security_group_id;
    rule.prefix_list_id = "pl-0123456789abcdef0";
    expect(problemsOf(input, "EC2.19")).toEqual(["main/api/from-load-balancer-ingress: admits a prefix list"]);
  });

  test("a security group with inline ingress rules is reported; an empty inline list passes", () => {
    // GIVEN the api tasks' group with an inline ingress block, which no rule resource (and no hop check) sees
    const input = structuredClone(example);
    const group = at(input.main, "aws_security_group", "api/sg");
    group.ingress = [{ from_port: 8080, to_port: 8080, protocol: "tcp", cidr_blocks: ["10.0.0.0/16"] }];
    expect(problemsOf(input, "EC2.19")).toEqual(["main/api/sg: inline ingress rules (use rule resources)"]);
    // an explicitly empty list admits nothing
    group.ingress = [];
    expect(resultFor(input, "EC2.19").status).toBe("pass");
  });
});

describe("CUSTOM.SG_HOPS: each hop admits only the previous hop, on its one port", () => {
  test("alb mode and the migration step pass: the VPC Link v2's group (and the kept NLB's) may reach the ALB", () => {
    expect(problemsOf(modes.alb, "CUSTOM.SG_HOPS")).toEqual([]);
    expect(problemsOf(modes.migration, "CUSTOM.SG_HOPS")).toEqual([]);
  });

  test("a rule admitting a port range is reported", () => {
    const input = structuredClone(example);
    ingress(input.main, "api/from-load-balancer-ingress").to_port = 8081;
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual(["main/api/from-load-balancer-ingress: admits a port range"]);
  });

  test.each(["-1", "udp"])("a hop rule on ip_protocol %s (not tcp) is reported, whatever its port", (protocol) => {
    // GIVEN the NLB -> ALB rule on the right groups and port 443, but for all traffic ("-1" opens every port)
    const input = structuredClone(example);
    ingress(input.main, "ingress/nlb-to-alb-ingress").ip_protocol = protocol;
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual([
      `main/ingress/nlb-to-alb-ingress: admits ${protocol}, not tcp`,
    ]);
  });

  test("the NLB's group admitting anything is reported (the VPC Link v1 has no group to admit)", () => {
    const input = structuredClone(example);
    add(input.main, "aws_vpc_security_group_ingress_rule", "into_nlb", {
      ...ingress(input.main, "ingress/nlb-to-alb-ingress"),
      security_group_id: groupId(input.main, "ingress/nlb-sg"),
      referenced_security_group_id: groupId(input.main, "api/sg"),
    });
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual(["into_nlb: the NLB admits traffic besides the VPC Link"]);
  });

  test("the VPC Link v2's group admitting anything is reported (the link only sends)", () => {
    const input = structuredClone(modes.alb);
    add(input.main, "aws_vpc_security_group_ingress_rule", "into_link", {
      ...ingress(input.main, "ingress/vpc-link-to-alb-ingress"),
      security_group_id: groupId(input.main, "ingress/vpc-link-sg"),
    });
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual([
      "into_link: the VPC Link v2's group admits traffic (it only sends)",
    ]);
  });

  test("the ALB admitting the NLB on a port other than 443 is reported", () => {
    const input = structuredClone(example);
    Object.assign(ingress(input.main, "ingress/nlb-to-alb-ingress"), { from_port: 80, to_port: 80 });
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual([
      "main/ingress/nlb-to-alb-ingress: the ALB admits something other than the NLB or the VPC Link v2 on 443",
    ]);
  });

  test.each([
    ["the tasks on port 80", (_main: TfJson) => ({ from_port: 80, to_port: 80 })],
    ["the ALB's group on 443", (main: TfJson) => ({ referenced_security_group_id: groupId(main, "ingress/alb-sg") })],
  ])("the VPC endpoints admitting %s is reported", (_what, change) => {
    const input = structuredClone(full);
    Object.assign(ingress(input.main, "processor/to-endpoints-ingress"), change(input.main));
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual([
      "main/processor/to-endpoints-ingress: the VPC endpoints admit something other than the tasks on 443",
    ]);
  });

  test("a rule on a group outside the chain is reported, not skipped", () => {
    const input = structuredClone(example);
    add(input.main, "aws_vpc_security_group_ingress_rule", "into_other", {
      ...ingress(input.main, "ingress/nlb-to-alb-ingress"),
      security_group_id: "sg-0fedcba9876543210",
    });
    expect(problemsOf(input, "CUSTOM.SG_HOPS")).toEqual([
      "into_other: a rule on a group outside the NLB/VPC Link -> ALB -> tasks chain",
    ]);
  });
});

describe("CUSTOM.PRIVATE_PATH: the private path is the one private_integration names", () => {
  const NEEDS_V1 = "nlb mode needs one NLB and one VPC Link v1";

  test("nlb mode without its VPC Link v1 is reported, and so is each integration left without it", () => {
    const input = structuredClone(example);
    delete input.main.resource!.aws_api_gateway_vpc_link;
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([
      `${NEEDS_V1}, found 1 and 0`,
      "main/query-api/get-health-integration: is not on the VPC Link v1",
      "main/query-api/get-request-integration: is not on the VPC Link v1",
    ]);
  });

  test("nlb mode without its NLB is reported", () => {
    const input = structuredClone(example);
    delete input.main.resource!.aws_lb![lbAt(input.main, "network").name];
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([`${NEEDS_V1}, found 0 and 1`]);
  });

  test("a second VPC Link v1 is reported once, and integrations on the first link still pass", () => {
    const input = structuredClone(example);
    const link = resources(input.main, "aws_api_gateway_vpc_link")[0]!;
    add(input.main, "aws_api_gateway_vpc_link", "second", structuredClone(link.body));
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([`${NEEDS_V1}, found 1 and 2`]);
  });

  test("a VPC Link v2 left in nlb mode is reported", () => {
    const input = structuredClone(example);
    input.main.resource!.aws_apigatewayv2_vpc_link = structuredClone(
      modes.alb.main.resource!.aws_apigatewayv2_vpc_link!,
    );
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual(["nlb mode has a VPC Link v2"]);
  });

  test("an nlb-mode integration on another link is reported", () => {
    const input = structuredClone(example);
    at(input.main, "aws_api_gateway_integration", "query-api/get-request-integration").connection_id =
      "${aws_api_gateway_vpc_link.elsewhere.id}";
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([
      "main/query-api/get-request-integration: is not on the VPC Link v1",
    ]);
  });

  test("no integration through a VPC link at all is reported", () => {
    const input = structuredClone(example);
    for (const i of vpcIntegrations(input.main)) i.body.connection_type = "INTERNET";
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual(["no integration goes through a VPC link"]);
  });

  test("alb mode (VPC Link v2 -> ALB) and the migration step (NLB and v1 link kept) pass", () => {
    expect(problemsOf(modes.alb, "CUSTOM.PRIVATE_PATH")).toEqual([]);
    expect(problemsOf(modes.migration, "CUSTOM.PRIVATE_PATH")).toEqual([]);
  });

  test("the migration step's NLB and VPC Link v1 without keep_nlb_during_migration are reported", () => {
    // GIVEN the migration step's synth, with a config that is no longer migrating
    const migrated = structuredClone(modes.migration);
    const input = { ...migrated, config: { ...migrated.config, keep_nlb_during_migration: false } };
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual(["alb mode has 1 NLB(s) and 1 VPC Link v1(s)"]);
    // a VPC Link v1 alone (its NLB gone) is a leftover too
    delete input.main.resource!.aws_lb![lbAt(input.main, "network").name];
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual(["alb mode has 0 NLB(s) and 1 VPC Link v1(s)"]);
  });

  test("alb mode without its VPC Link v2 is reported, and so is each integration left without it", () => {
    const input = structuredClone(modes.alb);
    delete input.main.resource!.aws_apigatewayv2_vpc_link;
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([
      "alb mode needs one VPC Link v2, found 0",
      "main/query-api/get-health-integration: is not on the VPC Link v2",
      "main/query-api/get-request-integration: is not on the VPC Link v2",
    ]);
  });

  test("a second VPC Link v2 is reported once, and integrations on the first link still pass", () => {
    const input = structuredClone(modes.alb);
    const link = resources(input.main, "aws_apigatewayv2_vpc_link")[0]!;
    add(input.main, "aws_apigatewayv2_vpc_link", "second", structuredClone(link.body));
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual(["alb mode needs one VPC Link v2, found 2"]);
  });

  test("during the migration, an integration still on the VPC Link v1 is reported", () => {
    const input = structuredClone(modes.migration);
    at(input.main, "aws_api_gateway_integration", "query-api/get-request-integration").connection_id = reference(
      resources(input.main, "aws_api_gateway_vpc_link")[0]!,
      "id",
    );
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([
      "main/query-api/get-request-integration: is not on the VPC Link v2",
    ]);
  });

  test("during the migration, an integration on the v2 link that targets the NLB is reported", () => {
    const input = structuredClone(modes.migration);
    at(input.main, "aws_api_gateway_integration", "query-api/get-health-integration").integration_target = reference(
      lbAt(input.main, "network"),
      "arn",
    );
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([
      "main/query-api/get-health-integration: does not target the ALB (integration_target)",
    ]);
  });

  test("an integration may target any application load balancer of the stack, not only the first", () => {
    // GIVEN a second ALB (say, a replacement being brought up) that one integration already targets
    const input = structuredClone(modes.alb);
    add(input.main, "aws_lb", "replacement", structuredClone(lbAt(input.main, "application").body));
    at(input.main, "aws_api_gateway_integration", "query-api/get-health-integration").integration_target =
      "${aws_lb.replacement.arn}";
    expect(problemsOf(input, "CUSTOM.PRIVATE_PATH")).toEqual([]);
  });
});

describe("CUSTOM.TASK_EGRESS: task egress is HTTPS only, and only to the endpoints when they are on", () => {
  test.each([
    ["from port 80", { from_port: 80 }, "tcp 80-443"],
    ["up to port 444", { to_port: 444 }, "tcp 443-444"],
    ["on udp", { ip_protocol: "udp" }, "udp 443-443"],
  ])("an egress rule %s (to a gateway endpoint's prefix list) is reported as not HTTPS", (_how, change, shown) => {
    const input = structuredClone(full);
    Object.assign(egress(input.main, "api/to-gateway-endpoint-0"), change);
    expect(problemsOf(input, "CUSTOM.TASK_EGRESS")).toEqual([
      `main/api/to-gateway-endpoint-0: egress on ${shown}, not HTTPS`,
    ]);
  });

  test.each([
    ["cidr_ipv4", "0.0.0.0/0"],
    ["cidr_ipv6", "::/0"],
  ])("with vpc_endpoints on, task egress to %s %s is reported", (key, range) => {
    const input = structuredClone(full);
    const rule = egress(input.main, "processor/to-endpoints-egress");
    delete rule.referenced_security_group_id;
    rule[key] = range;
    expect(problemsOf(input, "CUSTOM.TASK_EGRESS")).toEqual([
      `main/processor/to-endpoints-egress: egress to ${range} with vpc_endpoints on`,
    ]);
  });

  test("with vpc_endpoints on, task egress to a group that is not an endpoint's is reported", () => {
    const input = structuredClone(full);
    const albGroup = groupId(input.main, "ingress/alb-sg");
    egress(input.main, "api/to-endpoints-egress").referenced_security_group_id = albGroup;
    expect(problemsOf(input, "CUSTOM.TASK_EGRESS")).toEqual([
      `main/api/to-endpoints-egress: egress to ${albGroup}, not a VPC endpoint group`,
    ]);
  });

  test("with vpc_endpoints on, task egress to a prefix list no gateway endpoint owns is reported", () => {
    // GIVEN the S3 endpoint rule pointed at a customer-managed prefix list (which may hold 0.0.0.0/0)
    const input = structuredClone(full);
    egress(input.main, "api/to-gateway-endpoint-0").prefix_list_id = "pl-0123456789abcdef0";
    expect(problemsOf(input, "CUSTOM.TASK_EGRESS")).toEqual([
      "main/api/to-gateway-endpoint-0: egress to prefix list pl-0123456789abcdef0, not a gateway endpoint's",
    ]);
  });

  test("with existing endpoints, a prefix list looked up by a name that is not an AWS service's is reported", () => {
    const input = structuredClone(modes.existingEndpoints);
    const s3List = resources(input.main, "aws_prefix_list", "data").find((p) => p.path.endsWith("/s3-prefix-list"))!;
    s3List.body.name = "corp-egress";
    const shown = reference(s3List, "id");
    expect(problemsOf(input, "CUSTOM.TASK_EGRESS")).toEqual([
      `main/api/to-gateway-endpoint-0: egress to prefix list ${shown}, not a gateway endpoint's`,
      `main/processor/to-gateway-endpoint-0: egress to prefix list ${shown}, not a gateway endpoint's`,
    ]);
  });

  test("with existing endpoints, egress to the configured groups passes and to any other group is reported", () => {
    expect(problemsOf(modes.existingEndpoints, "CUSTOM.TASK_EGRESS")).toEqual([]);
    // GIVEN the same synth with a config that names another endpoint group
    const synthesized = structuredClone(modes.existingEndpoints);
    const input = {
      ...synthesized,
      config: {
        ...synthesized.config,
        vpc_endpoints: { mode: "existing" as const, security_group_ids: ["sg-0fedcba9876543210"] },
      },
    };
    expect(problemsOf(input, "CUSTOM.TASK_EGRESS")).toEqual([
      "main/api/to-endpoints-0-egress: egress to sg-0123456789abcdef0, not a VPC endpoint group",
      "main/processor/to-endpoints-0-egress: egress to sg-0123456789abcdef0, not a VPC endpoint group",
    ]);
  });
});

describe("the report of the network controls", () => {
  test("each network control's row names its ids and the resource type it checks", () => {
    for (const [id, row] of [
      ["EC2.19", "| EC2.19, CKV_AWS_260 | aws_vpc_security_group_ingress_rule | No ingress from the internet"],
      [
        "CUSTOM.SG_HOPS",
        "| CUSTOM.SG_HOPS | aws_vpc_security_group_ingress_rule | Each hop admits only the previous hop",
      ],
      [
        "CUSTOM.PRIVATE_PATH",
        "| CUSTOM.PRIVATE_PATH | aws_api_gateway_integration | The private path is the one private_integration names",
      ],
      ["CUSTOM.TASK_EGRESS", "| CUSTOM.TASK_EGRESS | aws_vpc_security_group_egress_rule | Task egress is HTTPS only"],
    ] as const)
      expect(controlRow(full, id)).toContain(row);
  });

  test("a control that does not apply has no problems, and a control without notes adds none", () => {
    const results = evaluate(example);
    const exceptions = results.filter((r) => r.status === "exception");
    expect(exceptions.length).toBeGreaterThan(0);
    for (const r of exceptions) expect(r.problems).toEqual([]);
    expect(resultFor(example, "EC2.19")).not.toHaveProperty("notes");
  });
});
