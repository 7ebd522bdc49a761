import { describe, expect, test } from "vitest";
import { evaluate } from "../../policy/controls/index.js";
import { resources, type TfJson } from "../../tfjson/index.js";
import { ECR_COLLECTOR_TRACING, exampleConfig, synthApp } from "../support/synth.js";
import { controlResult } from "../support/control-result.js";

/**
 * The policy suite in the other private-networking modes (issue 13): every control passes in `alb` mode, in the
 * migration step and with existing endpoints, and the mode-specific rules fail when the synth is broken for them.
 */
const synthWith = (changes: Record<string, unknown>) => ({ ...synthApp(changes), config: exampleConfig(changes) });
type Input = ReturnType<typeof synthWith>;
const statusOf = controlResult;
const failures = (input: Input) =>
  evaluate(input)
    .filter((r) => r.status === "fail")
    .map((r) => `${r.control.ids[0]}: ${r.problems.join("; ")}`);
const rule = (main: TfJson, kind: "ingress" | "egress", pathEnd: string) =>
  resources(main, `aws_vpc_security_group_${kind}_rule`).find((r) => r.path.endsWith(pathEnd))!.body;

const MODES: [name: string, changes: Record<string, unknown>][] = [
  ["private_integration alb", { private_integration: "alb" }],
  ["the migration step (alb with the NLB kept)", { private_integration: "alb", keep_nlb_during_migration: true }],
  [
    "alb with VPC endpoints created",
    { private_integration: "alb", vpc_endpoints: { mode: "create" }, tracing: ECR_COLLECTOR_TRACING },
  ],
  [
    "existing VPC endpoints",
    {
      vpc_endpoints: { mode: "existing", security_group_ids: ["sg-0123456789abcdef0"] },
      tracing: ECR_COLLECTOR_TRACING,
    },
  ],
];

describe("policy: private networking modes", () => {
  test.each(MODES)("policy: %s passes every control that applies", (_name, changes) => {
    expect(failures(synthWith(changes))).toEqual([]);
  });

  test("policy (alb): an NLB left in alb mode fails CUSTOM.PRIVATE_PATH", () => {
    const input = synthWith({ private_integration: "alb" });
    const withNlb = synthWith({ private_integration: "alb", keep_nlb_during_migration: true });
    // The migration step's NLB, dropped into a config that is no longer migrating.
    input.main.resource!.aws_lb = { ...input.main.resource!.aws_lb, ...withNlb.main.resource!.aws_lb };
    expect(statusOf(input, "CUSTOM.PRIVATE_PATH")).toMatchObject({
      status: "fail",
      problems: [expect.stringMatching(/alb mode has 1 NLB/)],
    });
  });

  test("policy (alb): an integration that does not name the ALB as its target fails CUSTOM.PRIVATE_PATH", () => {
    const input = synthWith({ private_integration: "alb" });
    delete resources(input.main, "aws_api_gateway_integration").find((i) => i.path.endsWith("get-request-integration"))!
      .body.integration_target;
    expect(statusOf(input, "CUSTOM.PRIVATE_PATH").problems).toEqual([
      expect.stringMatching(/get-request-integration: does not target the ALB/),
    ]);
  });

  test("policy (alb): the ALB admitting anything but the link's group fails CUSTOM.SG_HOPS", () => {
    const input = synthWith({ private_integration: "alb" });
    rule(input.main, "ingress", "/vpc-link-to-alb-ingress").referenced_security_group_id = rule(
      input.main,
      "ingress",
      "api/from-load-balancer-ingress",
    ).security_group_id;
    expect(statusOf(input, "CUSTOM.SG_HOPS").problems).toEqual([
      expect.stringMatching(/the ALB admits something other than the NLB or the VPC Link v2 on 443/),
    ]);
  });

  test("policy (alb): the link's group admitting traffic fails CUSTOM.SG_HOPS", () => {
    const input = synthWith({ private_integration: "alb" });
    const toAlb = rule(input.main, "ingress", "/vpc-link-to-alb-ingress");
    input.main.resource!.aws_vpc_security_group_ingress_rule!.into_link = {
      ...toAlb,
      security_group_id: rule(input.main, "egress", "/vpc-link-to-alb-egress").security_group_id,
    };
    expect(statusOf(input, "CUSTOM.SG_HOPS").problems).toEqual([
      expect.stringMatching(/the VPC Link v2's group admits traffic/),
    ]);
  });

  test("policy (endpoints): the endpoint group admitting anything but the tasks on 443 fails CUSTOM.SG_HOPS", () => {
    const input = synthWith({ vpc_endpoints: { mode: "create" }, tracing: ECR_COLLECTOR_TRACING });
    rule(input.main, "ingress", "processor/to-endpoints-ingress").from_port = 80;
    rule(input.main, "ingress", "processor/to-endpoints-ingress").to_port = 80;
    expect(statusOf(input, "CUSTOM.SG_HOPS").problems).toEqual([
      expect.stringMatching(/to-endpoints-ingress: the VPC endpoints admit something other than the tasks on 443/),
    ]);
  });

  test("policy (endpoints): a task group egressing to 0.0.0.0/0 fails CUSTOM.TASK_EGRESS, also with existing endpoints", () => {
    for (const endpoints of [{ mode: "create" }, { mode: "existing", security_group_ids: ["sg-0123456789abcdef0"] }]) {
      const input = synthWith({ vpc_endpoints: endpoints, tracing: ECR_COLLECTOR_TRACING });
      const egress = resources(input.main, "aws_vpc_security_group_egress_rule").find(
        (r) => r.path.includes("api/") && r.body.prefix_list_id,
      )!.body;
      delete egress.prefix_list_id;
      egress.cidr_ipv4 = "0.0.0.0/0";
      expect(statusOf(input, "CUSTOM.TASK_EGRESS").problems, endpoints.mode).toEqual([
        expect.stringMatching(/egress to 0\.0\.0\.0\/0 with vpc_endpoints on/),
      ]);
    }
  });

  test("policy (endpoints off): the NAT egress on 443 passes CUSTOM.TASK_EGRESS, a wider port does not", () => {
    const input = synthWith({});
    expect(statusOf(input, "CUSTOM.TASK_EGRESS").status).toBe("pass");
    Object.assign(rule(input.main, "egress", "processor/egress-https"), { from_port: 0, to_port: 65535 });
    expect(statusOf(input, "CUSTOM.TASK_EGRESS").problems).toEqual([expect.stringMatching(/not HTTPS/)]);
  });

  test("policy (migration step): only the kept NLB may lack deletion protection", () => {
    const input = synthWith({ private_integration: "alb", keep_nlb_during_migration: true });
    expect(statusOf(input, "ELB.6").status).toBe("pass");
    resources(input.main, "aws_lb").find(
      (lb) => lb.body.load_balancer_type === "application",
    )!.body.enable_deletion_protection = false;
    expect(statusOf(input, "ELB.6").problems).toEqual([expect.stringMatching(/ingress\/alb: deletion protection off/)]);
  });
});
