import type { Construct } from "constructs";
import { TerraformVariable } from "cdktf";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { Config } from "../config/schema.js";
import type { ServiceName } from "../ecr/ecr-stack.js";
import { ApiScaling } from "./services/api-scaling.js";
import { ApiTrafficShift } from "./services/api-traffic-shift.js";
import {
  API_CONTAINER_PORT,
  PROCESSOR_HEALTH_PORT,
  processorHealthStallSeconds,
  RECEIVE_WAIT_SECONDS,
  SHUTDOWN_TIMEOUT_SECONDS,
  STOP_TIMEOUT_SECONDS,
} from "./shared/defaults.js";
import { processorErrorMetric, rollbackAlarmNames } from "./monitoring/deployment-alarms.js";
import { serviceRollout, shiftsTraffic } from "./services/deployment-strategy.js";
import { FargateService, type FargateServiceProps, type ImageRepository } from "./services/fargate-service.js";
import { STAGE_NAME, type MainContext } from "./main-context.js";
import { resultExpiryEnvironment, type Data } from "./main-data.js";
import type { NetworkAndIngress } from "./main-network.js";
import { ProcessorScaling } from "./services/processor-scaling.js";
import { placeOnFargateSpot } from "./services/fargate-spot.js";
import { traceExport } from "./services/trace-export.js";

export interface ServicesInputs extends NetworkAndIngress, Data {
  /** The `ecr` stack's repositories (a cross-stack reference: `main` depends on `ecr`). */
  readonly repositories: Readonly<Record<ServiceName, ImageRepository>>;
  /** The image tag each service runs (`imageTagVariables`). */
  readonly imageTags: Readonly<Record<ServiceName, string>>;
}

export interface Services {
  readonly cluster: EcsCluster;
  readonly api: FargateService;
  readonly processor: FargateService;
  /** The second target group, rule and role ECS shifts api traffic with. @default none (a rolling api) */
  readonly apiTrafficShift?: ApiTrafficShift;
}

/** What both services share: the props of `FargateService` that do not depend on the service. */
type CommonServiceProps = Pick<
  FargateServiceProps,
  | "prefix"
  | "globalPrefix"
  | "cluster"
  | "vpcId"
  | "subnetIds"
  | "region"
  | "accountId"
  | "logs"
  | "awsApiEgress"
  | "cpuArchitecture"
  | "traceExport"
>;

/** The ECS cluster, the api and processor services on Fargate, and the autoscaling of both. */
export function addServices(scope: Construct, context: MainContext, inputs: ServicesInputs): Services {
  const { config, prefix } = context;
  const cluster = new EcsCluster(scope, "cluster", {
    name: prefix,
    setting: [{ name: "containerInsights", value: "enabled" }],
  });
  const common: CommonServiceProps = {
    prefix,
    globalPrefix: context.globalPrefix,
    cluster,
    vpcId: config.vpc_id,
    subnetIds: inputs.network.privateSubnetIds,
    region: context.region,
    accountId: context.accountId,
    logs: context.logs,
    cpuArchitecture: config.cpu_architecture === "arm64" ? "ARM64" : "X86_64",
    ...(inputs.awsApiEgress ? { awsApiEgress: inputs.awsApiEgress } : {}),
    traceExport: traceExport({
      sampleRate: config.tracing.sample_rate,
      collectorImage: config.tracing.collector_image,
      region: context.region,
      partition: context.partition,
    }),
  };
  const apiTrafficShift = shiftsTraffic(config.services.api.deployment)
    ? new ApiTrafficShift(scope, "api-traffic-shift", {
        name: prefix,
        globalPrefix: context.globalPrefix,
        vpcId: config.vpc_id,
        targetPort: API_CONTAINER_PORT,
        ingress: inputs.ingress,
      })
    : undefined;
  const api = addApiService(scope, context, common, inputs, apiTrafficShift);
  const processor = addProcessorService(scope, context, common, inputs);
  processorErrorMetric(scope, prefix, processor.logGroup);
  if (config.processor_spot_weight > 0) {
    placeOnFargateSpot(scope, cluster, processor.service, {
      onDemandBase: config.processor_on_demand_base,
      spotWeight: config.processor_spot_weight,
    });
  }

  const processorConfig = config.services.processor;
  new ProcessorScaling(scope, "processor-scaling", {
    name: `${prefix}-processor`,
    cluster,
    service: processor.service,
    queue: inputs.queue.queue,
    minCount: processorConfig.min_count,
    maxCount: processorConfig.max_count,
    acceptableBacklogSeconds: processorConfig.acceptable_backlog_seconds,
    messagesPerSecondPerTask: processorConfig.messages_per_second_per_task,
  });
  const apiConfig = config.services.api;
  new ApiScaling(scope, "api-scaling", {
    name: `${prefix}-api`,
    cluster,
    service: api.service,
    alb: inputs.ingress.alb,
    targetGroup: inputs.ingress.serviceTargetGroup,
    alternateTargetGroup: apiTrafficShift?.alternateTargetGroup,
    minCount: apiConfig.min_count,
    maxCount: apiConfig.max_count,
    targetRequestsPerMinutePerTask: apiConfig.target_requests_per_minute_per_task,
    targetCpuPercent: apiConfig.target_cpu_percent,
  });
  return { cluster, api, processor, ...(apiTrafficShift ? { apiTrafficShift } : {}) };
}

