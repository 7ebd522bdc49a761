import type { Config } from "../config/schema.js";
import { reference, resources, statements, type TfJson, type TfResource } from "./terraform-json.js";

/**
 * Security and reliability controls from AWS Security Hub (Foundational Security Best Practices) and checkov,
 * checked on the synthesized Terraform JSON of both stacks. One entry per control: ids, resource type, why,
 * and the check. A check returns the problems it found (empty = pass); `exception` marks a control that does not
 * apply to this config, with the reason (shown in `npm run policy` and docs/POLICY.md).
 */

export interface PolicyInput {
  readonly ecr: TfJson;
  readonly main: TfJson;
  readonly config: Config;
}

export interface Control {
  readonly ids: readonly string[];
  readonly resourceType: string;
  readonly title: string;
  readonly why: string;
  /** Why the control does not apply to this config, or undefined when it does. */
  readonly exception?: (input: PolicyInput) => string | undefined;
  /** Problems found, one line each naming the resource; empty when the control passes. */
  readonly check: (input: PolicyInput) => string[];
  /** Resources the control deliberately exempts, with the reason (listed in the report). */
  readonly exemptions?: readonly { readonly what: string; readonly why: string }[];
  /** Facts worth a reviewer's eye that do not fail the control (e.g. a service fixed at one size). */
  readonly notes?: (input: PolicyInput) => string[];
}

export type Status = "pass" | "fail" | "exception";

export interface ControlResult {
  readonly control: Control;
  readonly status: Status;
  readonly problems: readonly string[];
  readonly exceptionReason?: string;
  readonly notes?: readonly string[];
}

export function evaluate(input: PolicyInput): ControlResult[] {
  return CONTROLS.map((control) => {
    const exceptionReason = control.exception?.(input);
    if (exceptionReason) return { control, status: "exception", problems: [], exceptionReason };
    const problems = control.check(input);
    const notes = control.notes?.(input) ?? [];
    return { control, status: problems.length ? "fail" : "pass", problems, ...(notes.length ? { notes } : {}) };
  });
}

// ---- helpers -------------------------------------------------------------------------------------------------

const all = (input: PolicyInput, type: string) => [...resources(input.ecr, type), ...resources(input.main, type)];

/** One problem line per resource for which `bad` returns a description (or true). */
function each(list: TfResource[], bad: (r: TfResource) => string | boolean | undefined): string[] {
  return list.flatMap((r) => {
    const verdict = bad(r);
    return verdict ? [`${r.path}: ${verdict === true ? "fails" : verdict}`] : [];
  });
}

const containers = (input: PolicyInput) =>
  resources(input.main, "aws_ecs_task_definition").flatMap((task) =>
    (JSON.parse(task.body.container_definitions) as Record<string, any>[]).map((container) => ({ task, container })),
  );

const stageMethodSettings = (input: PolicyInput, stage: TfResource) =>
  resources(input.main, "aws_api_gateway_method_settings").find(
    (s) => s.body.rest_api_id === stage.body.rest_api_id && s.body.method_path === "*/*",
  )?.body.settings as Record<string, unknown> | undefined;

const isTlsPolicyModern = (policy: unknown) =>
  typeof policy === "string" && /^ELBSecurityPolicy-(TLS13-1-[23]-|TLS-1-2-|FS-1-2-)/.test(policy);

/** Actions AWS defines without resource-level permissions: `Resource: "*"` is the only value they accept. */
export const ACTIONS_WITHOUT_RESOURCES = ["ecr:GetAuthorizationToken"] as const;

/** Service principals allowed to assume the project's roles. */
export const TRUSTED_SERVICE_PRINCIPALS = ["ecs-tasks.amazonaws.com", "apigateway.amazonaws.com"] as const;

