import { field, list, resources, type TfJson } from "../tfjson/index.js";

/**
 * What the bill needs from the synthesized main stack (cdk.tf.json): the billable resources and the settings that
 * set their price. Read from the JSON Terraform will apply, not from terraform.tfvars.json, so the bill follows the
 * stack as built (an escape-hatch override included).
 */
export interface Infra {
  readonly services: Readonly<Record<"api" | "processor", ServiceInfra>>;
  readonly albs: number;
  readonly nlbs: number;
  readonly vpcLinks: number;
  /** Interface VPC endpoints (billed per AZ-hour). */
  readonly interfaceEndpoints: number;
  /** REST API stages with their method count and whether detailed metrics are on. */
  readonly stages: readonly {
    readonly methods: number;
    readonly detailedMetrics: boolean;
    readonly accessLogFormat: string | undefined;
  }[];
  /** Whether each API's stage has X-Ray active tracing on (API Gateway then records traces of its own). */
  readonly gatewayTracing: Readonly<Record<"ingest" | "query", boolean>>;
  /** Each API's per-method steady limit (its stage's throttle for every method), null where none is set. */
  readonly methodRateLimits: Readonly<Record<"ingest" | "query", number | null>>;
  /** Log group retention in days (0 = never expire), by kind. */
  readonly logRetentionDays: Readonly<Record<LogKind, number>>;
  /** Log group class, by kind (a kind with a Standard group among its groups is Standard). */
  readonly logClasses: Readonly<Record<LogKind, LogClass>>;
  /** Metrics billed by the alarms (a metric-math alarm: one per metric in its query). */
  readonly alarmMetrics: number;
  readonly containerInsights: "disabled" | "enabled" | "enhanced";
  readonly dashboards: number;
  readonly kmsKeys: number;
  /** The rule count of each web ACL the stack creates (an associated ACL made elsewhere is billed there). */
  readonly webAclRules: readonly number[];
  readonly pointInTimeRecovery: boolean;
  readonly onDemandTable: boolean;
  /** Days the processor's items live before DynamoDB TTL deletes them; null when they never expire. */
  readonly resultRetentionDays: number | null;
}

export type LogKind = "api" | "processor" | "apiGatewayAccess" | "apiGatewayExecution";
export type LogClass = "STANDARD" | "INFREQUENT_ACCESS";

export interface ServiceInfra {
  readonly cpu: number;
  readonly memory: number;
  /** Tasks always running: the service's desired count, or the autoscaling minimum when it scales. */
  readonly minTasks: number;
  /** The autoscaling maximum (the desired count when it does not scale). */
  readonly maxTasks: number;
  readonly environment: Readonly<Record<string, string>>;
  /** CPU units the task reserves for its other containers (the trace collector): not the service's to use. */
  readonly sidecarCpu: number;
  /** The task definition's runtime platform (X86_64 or ARM64). */
  readonly cpuArchitecture: string;
  /** Fargate Spot above an on-demand base (the service's capacity provider strategy); null: on demand only. */
  readonly spot: { readonly onDemandBase: number; readonly spotWeight: number } | null;
}