/** The query api: behind the ALB, reads results from the table. */
function addApiService(
  scope: Construct,
  { config, region, prefix }: MainContext,
  common: CommonServiceProps,
  { repositories, imageTags, ingress, table, network }: ServicesInputs,
  trafficShift: ApiTrafficShift | undefined,
): FargateService {
  return new FargateService(scope, "api", {
    ...common,
    subnetIds: network.loadBalancedSubnetIds,
    name: "api",
    repository: repositories.api,
    imageTag: imageTags.api,
    cpu: config.services.api.cpu,
    memory: config.services.api.memory,
    desiredCount: config.services.api.desired_count,
    autoscaled: true,
    containerPort: API_CONTAINER_PORT,
    loadBalancer: {
      targetGroup: ingress.serviceTargetGroup,
      listener: ingress.albListener,
      sourceSecurityGroup: ingress.albSecurityGroup,
      ...(trafficShift ? { advancedConfiguration: trafficShift.advancedConfiguration } : {}),
    },
    rollout: serviceRollout(config.services.api.deployment, rollbackAlarmNames(prefix, "api")),
    stopTimeoutSeconds: STOP_TIMEOUT_SECONDS.api,
    // In alb mode the query integrations wait for the api's rollout (main-apis.ts): in the migration's switch deploy,
    // tasks serving /v1/... must run before the stage sends there.
    waitForSteadyState: config.private_integration === "alb",
    environment: {
      PORT: String(API_CONTAINER_PORT),
      TABLE_NAME: table.table.name,
      AWS_REGION: region,
      LOG_LEVEL: "info",
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS.api),
      // A VPC Link v2 integration sends the stage name in front of the integration's path (AWS documents it for
      // REST API private integrations), so the ALB forwards /v1/requests/<id>: the api serves the routes there too.
      ...(config.private_integration === "alb" ? { PATH_PREFIX: `/${STAGE_NAME}` } : {}),
      READ_CONSISTENCY: config.query_read_consistency,
      REQUEST_LOG_SAMPLE_RATE: String(config.api_request_log_sample_rate),
      ...resultExpiryEnvironment(config).api,
    },
    taskPolicy: [{ sid: "ReadResults", actions: ["dynamodb:GetItem"], resources: [table.table.arn] }],
  });
}

/** The processor: consumes the queue, writes results to the table; no port, a container health check instead. */
function addProcessorService(
  scope: Construct,
  { config, region, prefix }: MainContext,
  common: CommonServiceProps,
  { repositories, imageTags, queue, table }: ServicesInputs,
): FargateService {
  const processorConfig = config.services.processor;
  return new FargateService(scope, "processor", {
    ...common,
    name: "processor",
    repository: repositories.processor,
    imageTag: imageTags.processor,
    cpu: processorConfig.cpu,
    memory: processorConfig.memory,
    desiredCount: processorConfig.desired_count,
    autoscaled: true,
    rollout: serviceRollout(processorConfig.deployment, rollbackAlarmNames(prefix, "processor")),
    stopTimeoutSeconds: STOP_TIMEOUT_SECONDS.processor,
    healthCheckCommand: [
      "CMD",
      "node",
      "-e",
      `fetch('http://127.0.0.1:${PROCESSOR_HEALTH_PORT}/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`,
    ],
    environment: {
      QUEUE_URL: queue.queue.url,
      TABLE_NAME: table.table.name,
      AWS_REGION: region,
      LOG_LEVEL: "info",
      POLL_CONCURRENCY: String(processorConfig.poll_concurrency),
      BATCH_SIZE: "10",
      WAIT_TIME_SECONDS: String(RECEIVE_WAIT_SECONDS),
      VISIBILITY_TIMEOUT_SECONDS: String(queue.visibilityTimeoutSeconds),
      SHUTDOWN_TIMEOUT_SECONDS: String(SHUTDOWN_TIMEOUT_SECONDS.processor),
      // A batch's hooks get the configured worst-case batch time; past it their messages fail (redelivery, DLQ).
      PROCESS_TIMEOUT_SECONDS: String(processorConfig.max_batch_seconds),
      HEALTH_PORT: String(PROCESSOR_HEALTH_PORT),
      HEALTH_STALL_SECONDS: String(processorHealthStallSeconds(processorConfig.max_batch_seconds)),
      ...resultExpiryEnvironment(config).processor,
    },
    taskPolicy: [
      {
        sid: "ConsumeRequests",
        // The batch calls (DeleteMessageBatch, ChangeMessageVisibilityBatch) are authorized by these actions.
        actions: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
        resources: [queue.queue.arn],
      },
      { sid: "WriteResults", actions: ["dynamodb:PutItem"], resources: [table.table.arn] },
    ],
  });
}

/** Image tags are Terraform variables whose defaults come from the var file: `TF_VAR_api_image_tag=<sha>` overrides. */
export function imageTagVariables(scope: Construct, config: Config): Record<ServiceName, string> {
  const variable = (service: ServiceName) =>
    new TerraformVariable(scope, `${service}_image_tag`, {
      type: "string",
      default: config.services[service].image_tag,
      description: `Image tag of the ${service} service (default from terraform.tfvars.json)`,
      validation: [
        {
          condition: `\${can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.${service}_image_tag))}`,
          errorMessage: "Image tags are 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.",
        },
      ],
    }).stringValue;
  return { api: variable("api"), processor: variable("processor") };
}
