import { beforeAll, describe, expect, test } from "vitest";
import { loadApiConfig } from "../../apps/api/src/config.js";
import { loadProcessorConfig } from "../../apps/processor/src/config.js";
import { sendMessageTemplate } from "../../stacks/apis/send-message-template.js";
import {
  addressOf,
  exampleConfigInput,
  refTo,
  resourceAt,
  resourcesOf,
  synthApp,
  type Synthesized,
  type TfJson,
} from "../support/synth.js";

let synth: Synthesized;
let main: TfJson;
beforeAll(() => {
  synth = synthApp();
  main = synth.main;
});

const policyOf = (body: Record<string, any>) => JSON.parse(body.policy);
const containerOf = (path: string, doc: TfJson = main) =>
  JSON.parse(resourceAt(doc, "aws_ecs_task_definition", path).container_definitions)[0];

describe("main stack: lookups", () => {
  test("network: looks up the public subnets by tier tag without requiring any, and outputs them", () => {
    expect(resourcesOf(main, "aws_subnets", "data")).toHaveLength(2);
    const publicSubnets = resourceAt(main, "aws_subnets", "network/public-subnets", "data");
    expect(publicSubnets.filter).toEqual([
      { name: "vpc-id", values: ["vpc-0123456789abcdef0"] },
      { name: "tag:tier", values: ["public"] },
    ]);
    expect(publicSubnets.lifecycle).toBeUndefined();
    expect(main.output?.public_subnet_ids?.value).toBe(
      refTo(main, "aws_subnets", "network/public-subnets", "ids", "data"),
    );
  });

  test("network: the plan warns when a subnet tagged tier=private maps public IPs or routes to an internet gateway", () => {
    const [publicIps, internetRoutes] = (main as any).check.private_subnets_are_private.assert;
    const details = refTo(main, "aws_subnet", "network/private-subnet", "id", "data").replace(/^\$\{|\.id\}$/g, "");
    expect(publicIps.condition).toBe(
      `\${length([for subnet in ${details} : subnet.id if subnet.map_public_ip_on_launch]) == 0}`,
    );
    const internet = resourceAt(main, "aws_route_tables", "network/internet-route-table", "data");
    expect(internet.filter).toEqual([{ name: "route.gateway-id", values: ["igw-*"] }]);
    expect(internetRoutes.condition).toContain(
      refTo(main, "aws_route_tables", "network/internet-route-table", "ids", "data").slice(2, -1),
    );
    expect(internetRoutes.condition).toContain(
      addressOf(main, "aws_route_tables", "network/private-subnet-route-table", "data"),
    );
  });

  test("network: looks up the private subnets by tier tag (a private-only VPC plans), failing the plan below 2", () => {
    const subnets = resourceAt(main, "aws_subnets", "network/private-subnets", "data");
    expect(subnets.filter).toEqual([
      { name: "vpc-id", values: ["vpc-0123456789abcdef0"] },
      { name: "tag:tier", values: ["private"] },
    ]);
    const [postcondition] = subnets.lifecycle.postcondition;
    expect(postcondition.condition).toBe("${length(self.ids) >= 2}");
    expect(postcondition.error_message).toContain("subnets tagged tier=private");
  });

  test("network: each load balancer takes one subnet per AZ, the lowest id, while tasks take every private subnet", () => {
    const perSubnet = refTo(main, "aws_subnet", "network/private-subnet", "id", "data").replace(/^\$\{|\.id\}$/g, "");
    const onePerZone = `\${[for zone, ids in {for subnet in ${perSubnet} : subnet.availability_zone => subnet.id...} : sort(ids)[0]]}`;
    expect(resourceAt(main, "aws_lb", "ingress/nlb").subnets).toBe(onePerZone);
    expect(resourceAt(main, "aws_lb", "ingress/alb").subnets).toBe(onePerZone);
    const privateSubnets = refTo(main, "aws_subnets", "network/private-subnets", "ids", "data");
    for (const service of ["api/service", "processor/service"]) {
      expect(resourceAt(main, "aws_ecs_service", service).network_configuration.subnets).toBe(privateSubnets);
    }
  });

  test("network: pinned load balancer subnets are used as given, checked at plan against the tagged subnets and AZs", () => {
    const pinned = ["subnet-0a0000000000000a1", "subnet-0a0000000000000b1"];
    const doc = synthApp({ load_balancer_subnet_ids: pinned }).main;
    expect(resourceAt(doc, "aws_lb", "ingress/nlb").subnets).toEqual(pinned);
    const messages = resourceAt(doc, "terraform_data", "network/private-subnet-zones").lifecycle.precondition.map(
      (p: any) => p.error_message,
    );
    expect(messages).toEqual([
      expect.stringContaining("fewer than 2 availability zones"),
      expect.stringContaining("must all be subnets of vpc-0123456789abcdef0 tagged tier=private"),
      expect.stringContaining("must be in distinct availability zones"),
    ]);
  });

  test("network: fails the plan when the subnets of a tier span fewer than 2 availability zones", () => {
    const zones = resourceAt(main, "terraform_data", "network/private-subnet-zones");
    expect(zones.lifecycle.precondition[0].condition).toMatch(
      /^\$\{\(length\(distinct\(\[ for key, val in data\.aws_subnet\.\S+: val\.availability_zone\]\)\) >= 2\)\}$/,
    );
    expect(zones.lifecycle.precondition[0].error_message).toContain("fewer than 2 availability zones");
  });

  test("certificates: the ALB certificate is the most recent ISSUED one for the configured domain", () => {
    expect(resourceAt(main, "aws_acm_certificate", "alb-certificate", "data")).toMatchObject({
      domain: "orders-internal.example.com",
      statuses: ["ISSUED"],
      most_recent: true,
      // ACM's default listing would skip ECDSA and RSA-3072/4096 certificates.
      key_types: ["RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1"],
    });
  });

  test("certificates: custom API domains are looked up only when configured", () => {
    expect(resourcesOf(main, "aws_acm_certificate", "data")).toHaveLength(1);
    const withDomains = synthApp({
      ingest_api_domain: "ingest.example.com",
      query_api_domain: "query.example.com",
    }).main;
    expect(resourceAt(withDomains, "aws_acm_certificate", "ingest-domain-certificate", "data").domain).toBe(
      "ingest.example.com",
    );
    const domain = resourceAt(withDomains, "aws_api_gateway_domain_name", "query-api/stage/domain");
    expect(domain).toMatchObject({
      domain_name: "query.example.com",
      security_policy: "TLS_1_2",
      endpoint_configuration: { types: ["REGIONAL"] },
    });
    expect(domain.regional_certificate_arn).toBe(
      refTo(withDomains, "aws_acm_certificate", "query-domain-certificate", "arn", "data"),
    );
    expect(resourcesOf(withDomains, "aws_api_gateway_base_path_mapping")).toHaveLength(2);
    // A CNAME needs the target name; a Route 53 alias also needs its zone id.
    expect(withDomains.output).toMatchObject({
      query_domain_target: {
        value: refTo(withDomains, "aws_api_gateway_domain_name", "query-api/stage/domain", "regional_domain_name"),
      },
      query_domain_zone_id: {
        value: refTo(withDomains, "aws_api_gateway_domain_name", "query-api/stage/domain", "regional_zone_id"),
      },
    });
  });
});