export function infraFromSynth(main: TfJson): Infra {
  const all = (type: string) => resources(main, type);
  const one = (type: string, pathEnd: string) => {
    const found = all(type).filter((r) => r.path.endsWith(pathEnd));
    if (found.length !== 1)
      throw new Error(`cost: expected one ${type} at */${pathEnd} in the synthesized stack, found ${found.length}`);
    return found[0]!.body;
  };
  const scaling = all("aws_appautoscaling_target");
  const service = (name: "api" | "processor"): ServiceInfra => {
    const task = one("aws_ecs_task_definition", `${name}/task`);
    const svc = one("aws_ecs_service", `${name}/service`);
    const target = scaling.find((t) => String(t.body.resource_id).includes(`aws_ecs_service.${name}_`))?.body;
    const containers = JSON.parse(task.container_definitions as string) as {
      environment?: { name: string; value: string }[];
      cpu?: number;
    }[];
    const container = containers[0];
    const strategy = list(svc.capacity_provider_strategy) as {
      capacity_provider?: string;
      base?: number;
      weight?: number;
    }[];
    const provider = (name: string) => strategy.find((p) => p.capacity_provider === name);
    const spot = provider("FARGATE_SPOT");
    return {
      spot: spot
        ? { onDemandBase: Number(provider("FARGATE")?.base ?? 0), spotWeight: Number(spot.weight ?? 0) }
        : null,
      cpu: Number(task.cpu),
      memory: Number(task.memory),
      cpuArchitecture: (field(task, "runtime_platform", "cpu_architecture") as string | undefined) ?? "X86_64",
      minTasks: target ? Number(target.min_capacity) : Number(svc.desired_count),
      maxTasks: target ? Number(target.max_capacity) : Number(svc.desired_count),
      environment: Object.fromEntries((container?.environment ?? []).map((e) => [e.name, e.value])),
      sidecarCpu: containers.slice(1).reduce((n, c) => n + Number(c.cpu ?? 0), 0),
    };
  };
  const lbs = all("aws_lb").map((r) => r.body.load_balancer_type ?? "application");
  const methodsByApi = new Map<string, number>();
  for (const m of all("aws_api_gateway_method"))
    methodsByApi.set(String(m.body.rest_api_id), (methodsByApi.get(String(m.body.rest_api_id)) ?? 0) + 1);
  const settings = all("aws_api_gateway_method_settings").map((r) => r.body);
  const stages = all("aws_api_gateway_stage").map((r) => {
    const api = String(r.body.rest_api_id);
    return {
      methods: methodsByApi.get(api) ?? 0,
      detailedMetrics: settings.some(
        (s) => String(s.rest_api_id) === api && field(s, "settings", "metrics_enabled") === true,
      ),
      accessLogFormat: field(r.body, "access_log_settings", "format") as string | undefined,
    };
  });
  const gatewayTraced = (api: "ingest" | "query"): boolean =>
    all("aws_api_gateway_stage").some((r) => r.path.includes(`${api}-api/`) && r.body.xray_tracing_enabled === true);
  const methodRateLimit = (api: "ingest" | "query"): number | null => {
    const stage = all("aws_api_gateway_stage").find((r) => r.path.includes(`${api}-api/`));
    const own = settings.find((s) => stage && String(s.rest_api_id) === String(stage.body.rest_api_id));
    const limit = own ? field(own, "settings", "throttling_rate_limit") : undefined;
    return typeof limit === "number" ? limit : null;
  };
  const groups = all("aws_cloudwatch_log_group").map((r) => ({
    name: String(r.body.name),
    retention: Number(r.body.retention_in_days ?? 0),
    logClass: (r.body.log_group_class ?? "STANDARD") as LogClass,
  }));
  const retention = (match: (name: string) => boolean) =>
    Math.max(0, ...groups.filter((g) => match(g.name)).map((g) => g.retention));
  const logClass = (match: (name: string) => boolean): LogClass =>
    groups.some((g) => match(g.name) && g.logClass === "STANDARD") ? "STANDARD" : "INFREQUENT_ACCESS";
  const kinds: Record<LogKind, (name: string) => boolean> = {
    api: (n) => /\/ecs\/.*\/api$/.test(n),
    processor: (n) => /\/ecs\/.*\/processor$/.test(n),
    apiGatewayAccess: (n) => n.startsWith("/aws/apigateway/"),
    apiGatewayExecution: (n) => n.startsWith("API-Gateway-Execution-Logs_"),
  };
  const byKind = <T>(of: (match: (name: string) => boolean) => T) =>
    Object.fromEntries(Object.entries(kinds).map(([kind, match]) => [kind, of(match)])) as Record<LogKind, T>;
  const insights = all("aws_ecs_cluster")
    .flatMap((r) => (r.body.setting ?? []) as { name: string; value: string }[])
    .find((s) => s.name === "containerInsights");
  const table = one("aws_dynamodb_table", "table/table");
  const processor = service("processor");
  const retentionDays = processor.environment.RESULT_RETENTION_DAYS;
  return {
    services: { api: service("api"), processor },
    albs: lbs.filter((t) => t === "application").length,
    nlbs: lbs.filter((t) => t === "network").length,
    vpcLinks: all("aws_api_gateway_vpc_link").length + all("aws_apigatewayv2_vpc_link").length,
    interfaceEndpoints: all("aws_vpc_endpoint").filter((r) => r.body.vpc_endpoint_type === "Interface").length,
    stages,
    gatewayTracing: { ingest: gatewayTraced("ingest"), query: gatewayTraced("query") },
    methodRateLimits: { ingest: methodRateLimit("ingest"), query: methodRateLimit("query") },
    logRetentionDays: byKind(retention),
    logClasses: byKind(logClass),
    alarmMetrics: all("aws_cloudwatch_metric_alarm").reduce(
      (n, r) =>
        n +
        (Array.isArray(r.body.metric_query) ? list(r.body.metric_query).filter((q) => field(q, "metric")).length : 1),
      0,
    ),
    containerInsights: (insights?.value as Infra["containerInsights"] | undefined) ?? "disabled",
    dashboards: all("aws_cloudwatch_dashboard").length,
    kmsKeys: all("aws_kms_key").length,
    webAclRules: all("aws_wafv2_web_acl").map((r) => list(r.body.rule).length),
    pointInTimeRecovery: field(table, "point_in_time_recovery", "enabled") === true,
    onDemandTable: table.billing_mode === "PAY_PER_REQUEST",
    resultRetentionDays:
      field(table, "ttl", "enabled") === true && retentionDays !== undefined ? Number(retentionDays) : null,
  };
}