/** Names that suggest a secret; such values belong in Secrets Manager/SSM (`secrets`), never in `environment`. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|ACCESS_KEY|API_KEY|CREDENTIAL)/i;

// ---- the controls --------------------------------------------------------------------------------------------

export const CONTROLS: readonly Control[] = [
  // API Gateway
  {
    ids: ["APIGateway.1"],
    resourceType: "aws_api_gateway_stage",
    title: "Execution logging (ERROR or INFO) and metrics on every stage",
    why: "Without execution logs, integration failures (e.g. SQS rejections) are invisible.",
    check: (input) =>
      each(resources(input.main, "aws_api_gateway_stage"), (stage) => {
        const settings = stageMethodSettings(input, stage);
        if (!settings) return "no */* method settings";
        if (!["ERROR", "INFO"].includes(String(settings.logging_level)))
          return `logging_level is ${settings.logging_level}`;
        return settings.metrics_enabled !== true && "metrics disabled";
      }),
  },
  {
    ids: ["CKV_AWS_76"],
    resourceType: "aws_api_gateway_stage",
    title: "Access logging on every stage",
    why: "Access logs record who called what, with status and latency.",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_stage"),
        (s) => !s.body.access_log_settings?.destination_arn && "no access log destination",
      ),
  },
  {
    ids: ["CKV_AWS_276"],
    resourceType: "aws_api_gateway_method_settings",
    title: "No data trace logging",
    why: "Data trace writes full request and response bodies (customer payloads) to logs.",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_method_settings"),
        (s) => s.body.settings?.data_trace_enabled !== false && "data trace not disabled",
      ),
  },
  {
    ids: ["APIGateway.3"],
    resourceType: "aws_api_gateway_stage",
    title: "X-Ray tracing on every stage",
    why: "Traces show where latency goes across API Gateway, SQS and the VPC Link.",
    check: (input) =>
      each(resources(input.main, "aws_api_gateway_stage"), (s) => s.body.xray_tracing_enabled !== true && "X-Ray off"),
  },
  {
    ids: ["CKV_AWS_59"],
    resourceType: "aws_api_gateway_method",
    title: "Every method requires authorization or an API key",
    why: "An open method lets anyone fill the queue or read results (api_key_required: false fails this control).",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_method"),
        (m) => m.body.authorization === "NONE" && m.body.api_key_required !== true && "no authorization and no API key",
      ),
  },
  {
    ids: ["CKV2_AWS_53"],
    resourceType: "aws_api_gateway_method",
    title: "Request validation on methods with a body",
    why: "Validation rejects malformed bodies with a 400 before they reach SQS.",
    check: (input) => {
      const bodyValidators = resources(input.main, "aws_api_gateway_request_validator")
        .filter((v) => v.body.validate_request_body === true)
        .map((v) => reference(v, "id"));
      return each(
        resources(input.main, "aws_api_gateway_method").filter((m) =>
          ["POST", "PUT", "PATCH"].includes(m.body.http_method),
        ),
        (m) => !bodyValidators.includes(m.body.request_validator_id) && "no body validator",
      );
    },
  },
  {
    ids: ["CKV_AWS_217"],
    resourceType: "aws_api_gateway_deployment",
    title: "Deployments are created before the old one is destroyed",
    why: "Otherwise a redeploy deletes the stage's live deployment first: an outage on every change.",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_deployment"),
        (d) => d.body.lifecycle?.create_before_destroy !== true && "no create_before_destroy",
      ),
  },
  {
    ids: ["CKV_AWS_206"],
    resourceType: "aws_api_gateway_domain_name",
    title: "Custom domains use TLS 1.2 or later",
    why: "TLS 1.0/1.1 are deprecated and fail compliance baselines.",
    exception: (input) =>
      resources(input.main, "aws_api_gateway_domain_name").length
        ? undefined
        : "no custom domain configured (ingest_api_domain, query_api_domain are null)",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_domain_name"),
        (d) =>
          !/^(TLS_1_2|SecurityPolicy_TLS1[23])/.test(String(d.body.security_policy)) &&
          `security_policy ${d.body.security_policy}`,
      ),
  },
  {
    ids: ["APIGateway.4"],
    resourceType: "aws_wafv2_web_acl_association",
    title: "WAF web ACL on every stage",
    why: "A web ACL filters abusive traffic before it costs anything.",
    exception: ({ config }) => (config.waf_web_acl_arn ? undefined : "optional by config: waf_web_acl_arn is null"),
    check: (input) => {
      const protectedStages = resources(input.main, "aws_wafv2_web_acl_association").map((a) => a.body.resource_arn);
      return each(
        resources(input.main, "aws_api_gateway_stage"),
        (s) => !protectedStages.includes(reference(s, "arn")) && "no WAF association",
      );
    },
  },

  // Load balancers
  {
    ids: ["ELB.17", "CKV_AWS_103"],
    resourceType: "aws_lb_listener",
    title: "HTTPS/TLS listeners use a TLS 1.2+/1.3 policy",
    why: "Old policies allow TLS 1.0/1.1 and weak ciphers.",
    check: (input) =>
      each(
        resources(input.main, "aws_lb_listener").filter((l) => ["HTTPS", "TLS"].includes(l.body.protocol)),
        (l) => !isTlsPolicyModern(l.body.ssl_policy) && `ssl_policy ${l.body.ssl_policy}`,
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
          !["defensive", "strictest"].includes(lb.body.desync_mitigation_mode) &&
          `desync_mitigation_mode ${lb.body.desync_mitigation_mode}`,
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
        (lb) => lb.body.access_logs?.enabled !== true && "no access logs",
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
          (t.body.lifecycle?.precondition ?? []).map((p: any) => String(p.condition)),
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
        const requiresTwo = (lookup.body.lifecycle?.postcondition ?? []).some((p: any) =>
          /length\(self\.ids\) >= [2-9]/.test(p.condition),
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
      each(resources(input.main, "aws_lb_target_group"), (tg) => !tg.body.health_check?.path && "no health check path"),
  },

  // ECS
  {
    ids: ["ECS.2"],
    resourceType: "aws_ecs_service",
    title: "Services do not assign public IPs",
    why: "Tasks are reachable only through the load balancers.",
    check: (input) =>
      each(
        resources(input.main, "aws_ecs_service"),
        (s) => s.body.network_configuration?.assign_public_ip !== false && "public IP not disabled",
      ),
  },
  {
    ids: ["ECS.4"],
    resourceType: "aws_ecs_task_definition",
    title: "Containers are not privileged",
    why: "A privileged container has root on the host.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        container.privileged === true ? [`${task.path}/${container.name}: privileged`] : [],
      ),
  },
  {
    ids: ["ECS.5"],
    resourceType: "aws_ecs_task_definition",
    title: "Read-only root filesystem",
    why: "An attacker cannot persist tools or modify the application on disk.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        container.readonlyRootFilesystem !== true ? [`${task.path}/${container.name}: writable root filesystem`] : [],
      ),
  },
  {
    ids: ["ECS.3", "ECS.17"],
    resourceType: "aws_ecs_task_definition",
    title: "No host network or PID namespace",
    why: "Sharing the host's namespaces breaks task isolation.",
    check: (input) =>
      each(resources(input.main, "aws_ecs_task_definition"), (t) =>
        t.body.network_mode === "host" ? "host network mode" : t.body.pid_mode === "host" && "host PID mode",
      ),
  },
  {
    ids: ["ECS.8"],
    resourceType: "aws_ecs_task_definition",
    title: "No secrets in plain environment variables",
    why: "Environment values are readable by anyone who can describe the task definition.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        (container.environment ?? [])
          .filter((e: { name: string }) => SECRET_NAME.test(e.name))
          .map(
            (e: { name: string }) =>
              `${task.path}/${container.name}: ${e.name} looks like a secret in plain environment`,
          ),
      ),
  },
  {
    ids: ["ECS.9"],
    resourceType: "aws_ecs_task_definition",
    title: "Logging on every container",
    why: "Without a log driver, a crashing container leaves no trace.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) =>
        !container.logConfiguration?.logDriver ? [`${task.path}/${container.name}: no log configuration`] : [],
      ),
  },
  {
    ids: ["ECS.10"],
    resourceType: "aws_ecs_service",
    title: "Fargate platform version LATEST",
    why: "Older platform versions miss security patches.",
    check: (input) =>
      each(
        resources(input.main, "aws_ecs_service").filter((s) => s.body.launch_type === "FARGATE"),
        (s) => s.body.platform_version !== "LATEST" && `platform ${s.body.platform_version}`,
      ),
  },
  {
    ids: ["ECS.12"],
    resourceType: "aws_ecs_cluster",
    title: "Container Insights on every cluster",
    why: "Per-task CPU/memory metrics drive scaling decisions and incident analysis.",
    check: (input) =>
      each(
        resources(input.main, "aws_ecs_cluster"),
        (c) =>
          !(c.body.setting ?? []).some(
            (s: any) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(s.value),
          ) && "Container Insights off",
      ),
  },
  {
    ids: ["ECS.20"],
    resourceType: "aws_ecs_task_definition",
    title: "Containers run as a non-root user",
    why: "A compromise of the process must not be root in the container.",
    check: (input) =>
      containers(input).flatMap(({ task, container }) => {
        const user = String(container.user ?? "");
        return !user || /^(root|0)(:|$)/.test(user)
          ? [`${task.path}/${container.name}: user ${user || "not set"}`]
          : [];
      }),
  },
  {
    ids: ["CUSTOM.ECS_ROLES"],
    resourceType: "aws_ecs_task_definition",
    title: "Execution role differs from task role",
    why: "ECS's permissions (pull images, write logs) must not be the application's.",
    check: (input) =>
      each(resources(input.main, "aws_ecs_task_definition"), (t) =>
        !t.body.task_role_arn || !t.body.execution_role_arn
          ? "missing a role"
          : t.body.task_role_arn === t.body.execution_role_arn && "same role for both",
      ),
  },

  // SQS
  {
    ids: ["SQS.1", "CKV_AWS_27"],
    resourceType: "aws_sqs_queue",
    title: "Encryption at rest on every queue (DLQ included)",
    why: "Messages carry customer payloads.",
    check: (input) =>
      each(
        resources(input.main, "aws_sqs_queue"),
        (q) => q.body.sqs_managed_sse_enabled !== true && !q.body.kms_master_key_id && "not encrypted",
      ),
  },
  {
    ids: ["SQS.3", "CKV_AWS_72"],
    resourceType: "aws_sqs_queue_policy",
    title: "No wildcard principal or action in Allow statements of queue policies",
    why: "A public queue policy lets anyone send or read messages.",
    check: (input) =>
      each(resources(input.main, "aws_sqs_queue_policy"), (p) => {
        const open = statements(p.body.policy).filter(
          (s) =>
            s.Effect === "Allow" &&
            (JSON.stringify(s.Principal ?? "").includes('"*"') || s.Action.some((a) => a === "*" || a === "sqs:*")),
        );
        return open.length > 0 && "Allow with wildcard principal or action";
      }),
  },
  {
    ids: ["CUSTOM.SQS_TLS"],
    resourceType: "aws_sqs_queue_policy",
    title: "Every queue denies requests without TLS",
    why: "Encryption in transit must not depend on every client's settings.",
    check: (input) => {
      const tlsOnly = resources(input.main, "aws_sqs_queue_policy")
        .filter((p) =>
          statements(p.body.policy).some(
            (s) => s.Effect === "Deny" && JSON.stringify(s.Condition ?? {}).includes('"aws:SecureTransport":"false"'),
          ),
        )
        .map((p) => p.body.queue_url);
      return each(
        resources(input.main, "aws_sqs_queue"),
        (q) => !tlsOnly.includes(reference(q, "url")) && "no TLS-only policy",
      );
    },
  },
  {
    ids: ["CUSTOM.SQS_DLQ"],
    resourceType: "aws_sqs_queue",
    title: "Every work queue has a DLQ with maxReceiveCount",
    why: "A message that can never succeed must end somewhere inspectable, not loop or vanish.",
    check: (input) => {
      const queues = resources(input.main, "aws_sqs_queue");
      const dlqArns = queues.flatMap((q) =>
        q.body.redrive_policy ? [JSON.parse(q.body.redrive_policy).deadLetterTargetArn] : [],
      );
      return each(
        queues.filter((q) => !dlqArns.includes(reference(q, "arn"))),
        (q) => {
          const redrive = q.body.redrive_policy ? JSON.parse(q.body.redrive_policy) : undefined;
          return !(redrive?.deadLetterTargetArn && Number(redrive.maxReceiveCount) >= 1) && "no dead-letter queue";
        },
      );
    },
  },

  {
    ids: ["CUSTOM.DLQ_ALARM"],
    resourceType: "aws_cloudwatch_metric_alarm",
    title: "An alarm on every dead-letter queue",
    why: "A message in the DLQ was accepted (202) and never processed; without an alarm nobody knows.",
    check: (input) => {
      const queues = resources(input.main, "aws_sqs_queue");
      const dlqs = queues.filter((q) =>
        queues.some((other) => String(other.body.redrive_policy ?? "").includes(reference(q, "arn"))),
      );
      const watched = resources(input.main, "aws_cloudwatch_metric_alarm").map((a) => a.body.dimensions?.QueueName);
      return each(dlqs, (q) => !watched.includes(reference(q, "name")) && "no alarm on its depth");
    },
  },

  // DynamoDB
  {
    ids: ["DynamoDB.2", "CKV_AWS_28"],
    resourceType: "aws_dynamodb_table",
    title: "Point-in-time recovery",
    why: "Restores the table to any second of the last 35 days after a bad write or delete.",
    check: (input) =>
      each(
        resources(input.main, "aws_dynamodb_table"),
        (t) => t.body.point_in_time_recovery?.enabled !== true && "PITR off",
      ),
  },
  {
    ids: ["DynamoDB.6"],
    resourceType: "aws_dynamodb_table",
    title: "Deletion protection",
    why: "A stray destroy would lose every result.",
    exception: ({ config }) =>
      config.deletion_protection
        ? undefined
        : "deletion_protection is false in this config (a dev or tear-down config)",
    check: (input) =>
      each(
        resources(input.main, "aws_dynamodb_table"),
        (t) => t.body.deletion_protection_enabled !== true && "deletion protection off",
      ),
  },
  {
    ids: ["DynamoDB.1"],
    resourceType: "aws_dynamodb_table",
    title: "On-demand or autoscaled capacity",
    why: "Fixed capacity throttles the processor under load.",
    check: (input) =>
      each(
        resources(input.main, "aws_dynamodb_table"),
        (t) =>
          t.body.billing_mode !== "PAY_PER_REQUEST" &&
          resources(input.main, "aws_appautoscaling_target").every((a) => a.body.service_namespace !== "dynamodb") &&
          "provisioned without autoscaling",
      ),
  },

  // ECR
  {
    ids: ["ECR.1"],
    resourceType: "aws_ecr_repository",
    title: "Images are scanned on push",
    why: "Known CVEs are reported before an image is deployed.",
    check: (input) =>
      each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => r.body.image_scanning_configuration?.scan_on_push !== true && "scan on push off",
      ),
  },
  {
    ids: ["ECR.2", "CKV_AWS_51"],
    resourceType: "aws_ecr_repository",
    title: "Immutable tags",
    why: "A tag always means the same image, so deploys and rollbacks by tag are exact.",
    check: (input) =>
      each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => r.body.image_tag_mutability !== "IMMUTABLE" && `tags ${r.body.image_tag_mutability ?? "MUTABLE"}`,
      ),
  },
  {
    ids: ["ECR.3"],
    resourceType: "aws_ecr_lifecycle_policy",
    title: "A lifecycle policy on every repository",
    why: "Bounds storage cost and removes untagged layers.",
    check: (input) => {
      const covered = resources(input.ecr, "aws_ecr_lifecycle_policy").map((p) => p.body.repository);
      return each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => !covered.includes(reference(r, "name")) && "no lifecycle policy",
      );
    },
  },
  {
    ids: ["CKV_AWS_136"],
    resourceType: "aws_ecr_repository",
    title: "Repositories encrypted with KMS",
    why: "KMS encryption gives key-level access control and audit.",
    check: (input) =>
      each(
        resources(input.ecr, "aws_ecr_repository"),
        (r) => r.body.encryption_configuration?.[0]?.encryption_type !== "KMS" && "not KMS-encrypted",
      ),
  },

  // CloudWatch Logs
  {
    ids: ["CKV_AWS_338"],
    resourceType: "aws_cloudwatch_log_group",
    title: "Every log group keeps logs for at least a year",
    why: "Incident investigations and audits need a year of history; an unset retention keeps logs (and cost) forever.",
    check: (input) =>
      each(
        all(input, "aws_cloudwatch_log_group"),
        (g) => !(Number(g.body.retention_in_days) >= 365) && `retention ${g.body.retention_in_days ?? "unset"} days`,
      ),
  },
  {
    ids: ["CKV_AWS_158"],
    resourceType: "aws_cloudwatch_log_group",
    title: "Log groups encrypted with a customer KMS key",
    why: "Key-level control over who can read logs.",
    exception: ({ config }) =>
      config.log_kms_key_arn
        ? undefined
        : "optional by config: log_kms_key_arn is null (CloudWatch Logs encrypts with its own key)",
    check: (input) => each(all(input, "aws_cloudwatch_log_group"), (g) => !g.body.kms_key_id && "no KMS key"),
  },

  // IAM
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
      ...each(resources(input.main, "aws_iam_role_policy_attachment"), (a) => `attaches ${a.body.policy_arn}`),
      ...each(
        resources(input.main, "aws_iam_role"),
        (r) =>
          ((r.body.managed_policy_arns ?? []).length > 0 || r.body.inline_policy) &&
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

  // Security groups
  {
    ids: ["EC2.19", "CKV_AWS_260"],
    resourceType: "aws_vpc_security_group_ingress_rule",
    title: "No ingress from the internet (0.0.0.0/0, ::/0 or any range wider than /8)",
    why: "Nothing in this architecture is public at the network layer; API Gateway is the only front door.",
    check: (input) => [
      ...each(resources(input.main, "aws_vpc_security_group_ingress_rule"), (r) => {
        const widest = [r.body.cidr_ipv4, r.body.cidr_ipv6]
          .filter(Boolean)
          .find((cidr: string) => Number(cidr.split("/")[1]) < 8);
        return widest ? `admits ${widest}` : r.body.prefix_list_id && "admits a prefix list";
      }),
      ...each(
        resources(input.main, "aws_security_group"),
        (g) => (g.body.ingress ?? []).length > 0 && "inline ingress rules (use rule resources)",
      ),
    ],
  },
  {
    ids: ["CUSTOM.SG_HOPS"],
    resourceType: "aws_vpc_security_group_ingress_rule",
    title: "Each hop admits only the previous hop, on its one port",
    why: "VPC Link -> NLB -> ALB (443) -> api tasks (container port), or VPC Link v2 -> ALB (443) -> api tasks: nothing can skip a hop or reach another port; VPC endpoints admit only the tasks on 443.",
    check: (input) => {
      const groupOf = (ids: unknown) => (Array.isArray(ids) ? ids : []) as string[];
      const lbGroups = (type: string) =>
        resources(input.main, "aws_lb")
          .filter((lb) => lb.body.load_balancer_type === type)
          .flatMap((lb) => groupOf(lb.body.security_groups));
      const [nlbGroups, albGroups] = [lbGroups("network"), lbGroups("application")];
      const linkGroups = resources(input.main, "aws_apigatewayv2_vpc_link").flatMap((l) =>
        groupOf(l.body.security_group_ids),
      );
      const endpointGroups = resources(input.main, "aws_vpc_endpoint").flatMap((e) =>
        groupOf(e.body.security_group_ids),
      );
      const services = resources(input.main, "aws_ecs_service").map((s) => ({
        groups: groupOf(s.body.network_configuration?.security_groups),
        ports: (s.body.load_balancer ?? []).map((l: any) => l.container_port),
      }));
      const taskGroups = services.flatMap((s) => s.groups);
      return each(resources(input.main, "aws_vpc_security_group_ingress_rule"), (rule) => {
        const into = rule.body.security_group_id;
        const from = rule.body.referenced_security_group_id;
        const port = rule.body.from_port;
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
      const taskGroups = resources(input.main, "aws_ecs_service").flatMap(
        (s) => (s.body.network_configuration?.security_groups ?? []) as string[],
      );
      const endpointGroups = [
        ...resources(input.main, "aws_vpc_endpoint").flatMap((e) => (e.body.security_group_ids ?? []) as string[]),
        ...(input.config.vpc_endpoints?.mode === "existing" ? input.config.vpc_endpoints.security_group_ids : []),
      ];
      const endpointsOn = input.config.vpc_endpoints !== null;
      return each(
        resources(input.main, "aws_vpc_security_group_egress_rule").filter((r) =>
          taskGroups.includes(r.body.security_group_id),
        ),
        (rule) => {
          if (rule.body.from_port !== 443 || rule.body.to_port !== 443 || rule.body.ip_protocol !== "tcp")
            return `egress on ${rule.body.ip_protocol} ${rule.body.from_port}-${rule.body.to_port}, not HTTPS`;
          if (!endpointsOn) return false;
          if (rule.body.cidr_ipv4 || rule.body.cidr_ipv6)
            return `egress to ${rule.body.cidr_ipv4 ?? rule.body.cidr_ipv6} with vpc_endpoints on`;
          if (rule.body.prefix_list_id) return false;
          return (
            !endpointGroups.includes(rule.body.referenced_security_group_id) &&
            `egress to ${rule.body.referenced_security_group_id}, not a VPC endpoint group`
          );
        },
      );
    },
  },

  // Operations: alarms reach someone, the topic is encrypted, services scale
  {
    ids: ["CUSTOM.ALARM_ACTIONS"],
    resourceType: "aws_cloudwatch_metric_alarm",
    title: "Every alarm notifies the alarm topic",
    why: "An alarm without an action only changes colour on a dashboard nobody is watching.",
    check: (input) => {
      const topics = [
        ...resources(input.main, "aws_sns_topic").map((t) => reference(t, "arn")),
        ...(input.config.alarm_topic_arn ? [input.config.alarm_topic_arn] : []),
      ];
      return each(resources(input.main, "aws_cloudwatch_metric_alarm"), (a) => {
        const actions: string[] = a.body.alarm_actions ?? [];
        if (!actions.length) return "no alarm action";
        const other = actions.filter((action) => !topics.includes(action));
        return other.length > 0 && `notifies ${other.join(", ")}, not the alarm topic`;
      });
    },
  },
  {
    ids: ["SNS.1", "CKV_AWS_26"],
    resourceType: "aws_sns_topic",
    title: "The alarm topic is encrypted with a rotated customer-managed KMS key that CloudWatch may use",
    why: "Alarms cannot publish to a topic under the AWS-managed SNS key, and an unencrypted topic stores notifications in clear.",
    exception: ({ config }) =>
      config.alarm_topic_arn
        ? "alarm_topic_arn names an existing topic: its encryption is managed where that topic is defined"
        : undefined,
    check: (input) => {
      const topics = resources(input.main, "aws_sns_topic");
      if (!topics.length) return ["no alarm topic in the stack, and alarm_topic_arn is null"];
      const keys = resources(input.main, "aws_kms_key");
      return each(topics, (topic) => {
        const keyRef = topic.body.kms_master_key_id;
        if (!keyRef) return "not encrypted";
        const key = keys.find((k) =>
          [reference(k, "arn"), reference(k, "key_id"), reference(k, "id")].includes(keyRef),
        );
        if (!key) return `kms_master_key_id ${keyRef} is not a customer-managed key of this stack`;
        if (key.body.enable_key_rotation !== true) return `${key.path}: key rotation off`;
        const granted = statements(key.body.policy)
          .filter(
            (st) => st.Effect === "Allow" && JSON.stringify(st.Principal ?? "").includes('"cloudwatch.amazonaws.com"'),
          )
          .flatMap((st) => st.Action);
        const missing = ["kms:GenerateDataKey*", "kms:Decrypt"].filter((action) => !granted.includes(action));
        return (
          missing.length > 0 &&
          `${key.path}: the key policy does not let cloudwatch.amazonaws.com use ${missing.join(", ")}`
        );
      });
    },
  },
  {
    ids: ["CUSTOM.SCALABLE_TARGETS"],
    resourceType: "aws_appautoscaling_target",
    title: "Each ECS service has a scalable target (1 <= min <= max) with a policy, and ignores desired_count",
    why: "Without one a service cannot follow its load; without ignore_changes every deploy resets the scaler's count.",
    notes: (input) =>
      scalableTargets(input).flatMap(({ service, target }) =>
        target && Number(target.body.min_capacity) === Number(target.body.max_capacity)
          ? [`${service.path}: fixed size (min = max = ${target.body.min_capacity})`]
          : [],
      ),
    check: (input) => {
      const policies = resources(input.main, "aws_appautoscaling_policy").map((p) => p.body.resource_id);
      return scalableTargets(input).flatMap(({ service, target }) => {
        const problem = (() => {
          if (!target) return "no scalable target";
          const [min, max] = [Number(target.body.min_capacity), Number(target.body.max_capacity)];
          if (!(min >= 1)) return `min_capacity ${target.body.min_capacity} (below 1 nothing serves or consumes)`;
          if (!(max >= min)) return `max_capacity ${target.body.max_capacity} is below min_capacity ${min}`;
          if (!policies.includes(reference(target, "resource_id"))) return "no scaling policy on its scalable target";
          return (
            !(service.body.lifecycle?.ignore_changes ?? []).includes("desired_count") &&
            "desired_count not in ignore_changes"
          );
        })();
        return problem ? [`${service.path}: ${problem}`] : [];
      });
    },
  },
  {
    ids: ["CUSTOM.ALARM_DIMENSIONS"],
    resourceType: "aws_cloudwatch_metric_alarm",
    title: "Every alarm's metric dimensions reference resources of the stack",
    why: "A name typed into an alarm keeps watching the old name after a rename or replacement: an alarm on nothing never fires.",
    exemptions: [
      {
        what: "the DynamoDB `Operation` dimension",
        why: "it names an API operation (GetItem, PutItem...), not a resource",
      },
    ],
    check: (input) =>
      resources(input.main, "aws_cloudwatch_metric_alarm").flatMap((alarm) => {
        const sets: Record<string, string>[] = [
          alarm.body.dimensions,
          ...(alarm.body.metric_query ?? []).map((q: any) => q.metric?.dimensions),
        ].filter(Boolean);
        const metricCount =
          (alarm.body.metric_name ? 1 : 0) + (alarm.body.metric_query ?? []).filter((q: any) => q.metric).length;
        if (sets.length < metricCount)
          return [`${alarm.path}: a metric without dimensions (an account-wide metric, not this stack's)`];
        const literal = sets
          .flatMap((dimensions) => Object.entries(dimensions))
          .filter(([name, value]) => !NON_RESOURCE_DIMENSIONS.includes(name) && !referencesResource(input.main, value));
        return literal.length
          ? [
              `${alarm.path}: ${literal.map(([n, v]) => `${n}=${v}`).join(", ")} is not a reference to a resource of the stack`,
            ]
          : [];
      }),
  },
];

/** Alarm dimensions whose values name something other than a resource. */
const NON_RESOURCE_DIMENSIONS = ["Operation"];

/** `${aws_x.name.attribute}` where `aws_x.name` is a resource of `doc`. */
function referencesResource(doc: TfJson, value: unknown): boolean {
  const match = /^\$\{(aws_[a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(String(value));
  return Boolean(match && doc.resource?.[match[1]!]?.[match[2]!]);
}

/** Each ECS service with the scalable target whose resource id names it (`service/<cluster>/<service name>`). */
function scalableTargets(input: PolicyInput): { service: TfResource; target?: TfResource }[] {
  const targets = resources(input.main, "aws_appautoscaling_target").filter((t) => t.body.service_namespace === "ecs");
  return resources(input.main, "aws_ecs_service").map((service) => ({
    service,
    target: targets.find(
      (t) =>
        t.body.scalable_dimension === "ecs:service:DesiredCount" &&
        String(t.body.resource_id).endsWith(`/${reference(service, "name")}`),
    ),
  }));
}

/** Every IAM policy document in the main stack: inline role policies, standalone policies, inline_policy blocks. */
function allPolicies(input: PolicyInput): { where: string; document: string }[] {
  return [
    ...resources(input.main, "aws_iam_role_policy").map((p) => ({ where: p.path, document: p.body.policy })),
    ...resources(input.main, "aws_iam_policy").map((p) => ({ where: p.path, document: p.body.policy })),
    ...resources(input.main, "aws_iam_role").flatMap((r) =>
      (r.body.inline_policy ?? []).map((p: { policy: string }) => ({ where: r.path, document: p.policy })),
    ),
  ];
}

/** `*`, or an ARN with `*` in its region or account field (`arn:aws:sqs:*:*:queue`). */
function isUnscopedResource(resource: string): boolean {
  if (resource === "*") return true;
  const [, , , region, account] = resource.split(":");
  return region === "*" || account === "*";
}
