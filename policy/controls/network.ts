import { field, list, reference, resources, show } from "../../tfjson/index.js";
import { each, isOneOf, type Control } from "./check.js";

/**
 * An AWS service name (`com.amazonaws.<region>.<service>`): written with the partition's reverse DNS prefix, so
 * literally in the commercial or China partition, or as the stack writes it, from its `aws_partition` data source.
 */
const AWS_SERVICE_NAME = /^(com\.amazonaws|cn\.com\.amazonaws|\$\{data\.aws_partition\.[\w-]+\.reverse_dns_prefix\})\./;

/** Security groups */
export const NETWORK_CONTROLS: readonly Control[] = [
  {
    ids: ["EC2.19", "CKV_AWS_260"],
    resourceType: "aws_vpc_security_group_ingress_rule",
    title: "No ingress from the internet (0.0.0.0/0, ::/0 or any range wider than /8)",
    why: "Nothing in this architecture is public at the network layer; API Gateway is the only front door.",
    check: (input) => [
      ...each(resources(input.main, "aws_vpc_security_group_ingress_rule"), (r) => {
        // An absent range reads as "undefined", whose prefix length is NaN: never wider than /8.
        const widest = [r.body.cidr_ipv4, r.body.cidr_ipv6].find((cidr) => Number(String(cidr).split("/")[1]) < 8);
        return widest ? `admits ${show(widest)}` : Boolean(r.body.prefix_list_id) && "admits a prefix list";
      }),
      ...each(
        resources(input.main, "aws_security_group"),
        (g) => list(g.body.ingress).length > 0 && "inline ingress rules (use rule resources)",
      ),
    ],
  },
  {
    ids: ["CUSTOM.SG_HOPS"],
    resourceType: "aws_vpc_security_group_ingress_rule",
    title: "Each hop admits only the previous hop, on its one port",
    why: "VPC Link -> NLB -> ALB (443) -> api tasks (container port), or VPC Link v2 -> ALB (443) -> api tasks: nothing can skip a hop or reach another port; VPC endpoints admit only the tasks on 443.",
    check: (input) => {
      const lbGroups = (type: string) =>
        resources(input.main, "aws_lb")
          .filter((lb) => lb.body.load_balancer_type === type)
          .flatMap((lb) => list(lb.body.security_groups));
      const [nlbGroups, albGroups] = [lbGroups("network"), lbGroups("application")];
      const linkGroups = resources(input.main, "aws_apigatewayv2_vpc_link").flatMap((l) =>
        list(l.body.security_group_ids),
      );
      const endpointGroups = resources(input.main, "aws_vpc_endpoint").flatMap((e) => list(e.body.security_group_ids));
      const services = resources(input.main, "aws_ecs_service").map((s) => ({
        groups: list(field(s.body, "network_configuration", "security_groups")),
        ports: list(s.body.load_balancer).map((l) => field(l, "container_port")),
      }));
      const taskGroups = services.flatMap((s) => s.groups);
      return each(resources(input.main, "aws_vpc_security_group_ingress_rule"), (rule) => {
        const into = rule.body.security_group_id;
        const from = rule.body.referenced_security_group_id;
        const port = rule.body.from_port;
        // Every hop is tcp; any protocol but tcp, udp or icmp also opens every port whatever the range ("-1": all).
        if (rule.body.ip_protocol !== "tcp") return `admits ${show(rule.body.ip_protocol)}, not tcp`;
        if (rule.body.to_port !== port) return "admits a port range";
        if (nlbGroups.includes(into)) return "the NLB admits traffic besides the VPC Link";
        if (linkGroups.includes(into)) return "the VPC Link v2's group admits traffic (it only sends)";
        // The ALB's previous hop is whichever link front exists: the NLB, the v2 link, or both during the migration step.
        if (albGroups.includes(into))
          return (
            !([...nlbGroups, ...linkGroups].includes(from) && port === 443) &&
            "the ALB admits something other than the NLB or the VPC Link v2 on 443"
          );
        if (endpointGroups.includes(into))
          return (
            !(taskGroups.includes(from) && port === 443) &&
            "the VPC endpoints admit something other than the tasks on 443"
          );
        const service = services.find((s) => s.groups.includes(into));
        if (service)
          return (
            !(albGroups.includes(from) && service.ports.includes(port)) &&
            "tasks admit something other than the ALB on their container port"
          );
        return "a rule on a group outside the NLB/VPC Link -> ALB -> tasks chain";
      });
    },
  },
  {
    ids: ["CUSTOM.PRIVATE_PATH"],
    resourceType: "aws_api_gateway_integration",
    title: "The private path is the one private_integration names, and nothing else",
    why: "nlb: VPC Link v1 -> NLB -> ALB. alb: VPC Link v2 -> ALB with no NLB left to pay for or to bypass the ALB's group. A leftover NLB or link is a second way in.",
    check: (input) => {
      const { private_integration: mode, keep_nlb_during_migration: keepNlb } = input.config;
      const nlbs = resources(input.main, "aws_lb").filter((lb) => lb.body.load_balancer_type === "network");
      const albs = resources(input.main, "aws_lb").filter((lb) => lb.body.load_balancer_type === "application");
      const v1 = resources(input.main, "aws_api_gateway_vpc_link");
      const v2 = resources(input.main, "aws_apigatewayv2_vpc_link");
      const integrations = resources(input.main, "aws_api_gateway_integration").filter(
        (i) => i.body.connection_type === "VPC_LINK",
      );
      const problems: string[] = [];
      if (mode === "nlb") {
        if (nlbs.length !== 1 || v1.length !== 1)
          problems.push(`nlb mode needs one NLB and one VPC Link v1, found ${nlbs.length} and ${v1.length}`);
        if (v2.length) problems.push("nlb mode has a VPC Link v2");
        problems.push(
          ...each(integrations, (i) =>
            i.body.integration_target !== undefined
              ? "has an integration_target (v2 links only)"
              : !v1.some((l) => i.body.connection_id === reference(l, "id")) && "is not on the VPC Link v1",
          ),
        );
      } else {
        if (!keepNlb && (nlbs.length || v1.length))
          problems.push(`alb mode has ${nlbs.length} NLB(s) and ${v1.length} VPC Link v1(s)`);
        if (v2.length !== 1) problems.push(`alb mode needs one VPC Link v2, found ${v2.length}`);
        problems.push(
          ...each(integrations, (i) =>
            !v2.some((l) => i.body.connection_id === reference(l, "id"))
              ? "is not on the VPC Link v2"
              : !albs.some((alb) => i.body.integration_target === reference(alb, "arn")) &&
                "does not target the ALB (integration_target)",
          ),
        );
      }
      if (integrations.length === 0) problems.push("no integration goes through a VPC link");
      return problems;
    },
  },
  {
    ids: ["CUSTOM.TASK_EGRESS"],
    resourceType: "aws_vpc_security_group_egress_rule",
    title: "Task egress is HTTPS only; with VPC endpoints, only to the endpoints (never 0.0.0.0/0)",
    why: "Tasks only call AWS APIs. With vpc_endpoints, no byte needs to leave the VPC, so no task group may reach the internet.",
    check: (input) => {
      const taskGroups = resources(input.main, "aws_ecs_service").flatMap((s) =>
        list(field(s.body, "network_configuration", "security_groups")),
      );
      const endpointGroups = [
        ...resources(input.main, "aws_vpc_endpoint").flatMap((e) => list(e.body.security_group_ids)),
        // Only the "existing" mode names groups (the "create" mode's groups are the endpoints' own, above).
        ...list(field(input.config.vpc_endpoints, "security_group_ids")),
      ];
      // The gateway endpoints (S3, DynamoDB) by their prefix lists: the created endpoints' or AWS's, looked up by name.
      const endpointPrefixLists = [
        ...resources(input.main, "aws_vpc_endpoint").map((e) => reference(e, "prefix_list_id")),
        ...resources(input.main, "aws_prefix_list", "data")
          .filter((p) => AWS_SERVICE_NAME.test(show(p.body.name)))
          .map((p) => reference(p, "id")),
      ];
      const endpointsOn = input.config.vpc_endpoints !== null;
      return each(
        resources(input.main, "aws_vpc_security_group_egress_rule").filter((r) =>
          taskGroups.includes(r.body.security_group_id),
        ),
        (rule) => {
          if (rule.body.from_port !== 443 || rule.body.to_port !== 443 || rule.body.ip_protocol !== "tcp")
            return `egress on ${show(rule.body.ip_protocol)} ${show(rule.body.from_port)}-${show(rule.body.to_port)}, not HTTPS`;
          if (!endpointsOn) return false;
          if (rule.body.cidr_ipv4 || rule.body.cidr_ipv6)
            return `egress to ${show(rule.body.cidr_ipv4 ?? rule.body.cidr_ipv6)} with vpc_endpoints on`;
          if (rule.body.prefix_list_id)
            return (
              !isOneOf(rule.body.prefix_list_id, endpointPrefixLists) &&
              `egress to prefix list ${show(rule.body.prefix_list_id)}, not a gateway endpoint's`
            );
          return (
            !endpointGroups.includes(rule.body.referenced_security_group_id) &&
            `egress to ${show(rule.body.referenced_security_group_id)}, not a VPC endpoint group`
          );
        },
      );
    },
  },
];
