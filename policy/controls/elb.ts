import { field, list, resources, show } from "../../tfjson/index.js";
import { each, isOneOf, type Control } from "./check.js";

const isTlsPolicyModern = (policy: unknown) =>
  typeof policy === "string" && /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/.test(policy);

/** Load balancers */
export const ELB_CONTROLS: readonly Control[] = [
  {
    ids: ["ELB.17", "CKV_AWS_103"],
    resourceType: "aws_lb_listener",
    title: "HTTPS/TLS listeners use a TLS 1.2+/1.3 policy",
    why: "Old policies allow TLS 1.0/1.1 and weak ciphers.",
    check: (input) =>
      each(
        resources(input.main, "aws_lb_listener").filter((l) => isOneOf(l.body.protocol, ["HTTPS", "TLS"])),
        (l) => !isTlsPolicyModern(l.body.ssl_policy) && `ssl_policy ${show(l.body.ssl_policy)}`,
      ),
  },
  {
    ids: ["ELB.1", "CKV_AWS_2"],
    resourceType: "aws_lb_listener",
    title: "No plain HTTP listener",
    why: "Traffic to the ALB must be encrypted.",
    exemptions: [
      { what: "the NLB's TCP 443 listener", why: "TLS passes through untouched to the ALB, which terminates it" },
    ],
    check: (input) =>
      each(resources(input.main, "aws_lb_listener"), (l) => l.body.protocol === "HTTP" && "HTTP listener"),
  },
  {
    ids: ["ELB.4", "CKV_AWS_131"],
    resourceType: "aws_lb",
    title: "ALBs drop invalid header fields",
    why: "Protects the service from HTTP request smuggling via malformed headers.",
    check: (input) =>
      each(
        resources(input.main, "aws_lb").filter((lb) => lb.body.load_balancer_type === "application"),
        (lb) => lb.body.drop_invalid_header_fields !== true && "keeps invalid headers",
      ),
  },
  {
    ids: ["ELB.12"],
    resourceType: "aws_lb",
    title: "ALB desync mitigation is defensive or strictest",
    why: "Mitigates HTTP desync (request smuggling) attacks.",
    check: (input) =>
      each(
        resources(input.main, "aws_lb").filter((lb) => lb.body.load_balancer_type === "application"),
        (lb) =>
          !isOneOf(lb.body.desync_mitigation_mode, ["defensive", "strictest"]) &&
          `desync_mitigation_mode ${show(lb.body.desync_mitigation_mode)}`,
      ),
  },
  {
    ids: ["ELB.6", "CKV_AWS_150"],
    resourceType: "aws_lb",
    title: "Deletion protection on the ALB and NLB",
    why: "A stray destroy would cut the private route.",
    exception: ({ config }) =>
      config.deletion_protection
        ? undefined
        : "deletion_protection is false in this config (a dev or tear-down config)",
    exemptions: [
      {
        what: "the NLB in the nlb -> alb migration step (keep_nlb_during_migration)",
        why: "the next deploy deletes it, which AWS refuses while it is protected",
      },
    ],
    check: (input) =>
      each(
        resources(input.main, "aws_lb").filter(
          (lb) => !(input.config.keep_nlb_during_migration && lb.body.load_balancer_type === "network"),
        ),
        (lb) => lb.body.enable_deletion_protection !== true && "deletion protection off",
      ),
  },
  {
    ids: ["ELB.5", "CKV_AWS_91"],
    resourceType: "aws_lb",
    title: "ALB access logs",
    why: "Access logs are the record of every request the ALB served.",
    exception: ({ config }) =>
      config.alb_access_logs_bucket ? undefined : "optional by config: alb_access_logs_bucket is null",
    exemptions: [
      { what: "the NLB", why: "NLBs write access logs only for TLS listeners; its TCP listener passes TLS through" },
    ],
    check: (input) =>
      each(
        resources(input.main, "aws_lb").filter((lb) => lb.body.load_balancer_type === "application"),
        (lb) => field(lb.body, "access_logs", "enabled") !== true && "no access logs",
      ),
  },
  {
    ids: ["ELB.13"],
    resourceType: "aws_lb",
    title: "Load balancers span two or more availability zones",
    why: "One AZ failure must not take the route down; the plan fails when the subnets cannot provide two AZs.",
    check: (input) =>
      each(resources(input.main, "aws_lb"), (lb) => {
        // data.aws_subnets (postcondition: 2+ ids) -> data.aws_subnet per id -> precondition: 2+ distinct AZs; the
        // load balancer takes one subnet per AZ from that per-subnet lookup, or pinned ids checked against it.
        const preconditions = resources(input.main, "terraform_data").flatMap((t) =>
          list(field(t.body, "lifecycle", "precondition")).map((p) => String(field(p, "condition"))),
        );
        // Pinned ids are a list of literals; otherwise the subnets are an expression over the per-subnet lookup.
        const pinned = Array.isArray(lb.body.subnets) ? (lb.body.subnets as unknown[]).map(String) : undefined;
        const perSubnet = resources(input.main, "aws_subnet", "data").find((s) =>
          pinned
            ? preconditions.some((p) => p.includes(`${s.address}[id]`))
            : String(lb.body.subnets).includes(s.address),
        );
        if (!perSubnet) return "subnets do not come from the tagged-subnet lookup (one per AZ)";
        const lookup = resources(input.main, "aws_subnets", "data").find((s) =>
          String(perSubnet.body.for_each).includes(`${s.address}.ids`),
        );
        if (!lookup) return `${perSubnet.path} does not iterate a tagged-subnet lookup`;
        const requiresTwo = list(field(lookup.body, "lifecycle", "postcondition")).some((p) =>
          /length\(self\.ids\) >= [2-9]/.test(show(field(p, "condition"))),
        );
        if (!requiresTwo) return `${lookup.path} does not require 2+ subnets`;
        const zoneCheck = preconditions.some(
          (p) => p.includes(`${perSubnet.address}:`) && /length\(distinct\(.*availability_zone.*>= [2-9]/.test(p),
        );
        if (!zoneCheck) return `no check that ${lookup.path} spans 2+ availability zones`;
        if (!pinned) return false;
        const containsChecks = preconditions.filter((p) => p.includes(`contains(${lookup.address}.ids`));
        const unchecked = pinned.filter((id) => !containsChecks.some((p) => p.includes(`"${id}"`)));
        return (
          unchecked.length > 0 &&
          `pinned subnets ${unchecked.join(", ")} are not checked against the tagged-subnet lookup`
        );
      }),
  },
  {
    ids: ["CUSTOM.HEALTH_CHECK"],
    resourceType: "aws_lb_target_group",
    title: "Every target group has an explicit health check path",
    why: "The default `/` would hit application routes instead of the health endpoint.",
    check: (input) =>
      each(
        resources(input.main, "aws_lb_target_group"),
        (tg) => !field(tg.body, "health_check", "path") && "no health check path",
      ),
  },
];