describe("main stack: queue and table", () => {
  test("queue: redrives to the DLQ after max_receive_count receives", () => {
    const queue = resourceAt(main, "aws_sqs_queue", "queue/queue");
    expect(JSON.parse(queue.redrive_policy)).toEqual({
      deadLetterTargetArn: refTo(main, "aws_sqs_queue", "queue/dlq", "arn"),
      maxReceiveCount: 5,
    });
    const changed = resourceAt(synthApp({ max_receive_count: 3 }).main, "aws_sqs_queue", "queue/queue");
    expect(JSON.parse(changed.redrive_policy).maxReceiveCount).toBe(3);
  });

  test("queue: SSE on both queues, long polling, visibility twice the processor batch time, DLQ kept longer", () => {
    const queue = resourceAt(main, "aws_sqs_queue", "queue/queue");
    const dlq = resourceAt(main, "aws_sqs_queue", "queue/dlq");
    expect(queue).toMatchObject({
      sqs_managed_sse_enabled: true,
      receive_wait_time_seconds: 20,
      visibility_timeout_seconds: 60,
      max_message_size: 262_144,
    });
    expect(dlq.sqs_managed_sse_enabled).toBe(true);
    expect(dlq.message_retention_seconds).toBeGreaterThan(queue.message_retention_seconds);
  });

  test("queue: both queue policies deny any request without TLS", () => {
    for (const path of ["queue/queue-policy", "queue/dlq-policy"]) {
      const [statement] = policyOf(resourceAt(main, "aws_sqs_queue_policy", path)).Statement;
      expect(statement).toMatchObject({
        Effect: "Deny",
        Action: "sqs:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      });
    }
  });

  test("queue: an alarm fires when a message reaches the DLQ, notifying the stack's alarm topic or alarm_topic_arn when set", () => {
    const alarm = resourceAt(main, "aws_cloudwatch_metric_alarm", "queue/dlq-alarm");
    expect(alarm).toMatchObject({
      metric_name: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: refTo(main, "aws_sqs_queue", "queue/dlq", "name") },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
    expect(alarm.alarm_actions).toEqual([refTo(main, "aws_sns_topic", "alarm-topic/topic", "arn")]);
    const topic = "arn:aws:sns:eu-west-1:123456789012:alerts";
    expect(
      resourceAt(synthApp({ alarm_topic_arn: topic }).main, "aws_cloudwatch_metric_alarm", "queue/dlq-alarm")
        .alarm_actions,
    ).toEqual([topic]);
  });

  test("queue: only the request queue may redrive into the DLQ", () => {
    const allow = resourceAt(main, "aws_sqs_queue_redrive_allow_policy", "queue/dlq-redrive-allow");
    expect(JSON.parse(allow.redrive_allow_policy)).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [refTo(main, "aws_sqs_queue", "queue/queue", "arn")],
    });
  });

  test("table: keyed by requestId (S), on demand, PITR, SSE, deletion protection, TTL on the expiry attribute", () => {
    const table = resourceAt(main, "aws_dynamodb_table", "table/table");
    expect(table).toMatchObject({
      hash_key: "requestId",
      attribute: [{ name: "requestId", type: "S" }],
      billing_mode: "PAY_PER_REQUEST",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
    expect(table.ttl).toEqual({ enabled: true, attribute_name: "expiresAt" });
    const forever = synthApp({ table_ttl_attribute: null, result_retention_days: null }).main;
    expect(resourceAt(forever, "aws_dynamodb_table", "table/table").ttl).toBeUndefined();
  });
});

describe("main stack: ingest API (REST API #1 -> SQS)", () => {
  test("ingest: POST /requests integrates directly with SQS SendMessage using its own role", () => {
    const integration = resourceAt(main, "aws_api_gateway_integration", "ingest-api/send-message");
    expect(integration).toMatchObject({
      type: "AWS",
      integration_http_method: "POST",
      uri: `arn:${refTo(main, "aws_partition", "partition", "partition", "data")}:apigateway:eu-west-1:sqs:path/${refTo(main, "aws_caller_identity", "caller", "account_id", "data")}/${refTo(main, "aws_sqs_queue", "queue/queue", "name")}`,
      credentials: refTo(main, "aws_iam_role", "ingest-api/sqs-role/role", "arn"),
      passthrough_behavior: "NEVER",
      request_parameters: { "integration.request.header.Content-Type": "'application/x-www-form-urlencoded'" },
      // The example's ingest API is "iam": the owner is the caller's principal (test/infra/access/).
      request_templates: { "application/json": sendMessageTemplate("iam") },
    });
  });

  test("ingest: each message carries the request's trace attribute only while the services trace", () => {
    // The stages always trace, so $context.xrayTraceId is always set: tracing off must leave the attribute out.
    const template = (doc: TfJson) =>
      resourceAt(doc, "aws_api_gateway_integration", "ingest-api/send-message").request_templates["application/json"];
    const untraced = synthApp({ tracing: { sample_rate: 0 } }).main;
    expect(template(main)).toContain("Name=trace&");
    expect(template(main)).toContain("$context.xrayTraceId");
    expect(template(untraced)).toBe(sendMessageTemplate("iam", false));
    expect(template(untraced)).not.toMatch(/xrayTraceId|trace/);
    expect(template(untraced)).toContain("Name=owner&");
  });

  test("ingest: the role allows only sqs:SendMessage on the queue ARN, assumed only by API Gateway", () => {
    const role = resourceAt(main, "aws_iam_role", "ingest-api/sqs-role/role");
    // No aws:SourceAccount condition: API Gateway does not send it when assuming an integration role.
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" },
    ]);
    expect(policyOf(resourceAt(main, "aws_iam_role_policy", "ingest-api/sqs-role/policy")).Statement).toEqual([
      { Effect: "Allow", Action: "sqs:SendMessage", Resource: refTo(main, "aws_sqs_queue", "queue/queue", "arn") },
    ]);
  });

  test("ingest: the body is validated against a JSON-schema model that accepts any JSON object", () => {
    const method = resourceAt(main, "aws_api_gateway_method", "ingest-api/post-requests");
    const validator = resourceAt(main, "aws_api_gateway_request_validator", "ingest-api/validator");
    const model = resourceAt(main, "aws_api_gateway_model", "ingest-api/request-model");
    expect(validator).toMatchObject({ validate_request_body: true, validate_request_parameters: false });
    expect(method.request_validator_id).toBe(
      refTo(main, "aws_api_gateway_request_validator", "ingest-api/validator", "id"),
    );
    expect(method.request_models).toEqual({
      "application/json": refTo(main, "aws_api_gateway_model", "ingest-api/request-model", "name"),
    });
    expect(JSON.parse(model.schema)).toMatchObject({
      $schema: "http://json-schema.org/draft-04/schema#",
      type: "object",
    });
  });

  test("ingest: 2xx from SQS becomes 202 {requestId: MessageId}; SQS errors never become a 2xx", () => {
    const responses = Object.fromEntries(
      resourcesOf(main, "aws_api_gateway_integration_response").map(([, r]) => [r.status_code, r]),
    );
    expect(Object.keys(responses).sort()).toEqual(["202", "400", "500", "503"]);
    expect(responses["202"].selection_pattern).toBe("2\\d{2}");
    expect(responses["202"].response_templates["application/json"]).toContain(
      "$input.path('$.SendMessageResponse.SendMessageResult')",
    );
    expect(responses["202"].response_templates["application/json"]).toContain('{"requestId":"$result.MessageId"}');
    expect(responses["400"].selection_pattern).toBe("400");
    expect(responses["503"].selection_pattern).toBe("5\\d{2}");
    // The default response (no selection pattern) catches everything unmatched: it must be an error.
    expect(responses["500"].selection_pattern).toBeUndefined();
    for (const status of ["400", "500", "503"]) {
      expect(
        JSON.parse(responses[status].response_templates["application/json"].replace("$context.requestId", "x")),
      ).toHaveProperty("error");
    }
  });

  test("ingest: API Gateway's own errors (validation, missing key) are JSON naming the problem", () => {
    const badBody = resourceAt(main, "aws_api_gateway_gateway_response", "ingest-api/response-bad_request_body");
    expect(badBody.status_code).toBe("400");
    // Valid JSON whatever API Gateway substitutes: the only variable is the request id.
    expect(JSON.parse(badBody.response_templates["application/json"].replace("$context.requestId", "x"))).toMatchObject(
      {
        error: "invalid_body",
        message: "The request body must be a JSON object.",
      },
    );
    expect(resourcesOf(main, "aws_api_gateway_gateway_response").map(([, r]) => r.response_type)).toEqual(
      expect.arrayContaining(["DEFAULT_4XX", "DEFAULT_5XX"]),
    );
  });
});

describe("main stack: query API (REST API #2 -> VPC Link -> NLB -> ALB -> api)", () => {
  test("query: GET /requests/{requestId} proxies over the VPC Link to https://<ALB cert domain> with the path mapped", () => {
    const integration = resourceAt(main, "aws_api_gateway_integration", "query-api/get-request-integration");
    expect(integration).toMatchObject({
      type: "HTTP_PROXY",
      integration_http_method: "GET",
      connection_type: "VPC_LINK",
      connection_id: refTo(main, "aws_api_gateway_vpc_link", "ingress/vpc-link", "id"),
      uri: "https://orders-internal.example.com/requests/{requestId}",
      request_parameters: { "integration.request.path.requestId": "method.request.path.requestId" },
    });
    expect(integration.timeout_milliseconds).toBeLessThan(29_000);
    const method = resourceAt(main, "aws_api_gateway_method", "query-api/get-request");
    expect(method.request_parameters).toEqual({ "method.request.path.requestId": true });
    expect(
      resourceAt(main, "aws_api_gateway_request_validator", "query-api/validator").validate_request_parameters,
    ).toBe(true);
  });

  test("query: the VPC Link targets the internal NLB", () => {
    expect(resourceAt(main, "aws_api_gateway_vpc_link", "ingress/vpc-link").target_arns).toEqual([
      refTo(main, "aws_lb", "ingress/nlb", "arn"),
    ]);
  });

  test("ingress: internal NLB in private subnets forwards TCP 443 to a target group of type alb", () => {
    expect(resourceAt(main, "aws_lb", "ingress/nlb")).toMatchObject({
      load_balancer_type: "network",
      internal: true,
      // VPC Link traffic comes over PrivateLink from API Gateway's addresses: enforcing inbound rules would drop it.
      enforce_security_group_inbound_rules_on_private_link_traffic: "off",
    });
    expect(resourceAt(main, "aws_lb_listener", "ingress/nlb-tcp")).toMatchObject({
      protocol: "TCP",
      port: 443,
      default_action: [
        { type: "forward", target_group_arn: refTo(main, "aws_lb_target_group", "ingress/alb-tg", "arn") },
      ],
    });
    expect(resourceAt(main, "aws_lb_target_group", "ingress/alb-tg")).toMatchObject({
      // Replaced before destroyed, so named by prefix (a fixed name would collide with the group it replaces).
      name_prefix: "alb-",
      lifecycle: { create_before_destroy: true },
      target_type: "alb",
      protocol: "TCP",
      port: 443,
      health_check: { protocol: "HTTPS", path: "/health" },
    });
    expect(resourceAt(main, "aws_lb_target_group_attachment", "ingress/alb-tg-attachment").target_id).toBe(
      refTo(main, "aws_lb", "ingress/alb", "arn"),
    );
  });

  test("ingress: ALB listener uses the looked-up certificate and a TLS1.3 policy, and drops invalid headers", () => {
    expect(resourceAt(main, "aws_lb_listener", "ingress/alb-https")).toMatchObject({
      protocol: "HTTPS",
      port: 443,
      ssl_policy: "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
      certificate_arn: refTo(main, "aws_acm_certificate", "alb-certificate", "arn", "data"),
      default_action: [
        { type: "forward", target_group_arn: refTo(main, "aws_lb_target_group", "ingress/service-tg", "arn") },
      ],
    });
    expect(resourceAt(main, "aws_lb", "ingress/alb")).toMatchObject({
      load_balancer_type: "application",
      internal: true,
      drop_invalid_header_fields: true,
      enable_deletion_protection: true,
    });
    expect(resourceAt(main, "aws_lb_target_group", "ingress/service-tg")).toMatchObject({
      target_type: "ip",
      port: 8080,
      health_check: { path: "/health", matcher: "200" },
    });
  });
});

describe("main stack: stages and deployments", () => {
  test("stages: access logs as JSON to a log group with retention, X-Ray, metrics, throttling, no data trace", () => {
    for (const api of ["ingest-api", "query-api"]) {
      const stage = resourceAt(main, "aws_api_gateway_stage", `${api}/stage/stage`);
      expect(stage.xray_tracing_enabled).toBe(true);
      expect(stage.access_log_settings.destination_arn).toBe(
        refTo(main, "aws_cloudwatch_log_group", `${api}/stage/access-logs`, "arn"),
      );
      expect(JSON.parse(stage.access_log_settings.format)).toHaveProperty("requestId", "$context.requestId");
      expect(resourceAt(main, "aws_cloudwatch_log_group", `${api}/stage/access-logs`).retention_in_days).toBe(365);
      expect(resourceAt(main, "aws_cloudwatch_log_group", `${api}/stage/execution-logs`).name).toMatch(
        /^API-Gateway-Execution-Logs_\$\{.+\}\/v1$/,
      );
      expect(resourceAt(main, "aws_api_gateway_method_settings", `${api}/stage/method-settings`)).toMatchObject({
        method_path: "*/*",
        settings: {
          metrics_enabled: true,
          logging_level: "ERROR",
          data_trace_enabled: false,
          throttling_rate_limit: 100,
          throttling_burst_limit: 200,
        },
      });
    }
  });

  test("stages: every method requires an API key; each client has its own key and usage plan on the APIs it names", () => {
    for (const [, method] of resourcesOf(main, "aws_api_gateway_method")) expect(method.api_key_required).toBe(true);
    const stage = (api: string) => ({
      api_id: refTo(main, "aws_api_gateway_stage", `${api}-api/stage/stage`, "rest_api_id"),
      stage: refTo(main, "aws_api_gateway_stage", `${api}-api/stage/stage`, "stage_name"),
    });
    const web = resourceAt(main, "aws_api_gateway_usage_plan", "api-access/client-orders-web/plan");
    expect(web.api_stages).toEqual([stage("ingest"), stage("query")]);
    expect(web.throttle_settings).toEqual({ rate_limit: 60, burst_limit: 120 });
    expect(web.quota_settings).toBeUndefined();
    const batch = resourceAt(main, "aws_api_gateway_usage_plan", "api-access/client-billing-batch/plan");
    expect(batch.api_stages).toEqual([stage("ingest")]);
    expect(batch.quota_settings).toEqual({ limit: 1_000_000, period: "DAY" });
    for (const client of ["orders-web", "billing-batch"]) {
      expect(resourceAt(main, "aws_api_gateway_api_key", `api-access/client-${client}/key`).name).toBe(
        `orders-prod-${client}`,
      );
      expect(resourceAt(main, "aws_api_gateway_usage_plan_key", `api-access/client-${client}/plan-key`)).toMatchObject({
        key_id: refTo(main, "aws_api_gateway_api_key", `api-access/client-${client}/key`, "id"),
        usage_plan_id: refTo(main, "aws_api_gateway_usage_plan", `api-access/client-${client}/plan`, "id"),
      });
    }
    expect(resourcesOf(main, "aws_api_gateway_usage_plan")).toHaveLength(2);
    const open = synthApp({ api_key_required: false, clients: null }).main;
    for (const [, method] of resourcesOf(open, "aws_api_gateway_method")) expect(method.api_key_required).toBe(false);
    expect(resourcesOf(open, "aws_api_gateway_usage_plan")).toHaveLength(0);
  });

  test("stages: without clients, one default key keeps the ids, name and limits it has always had", () => {
    const single = synthApp({ clients: null, quota_per_day: 500 }).main;
    const plan = resourceAt(single, "aws_api_gateway_usage_plan", "api-access/plan");
    expect(plan).toMatchObject({
      name: "orders-prod",
      description: "Default plan for the ingest and query APIs",
      throttle_settings: { rate_limit: 100, burst_limit: 200 },
      quota_settings: { limit: 500, period: "DAY" },
    });
    expect(plan.api_stages).toHaveLength(2);
    expect(resourceAt(single, "aws_api_gateway_api_key", "api-access/key").name).toBe("orders-prod-default");
    expect(single.output?.api_key_id?.value).toBe(refTo(single, "aws_api_gateway_api_key", "api-access/key", "id"));
    expect(main.output?.api_key_id).toBeUndefined();
    expect(main.output?.api_key_ids?.value).toEqual({
      "orders-web": refTo(main, "aws_api_gateway_api_key", "api-access/client-orders-web/key", "id"),
      "billing-batch": refTo(main, "aws_api_gateway_api_key", "api-access/client-billing-batch/key", "id"),
    });
  });

  test("deployments: replaced before destroy when a hash of the whole API definition changes", () => {
    for (const api of ["ingest-api", "query-api"]) {
      const deployment = resourceAt(main, "aws_api_gateway_deployment", `${api}/stage/deployment`);
      expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
      expect(deployment.triggers.redeployment).toMatch(/^[0-9a-f]{64}$/);
      // Values known only at apply (a replaced queue or VPC Link) redeploy too.
      expect(deployment.triggers.integration_targets).toMatch(
        /^\$\{sha1\(jsonencode\(\[\[aws_api_gateway_integration\.\S+\.uri, /,
      );
      expect(deployment.stage_name).toBeUndefined(); // the stage resource alone owns the stage
      expect(resourceAt(main, "aws_api_gateway_stage", `${api}/stage/stage`).deployment_id).toBe(
        refTo(main, "aws_api_gateway_deployment", `${api}/stage/deployment`, "id"),
      );
    }
  });

  test("deployments: a change to the mapping template changes the ingest deployment trigger, and only that one", () => {
    const trigger = (doc: TfJson, api: string) =>
      resourceAt(doc, "aws_api_gateway_deployment", `${api}/stage/deployment`).triggers.redeployment;
    const changed = synthApp({}, ({ main: stack }) => {
      const integration = stack.node.findAll().find((c) => c.node.path === "main/ingest-api/send-message") as any;
      integration.addOverride("request_templates", { "application/json": "Action=SendMessage&MessageBody=changed" });
    }).main;
    expect(trigger(changed, "ingest-api")).not.toBe(trigger(main, "ingest-api"));
    expect(trigger(changed, "query-api")).toBe(trigger(main, "query-api"));
  });

  test("deployments: a change to the request model or a method setting changes the trigger", () => {
    const trigger = (doc: TfJson) =>
      resourceAt(doc, "aws_api_gateway_deployment", "ingest-api/stage/deployment").triggers.redeployment;
    expect(trigger(synthApp({ api_key_required: false, clients: null }).main)).not.toBe(trigger(main));
    const changedModel = synthApp({}, ({ main: stack }) => {
      const model = stack.node.findAll().find((c) => c.node.path === "main/ingest-api/request-model") as any;
      model.addOverride("schema", JSON.stringify({ type: "object", required: ["id"] }));
    }).main;
    expect(trigger(changedModel)).not.toBe(trigger(main));
  });
});

describe("main stack: ECS services", () => {
  test("cluster: Container Insights is on", () => {
    expect(resourceAt(main, "aws_ecs_cluster", "cluster").setting).toEqual([
      { name: "containerInsights", value: "enabled" },
    ]);
  });

  test("services: with processor_spot_weight, the processor runs on Fargate Spot above its on-demand base; the api stays on demand", () => {
    expect(resourcesOf(main, "aws_ecs_cluster_capacity_providers")).toHaveLength(0);
    const spot = synthApp({ processor_spot_weight: 3, processor_on_demand_base: 2 }).main;
    const processor = resourceAt(spot, "aws_ecs_service", "processor/service");
    expect(processor.launch_type).toBeUndefined();
    expect(processor).toMatchObject({
      capacity_provider_strategy: [
        { capacity_provider: "FARGATE", base: 2, weight: 1 },
        { capacity_provider: "FARGATE_SPOT", weight: 3 },
      ],
      force_new_deployment: true,
      platform_version: "LATEST",
    });
    expect(processor.depends_on).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^aws_ecs_cluster_capacity_providers\.cluster-capacity-providers/),
      ]),
    );
    expect(resourceAt(spot, "aws_ecs_cluster_capacity_providers", "cluster-capacity-providers")).toMatchObject({
      capacity_providers: ["FARGATE", "FARGATE_SPOT"],
    });
    expect(resourceAt(spot, "aws_ecs_service", "api/service").launch_type).toBe("FARGATE");
  });

  test("services: Fargate in private subnets without public IPs, circuit breaker with rollback", () => {
    for (const name of ["api", "processor"]) {
      const service = resourceAt(main, "aws_ecs_service", `${name}/service`);
      expect(service).toMatchObject({
        launch_type: "FARGATE",
        platform_version: "LATEST",
        deployment_circuit_breaker: { enable: true, rollback: true },
        network_configuration: {
          assign_public_ip: false,
          subnets: refTo(main, "aws_subnets", "network/private-subnets", "ids", "data"),
          security_groups: [refTo(main, "aws_security_group", `${name}/sg`, "id")],
        },
      });
    }
  });

  test("services: containers run as non-root with a read-only root filesystem, init process and stop timeout", () => {
    for (const name of ["api", "processor"]) {
      const container = containerOf(`${name}/task`);
      expect(container).toMatchObject({
        user: "1000:1000",
        readonlyRootFilesystem: true,
        privileged: false,
        linuxParameters: { initProcessEnabled: true },
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": refTo(main, "aws_cloudwatch_log_group", `${name}/logs`, "name") },
        },
      });
      expect(container.stopTimeout).toBe(name === "api" ? 30 : 60);
      expect(resourceAt(main, "aws_cloudwatch_log_group", `${name}/logs`).retention_in_days).toBe(365);
    }
  });

  test("services: images come from the ecr stack's repositories with tags overridable by Terraform variables", () => {
    expect(synth.manifest.stacks.main!.dependencies).toEqual(["ecr"]);
    for (const name of ["api", "processor"]) {
      expect(containerOf(`${name}/task`).image).toMatch(
        new RegExp(
          `^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-ecr\\.outputs\\.\\S+${name}-repository\\S*repository_url\\}:\\$\\{var\\.${name}_image_tag\\}$`,
        ),
      );
      expect(main.variable?.[`${name}_image_tag`]).toMatchObject({ type: "string", default: "0.1.0" });
    }
  });

  test("services: each gets the environment variables its service reads", () => {
    const env = (name: string) =>
      Object.fromEntries(containerOf(`${name}/task`).environment.map((e: any) => [e.name, e.value]));
    expect(env("api")).toEqual({
      AWS_REGION: "eu-west-1",
      LOG_LEVEL: "info",
      PORT: "8080",
      SHUTDOWN_TIMEOUT_SECONDS: "25",
      TABLE_NAME: refTo(main, "aws_dynamodb_table", "table/table", "name"),
      RESULT_TTL_ATTRIBUTE: "expiresAt",
      READ_CONSISTENCY: "eventual_first",
      REQUEST_LOG_SAMPLE_RATE: "0.01",
      TRACE_SAMPLE_RATE: "0.05",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces",
    });
    expect(env("processor")).toMatchObject({
      QUEUE_URL: refTo(main, "aws_sqs_queue", "queue/queue", "url"),
      TABLE_NAME: refTo(main, "aws_dynamodb_table", "table/table", "name"),
      AWS_REGION: "eu-west-1",
      POLL_CONCURRENCY: "4",
      VISIBILITY_TIMEOUT_SECONDS: "60",
      SHUTDOWN_TIMEOUT_SECONDS: "50",
      PROCESS_TIMEOUT_SECONDS: "30",
      HEALTH_PORT: "8081",
      HEALTH_STALL_SECONDS: "120",
      RESULT_TTL_ATTRIBUTE: "expiresAt",
      RESULT_RETENTION_DAYS: "7",
    });
  });

  test("services: with tracing on, the app starts after the collector and so stops before it (its last spans reach it)", () => {
    const containers = (doc: TfJson, name: string) =>
      JSON.parse(resourceAt(doc, "aws_ecs_task_definition", `${name}/task`).container_definitions);
    const untraced = synthApp({ tracing: { sample_rate: 0 } }).main;
    for (const name of ["api", "processor"]) {
      const [app, collector] = containers(main, name);
      expect([app.name, collector.name, collector.essential]).toEqual([name, "aws-otel-collector", false]);
      expect(app.dependsOn).toEqual([{ containerName: "aws-otel-collector", condition: "START" }]);
      const alone = containers(untraced, name);
      expect(alone.map((c: { name: string }) => c.name)).toEqual([name]);
      expect(alone[0].dependsOn).toBeUndefined();
    }
  });

  test("services: without a TTL attribute nothing expires; with one but no retention only the api honours it", () => {
    const env = (doc: TfJson, name: string) =>
      Object.keys(
        Object.fromEntries(containerOf(`${name}/task`, doc).environment.map((e: any) => [e.name, e.value])),
      ).filter((k) => k.startsWith("RESULT_"));
    const forever = synthApp({ table_ttl_attribute: null, result_retention_days: null }).main;
    expect([env(forever, "api"), env(forever, "processor")]).toEqual([[], []]);
    const stampedElsewhere = synthApp({ result_retention_days: null }).main;
    expect([env(stampedElsewhere, "api"), env(stampedElsewhere, "processor")]).toEqual([["RESULT_TTL_ATTRIBUTE"], []]);
  });

  test("services: each task definition's environment passes its own service's start-up validation, also at the config's limits", () => {
    // Terraform references become values of the right shape; everything else is checked exactly as the task sets it.
    const resolved = (env: { name: string; value: string }[]) =>
      Object.fromEntries(
        env.map(({ name, value }) => [
          name,
          value.startsWith("${")
            ? name === "QUEUE_URL"
              ? "https://sqs.eu-west-1.amazonaws.com/123456789012/requests"
              : "requests-table"
            : value,
        ]),
      );
    const example = main;
    const processorInput = exampleConfigInput().services as { processor: Record<string, unknown> };
    const limits = synthApp({
      services: {
        ...(exampleConfigInput().services as object),
        processor: { ...processorInput.processor, max_batch_seconds: 21_600, poll_concurrency: 32 },
      },
      // A poison message now takes 5 x 12 h to reach the DLQ; the age alarm must allow for it (a config rule).
      alarms: { queue_oldest_message_seconds: 216_001 },
    }).main;
    for (const doc of [example, limits]) {
      expect(() => loadApiConfig(resolved(containerOf("api/task", doc).environment))).not.toThrow();
      expect(() => loadProcessorConfig(resolved(containerOf("processor/task", doc).environment))).not.toThrow();
    }
    const limitsEnv = resolved(containerOf("processor/task", limits).environment);
    expect(limitsEnv).toMatchObject({
      PROCESS_TIMEOUT_SECONDS: "21600",
      HEALTH_STALL_SECONDS: "43200",
      VISIBILITY_TIMEOUT_SECONDS: "43200",
    });
  });

  test("services: the api registers in the ALB's ip target group on port 8080, once the listener exists", () => {
    const service = resourceAt(main, "aws_ecs_service", "api/service");
    expect(service.load_balancer).toEqual([
      {
        target_group_arn: refTo(main, "aws_lb_target_group", "ingress/service-tg", "arn"),
        container_name: "api",
        container_port: 8080,
        advanced_configuration: {
          alternate_target_group_arn: refTo(main, "aws_lb_target_group", "api-traffic-shift/alternate-tg", "arn"),
          production_listener_rule: refTo(main, "aws_lb_listener_rule", "api-traffic-shift/production-rule", "arn"),
          role_arn: refTo(main, "aws_iam_role", "api-traffic-shift/infrastructure-role/role", "arn"),
        },
      },
    ]);
    // ECS refuses a target group that no load balancer uses yet.
    expect(service.depends_on).toContain(refTo(main, "aws_lb_listener", "ingress/alb-https", "arn").slice(2, -5));
  });

  test("roles: task roles hold only their service's actions on the exact table and queue ARNs", () => {
    const table = refTo(main, "aws_dynamodb_table", "table/table", "arn");
    const queue = refTo(main, "aws_sqs_queue", "queue/queue", "arn");
    // X-Ray defines no resource for PutTraceSegments; the collector sidecar sends the spans.
    const sendTraces = { Sid: "SendTraces", Effect: "Allow", Action: "xray:PutTraceSegments", Resource: "*" };
    expect(policyOf(resourceAt(main, "aws_iam_role_policy", "api/task-role/policy")).Statement).toEqual([
      { Sid: "ReadResults", Effect: "Allow", Action: "dynamodb:GetItem", Resource: table },
      sendTraces,
    ]);
    expect(policyOf(resourceAt(main, "aws_iam_role_policy", "processor/task-role/policy")).Statement).toEqual([
      {
        Sid: "ConsumeRequests",
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
        Resource: queue,
      },
      { Sid: "WriteResults", Effect: "Allow", Action: "dynamodb:PutItem", Resource: table },
      sendTraces,
    ]);
  });

  test("roles: the execution role is separate and pulls only its own repository", () => {
    for (const name of ["api", "processor"]) {
      for (const role of ["execution-role", "task-role"]) {
        expect(
          JSON.parse(resourceAt(main, "aws_iam_role", `${name}/${role}/role`).assume_role_policy).Statement[0]
            .Condition,
        ).toEqual({
          StringEquals: { "aws:SourceAccount": refTo(main, "aws_caller_identity", "caller", "account_id", "data") },
        });
      }
      const task = resourceAt(main, "aws_ecs_task_definition", `${name}/task`);
      expect(task.execution_role_arn).toBe(refTo(main, "aws_iam_role", `${name}/execution-role/role`, "arn"));
      expect(task.task_role_arn).toBe(refTo(main, "aws_iam_role", `${name}/task-role/role`, "arn"));
      const pull = policyOf(resourceAt(main, "aws_iam_role_policy", `${name}/execution-role/policy`)).Statement.find(
        (s: any) => s.Sid === "PullImage",
      );
      expect(pull.Resource).toMatch(
        new RegExp(
          `^\\$\\{data\\.terraform_remote_state\\.cross-stack-reference-input-ecr\\.outputs\\.\\S+${name}-repository\\S*arn\\}$`,
        ),
      );
    }
  });

  test("scaling: the processor tracks backlog per task (one policy, out and in); both services leave their count to the scaler", () => {
    expect(resourceAt(main, "aws_appautoscaling_target", "processor-scaling/target")).toMatchObject({
      min_capacity: 1,
      max_capacity: 10,
    });
    expect(
      resourcesOf(main, "aws_appautoscaling_policy").filter(([name]) => name.startsWith("processor-scaling")),
    ).toHaveLength(1);
    expect(
      resourcesOf(main, "aws_cloudwatch_metric_alarm").filter(([name]) => name.startsWith("processor-scaling")),
    ).toEqual([]);
    expect(resourceAt(main, "aws_ecs_service", "processor/service").lifecycle).toEqual({
      ignore_changes: ["desired_count"],
    });
    expect(resourceAt(main, "aws_ecs_service", "api/service").lifecycle).toEqual({ ignore_changes: ["desired_count"] });
  });
});

describe("main stack: security groups", () => {
  const ingressRules = () => resourcesOf(main, "aws_vpc_security_group_ingress_rule").map(([, r]) => r);

  test("security groups: NLB admits nothing but the VPC Link, ALB only the NLB, api tasks only the ALB", () => {
    const sg = (path: string) => refTo(main, "aws_security_group", path, "id");
    expect(ingressRules().filter((r) => r.security_group_id === sg("ingress/nlb-sg"))).toEqual([]);
    expect(resourceAt(main, "aws_vpc_security_group_ingress_rule", "ingress/nlb-to-alb-ingress")).toMatchObject({
      security_group_id: sg("ingress/alb-sg"),
      referenced_security_group_id: sg("ingress/nlb-sg"),
      from_port: 443,
    });
    expect(resourceAt(main, "aws_vpc_security_group_ingress_rule", "api/from-load-balancer-ingress")).toMatchObject({
      security_group_id: sg("api/sg"),
      referenced_security_group_id: sg("ingress/alb-sg"),
      from_port: 8080,
      to_port: 8080,
    });
    expect(ingressRules()).toHaveLength(2);
    expect(ingressRules().every((r) => r.cidr_ipv4 === undefined)).toBe(true);
  });

  test("replace-before-destroy resources are named by prefix: a fixed name would collide with the one being replaced", () => {
    const replacedFirst = Object.values(main.resource as Record<string, Record<string, any>>)
      .flatMap((byName) => Object.values(byName))
      .filter((body) => body.lifecycle?.create_before_destroy === true);
    const withFixedName = replacedFirst.filter((body) => body.name !== undefined && body.name_prefix === undefined);
    // Deployments and the like carry no name; security groups and the api target group are the named ones.
    expect(withFixedName.map((body) => body["//"]?.metadata?.path)).toEqual([]);
    expect(resourceAt(main, "aws_security_group", "api/sg")).toMatchObject({
      name_prefix: "orders-prod-api-",
      tags: { Name: "orders-prod-api" },
    });
    expect(resourceAt(main, "aws_lb_target_group", "ingress/service-tg")).toMatchObject({
      name_prefix: "api-",
      tags: { Name: "orders-prod-api" },
    });
  });

  test("security groups: processor tasks take no ingress and nothing admits 0.0.0.0/0", () => {
    const processorSg = refTo(main, "aws_security_group", "processor/sg", "id");
    expect(ingressRules().filter((r) => r.security_group_id === processorSg)).toEqual([]);
    expect(ingressRules().filter((r) => r.cidr_ipv4 === "0.0.0.0/0" || r.cidr_ipv6 === "::/0")).toEqual([]);
  });
});

describe("main stack: outputs and backend", () => {
  test("outputs: API URLs, key ids, invoke policies, queues, table, cluster, services, running image tags and load balancer DNS names", () => {
    expect(Object.keys(main.output ?? {}).sort()).toEqual(
      [
        "alb_dns_name",
        "api_key_ids",
        "api_running_image_tag",
        "api_service_name",
        "processor_running_image_tag",
        "cluster_name",
        "dead_letter_queue_url",
        "ingest_api_url",
        "ingest_api_invoke_policy",
        "query_api_invoke_policy",
        "nlb_dns_name",
        "alarm_topic_arn",
        "dashboard_name",
        "processor_service_name",
        "public_subnet_ids",
        "query_api_url",
        "queue_url",
        "table_name",
      ].sort(),
    );
    // Pull-request plans read these back to plan against the tags deploys set through TF_VAR_*.
    expect(main.output?.api_running_image_tag?.value).toBe("${var.api_image_tag}");
    expect(main.output?.processor_running_image_tag?.value).toBe("${var.processor_image_tag}");
  });

  test("backend: local state by default at a relative path; S3 with encryption and lock file when configured", () => {
    expect(main.terraform?.backend).toEqual({ local: { path: "../../../terraform.main.tfstate" } });
    const s3 = synthApp({ state_backend: { type: "s3", bucket: "my-state", region: "eu-west-1" } });
    expect(s3.main.terraform?.backend).toEqual({
      s3: {
        bucket: "my-state",
        key: "apigw-vpclink/main.tfstate",
        region: "eu-west-1",
        encrypt: true,
        use_lockfile: true,
      },
    });
    expect(s3.main.data?.terraform_remote_state?.["cross-stack-reference-input-ecr"]).toMatchObject({
      backend: "s3",
      config: { bucket: "my-state", key: "apigw-vpclink/ecr.tfstate" },
    });
  });

  test("terraform: requires 1.5+, or 1.10+ when the S3 backend uses its lock file (older versions reject use_lockfile)", () => {
    expect(main.terraform?.required_version).toBe(">= 1.5.0");
    const locking = synthApp({ state_backend: { type: "s3", bucket: "my-state" } });
    const notLocking = synthApp({ state_backend: { type: "s3", bucket: "my-state", use_lockfile: false } });
    for (const doc of [locking.main, locking.ecr]) expect(doc.terraform?.required_version).toBe(">= 1.10.0");
    expect(notLocking.main.terraform?.required_version).toBe(">= 1.5.0");
  });
});
