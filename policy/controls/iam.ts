import { field, list, resources, show, statements } from "../../tfjson/index.js";
import { each, type Control, type PolicyInput } from "./check.js";

/** Actions AWS defines without resource-level permissions: `Resource: "*"` is the only value they accept. */
export const ACTIONS_WITHOUT_RESOURCES = [
  "ecr:GetAuthorizationToken",
  // ECS reads the listener, rule and target groups while it shifts the api's traffic (the infrastructure role).
  "elasticloadbalancing:DescribeListeners",
  "elasticloadbalancing:DescribeRules",
  "elasticloadbalancing:DescribeTargetGroups",
  "elasticloadbalancing:DescribeTargetHealth",
  // The trace collector beside each task sends its segments (stacks/services/trace-export.ts).
  "xray:PutTraceSegments",
] as const;

/** Service principals allowed to assume the project's roles (`ecs.amazonaws.com`: the infrastructure role). */
export const TRUSTED_SERVICE_PRINCIPALS = [
  "ecs-tasks.amazonaws.com",
  "apigateway.amazonaws.com",
  "ecs.amazonaws.com",
] as const;

/** IAM */
export const IAM_CONTROLS: readonly Control[] = [
  {
    ids: ["CKV_AWS_289", "CKV_AWS_290", "CKV_AWS_355"],
    resourceType: "aws_iam_role_policy",
    title: "No wildcard actions (`*`, `service:*`, `service:Get*`) in any policy",
    why: "Wildcard actions grant powers nobody reviewed.",
    check: (input) =>
      allPolicies(input).flatMap(({ where, document }) => {
        const wild = statements(document).flatMap((s) =>
          s.Effect === "Allow" ? s.Action.filter((a) => a.includes("*")) : [],
        );
        return wild.length ? [`${where}: wildcard actions ${wild.join(", ")}`] : [];
      }),
  },
  {
    ids: ["CKV_AWS_111", "CKV_AWS_356"],
    resourceType: "aws_iam_role_policy",
    title: "Resources scoped to ARNs in this account and region",
    why: "`Resource: *` (or an ARN with `*` for region or account) grants an action on everything.",
    exemptions: [
      { what: "ecr:GetAuthorizationToken", why: "AWS defines no resource for it; `*` is the only accepted value" },
      { what: "xray:PutTraceSegments", why: "AWS defines no resource for it; `*` is the only accepted value" },
    ],
    check: (input) =>
      allPolicies(input).flatMap(({ where, document }) => {
        const unscoped = statements(document).filter(
          (s) =>
            s.Effect === "Allow" &&
            s.Resource.some(isUnscopedResource) &&
            !s.Action.every((a) => (ACTIONS_WITHOUT_RESOURCES as readonly string[]).includes(a)),
        );
        return unscoped.length
          ? [`${where}: unscoped resource for ${unscoped.flatMap((s) => s.Action).join(", ")}`]
          : [];
      }),
  },
  {
    ids: ["CKV_AWS_274"],
    resourceType: "aws_iam_role_policy_attachment",
    title: "No managed policies attached to the project's roles",
    why: "AWS-managed policies (AdministratorAccess, *FullAccess) are broader than any one service needs; every permission here is an inline, reviewed statement.",
    check: (input) => [
      ...each(resources(input.main, "aws_iam_role_policy_attachment"), (a) => `attaches ${show(a.body.policy_arn)}`),
      ...each(
        resources(input.main, "aws_iam_role"),
        (r) =>
          (list(r.body.managed_policy_arns).length > 0 || Boolean(r.body.inline_policy)) &&
          "policies outside aws_iam_role_policy",
      ),
    ],
  },
  {
    ids: ["CUSTOM.IAM_TRUST"],
    resourceType: "aws_iam_role",
    title: "Trust policies name only the service principals that need them",
    why: "A broad trust policy lets other principals assume the role.",
    check: (input) =>
      each(resources(input.main, "aws_iam_role"), (r) => {
        const principals = statements(r.body.assume_role_policy).map(
          (s) => s.Principal as Record<string, unknown> | undefined,
        );
        const bad = principals.filter(
          (p) =>
            !p ||
            Object.keys(p).join() !== "Service" ||
            !(TRUSTED_SERVICE_PRINCIPALS as readonly unknown[]).includes(p.Service),
        );
        return bad.length > 0 && `trusts ${JSON.stringify(bad)}`;
      }),
  },
];

/** Every IAM policy document in the main stack: inline role policies, standalone policies, inline_policy blocks. */
function allPolicies(input: PolicyInput): { where: string; document: unknown }[] {
  return [
    ...resources(input.main, "aws_iam_role_policy").map((p) => ({ where: p.path, document: p.body.policy })),
    ...resources(input.main, "aws_iam_policy").map((p) => ({ where: p.path, document: p.body.policy })),
    ...resources(input.main, "aws_iam_role").flatMap((r) =>
      list(r.body.inline_policy).map((p) => ({ where: r.path, document: field(p, "policy") })),
    ),
  ];
}

/** `*`, or an ARN with `*` in its region or account field (`arn:aws:sqs:*:*:queue`). */
function isUnscopedResource(resource: string): boolean {
  if (resource === "*") return true;
  const [, , , region, account] = resource.split(":");
  return region === "*" || account === "*";
}
