import { Construct } from "constructs";
import { TerraformOutput, TerraformVariable } from "cdktf";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { Config } from "../config/schema.js";
import type { ServiceName } from "../ecr/ecr-stack.js";
import { BaseStack } from "./base-stack.js";
import { lookupCertificate } from "./certificates.js";
import {
  API_CONTAINER_PORT,
  PROCESSOR_HEALTH_PORT,
  processorHealthStallSeconds,
  RECEIVE_WAIT_SECONDS,
  SHUTDOWN_TIMEOUT_SECONDS,
  STOP_TIMEOUT_SECONDS,
} from "./defaults.js";
import { FargateService, type ImageRepository } from "./fargate-service.js";
import { IngestApi } from "./ingest-api.js";
import { Network } from "./network.js";
import { PrivateIngress } from "./private-ingress.js";
import { ProcessorScaling } from "./processor-scaling.js";
import { QueryApi } from "./query-api.js";
import { RequestQueue } from "./queue.js";
import { ApiAccess } from "./api-access.js";
import { RequestTable } from "./table.js";
import { ApiGatewayCloudwatchRole } from "./api-gateway-account.js";
import { AlarmTopic } from "./alarm-topic.js";
import { Alarms } from "./alarms.js";
import { ApiScaling } from "./api-scaling.js";
import { Dashboard } from "./dashboard.js";
import { VpcEndpoints } from "./vpc-endpoints.js";

export interface MainStackProps {
  readonly config: Config;
  /** The `ecr` stack's repositories (a cross-stack reference: `main` depends on `ecr`). */
  readonly repositories: Readonly<Record<ServiceName, ImageRepository>>;
}

/** Stage name of both REST APIs. */
export const STAGE_NAME = "v1";

/** Stack `main`: the whole runtime architecture (README, "Architecture"; docs/ARCHITECTURE.md). */
export class MainStack extends BaseStack {
  constructor(scope: Construct, id: string, { config, repositories }: MainStackProps) {
    super(scope, id, config);
    const prefix = this.prefix;
    const region = config.region;
    const accountId = new DataAwsCallerIdentity(this, "caller").accountId;
    const logs = { retentionDays: config.log_retention_days, kmsKeyArn: config.log_kms_key_arn };
    const imageTags = imageTagVariables(this, config);

    const network = new Network(this, "network", {
      vpcId: config.vpc_id,
      loadBalancerSubnetIds: config.load_balancer_subnet_ids,
    });
    const albCertificate = lookupCertificate(this, "alb-certificate", config.alb_certificate_domain);

    // Every alarm notifies one topic: the configured one, or one this stack creates (encrypted, with subscriptions).
    const alarmTopicArn =
      config.alarm_topic_arn ??
      new AlarmTopic(this, "alarm-topic", {
        name: `${prefix}-alarms`,
        region,
        accountId,
        alarmNamePrefix: prefix,
        emailSubscriptions: config.alarms.email_subscriptions,
      }).topic.arn;

    const queue = new RequestQueue(this, "queue", {
      name: `${prefix}-requests`,
      maxReceiveCount: config.max_receive_count,
      maxBatchSeconds: config.services.processor.max_batch_seconds,
      messageRetentionSeconds: config.message_retention_seconds,
      alarmTopicArn,
    });
    const table = new RequestTable(this, "table", {
      name: `${prefix}-requests`,
      deletionProtection: config.deletion_protection,
      ttlAttribute: config.table_ttl_attribute,
    });

    const cluster = new EcsCluster(this, "cluster", {
      name: prefix,
      setting: [{ name: "containerInsights", value: "enabled" }],
    });
    const ingress = new PrivateIngress(this, "ingress", {
      name: prefix,
      vpcId: config.vpc_id,
      subnetIds: network.loadBalancerSubnetIds,
      certificateArn: albCertificate.arn,
      targetPort: API_CONTAINER_PORT,
      deletionProtection: config.deletion_protection,
      accessLogsBucket: config.alb_access_logs_bucket,
      mode: config.private_integration,
      keepNlb: config.keep_nlb_during_migration,
    });
    const endpoints = config.vpc_endpoints
      ? new VpcEndpoints(this, "endpoints", { name: prefix, network, region, mode: config.vpc_endpoints })
      : undefined;

    const common = {
      prefix,
      globalPrefix: this.globalPrefix,
      cluster,
      vpcId: config.vpc_id,
      subnetIds: network.privateSubnetIds,
      region,
      accountId,
      logs,
      ...(endpoints ? { awsApiEgress: endpoints.egress } : {}),
    };
    const api = new FargateService(this, "api", {
      ...common,
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
      },
      stopTimeoutSeconds: STOP_TIMEOUT_SECONDS.api,
      // In alb mode the query integrations wait for the api's rollout (below): in the migration's switch deploy,
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
      },
      taskPolicy: [{ sid: "ReadResults", actions: ["dynamodb:GetItem"], resources: [table.table.arn] }],
    });

    const processorConfig = config.services.processor;
    const processor = new FargateService(this, "processor", {
      ...common,
      name: "processor",
      repository: repositories.processor,
      imageTag: imageTags.processor,
      cpu: processorConfig.cpu,
      memory: processorConfig.memory,
      desiredCount: processorConfig.desired_count,
      autoscaled: true,
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
    new ProcessorScaling(this, "processor-scaling", {
      name: `${prefix}-processor`,
      cluster,
      service: processor.service,
      queue: queue.queue,
      minCount: processorConfig.min_count,
      maxCount: processorConfig.max_count,
      acceptableBacklogSeconds: processorConfig.acceptable_backlog_seconds,
      messagesPerSecondPerTask: processorConfig.messages_per_second_per_task,
    });
    const apiConfig = config.services.api;
    new ApiScaling(this, "api-scaling", {
      name: `${prefix}-api`,
      cluster,
      service: api.service,
      alb: ingress.alb,
      targetGroup: ingress.serviceTargetGroup,
      minCount: apiConfig.min_count,
      maxCount: apiConfig.max_count,
      targetRequestsPerMinutePerTask: apiConfig.target_requests_per_minute_per_task,
      targetCpuPercent: apiConfig.target_cpu_percent,
    });

    // Execution logging needs the account-level CloudWatch role; the stages wait for it.
    const cloudwatchRole = config.manage_apigateway_account
      ? new ApiGatewayCloudwatchRole(this, "apigateway-account", {
          name: `${this.globalPrefix}-apigateway-logs`,
          region,
          accountId,
        })
      : undefined;
    const stageSettings = {
      stageName: STAGE_NAME,
      logs,
      throttleRateLimit: config.throttle_rate_limit,
      throttleBurstLimit: config.throttle_burst_limit,
      wafWebAclArn: config.waf_web_acl_arn,
      apiKeyRequired: config.api_key_required,
      dependsOn: cloudwatchRole ? [cloudwatchRole.account] : [],
    };
    const ingestApi = new IngestApi(this, "ingest-api", {
      ...stageSettings,
      name: `${prefix}-ingest`,
      roleName: `${this.globalPrefix}-ingest-sqs-send`,
      queue: queue.queue,
      region,
      accountId,
      customDomain: customDomain(this, "ingest-domain-certificate", config.ingest_api_domain),
    });
    const queryApi = new QueryApi(this, "query-api", {
      ...stageSettings,
      name: `${prefix}-query`,
      vpcLink:
        config.private_integration === "alb"
          ? { ...ingress.link, ready: [...ingress.link.ready, api.service] }
          : ingress.link,
      albDomain: config.alb_certificate_domain,
      customDomain: customDomain(this, "query-domain-certificate", config.query_api_domain),
    });
    const access = config.api_key_required
      ? new ApiAccess(this, "api-access", {
          name: prefix,
          stages: [ingestApi.stage.stage, queryApi.stage.stage],
          throttleRateLimit: config.throttle_rate_limit,
          throttleBurstLimit: config.throttle_burst_limit,
          quotaPerDay: config.quota_per_day,
        })
      : undefined;

    const watched = {
      ingestApi: { api: ingestApi.stage.api, stage: ingestApi.stage.stage },
      queryApi: { api: queryApi.stage.api, stage: queryApi.stage.stage },
      queue: queue.queue,
      table: table.table,
      cluster,
      apiService: api.service,
      processorService: processor.service,
      alb: ingress.alb,
      serviceTargetGroup: ingress.serviceTargetGroup,
      nlb:
        ingress.nlb && ingress.albTargetGroup
          ? { loadBalancer: ingress.nlb, albTargetGroup: ingress.albTargetGroup }
          : null,
    };
    const alarms = new Alarms(this, "alarms", {
      ...watched,
      prefix,
      topicArn: alarmTopicArn,
      thresholds: config.alarms,
    });
    const dashboard = new Dashboard(this, "dashboard", {
      ...watched,
      name: prefix,
      region,
      deadLetterQueue: queue.deadLetterQueue,
      alarms: { ...alarms.byHop, queue: [queue.deadLetterAlarm, ...alarms.byHop.queue] },
    });

    const outputs: Record<string, { value: string; description: string }> = {
      ingest_api_url: { value: `${ingestApi.stage.stage.invokeUrl}/requests`, description: "POST JSON objects here" },
      query_api_url: { value: `${queryApi.stage.stage.invokeUrl}/requests`, description: "GET <url>/<requestId>" },
      queue_url: { value: queue.queue.url, description: "Request queue" },
      dead_letter_queue_url: {
        value: queue.deadLetterQueue.url,
        description: "Messages that failed max_receive_count times",
      },
      table_name: { value: table.table.name, description: "Results table" },
      cluster_name: { value: cluster.name, description: "ECS cluster" },
      api_service_name: { value: api.service.name, description: "ECS service of the query api" },
      processor_service_name: { value: processor.service.name, description: "ECS service of the processor" },
      // Deploys set the tags through TF_VAR_*; pull-request plans read these back to plan against what runs.
      api_running_image_tag: { value: imageTags.api, description: "Image tag the api service runs" },
      processor_running_image_tag: { value: imageTags.processor, description: "Image tag the processor service runs" },
      alb_dns_name: {
        value: ingress.alb.dnsName,
        description:
          config.private_integration === "nlb"
            ? "Internal ALB (reached through the NLB)"
            : "Internal ALB (reached through the VPC Link v2)",
      },
      ...(ingress.nlb
        ? { nlb_dns_name: { value: ingress.nlb.dnsName, description: "Internal NLB (VPC Link target)" } }
        : {}),
      ...(ingress.vpcLinkV2
        ? {
            vpc_link_v2_id: {
              value: ingress.vpcLinkV2.id,
              description:
                "VPC Link v2 to the ALB: INACTIVE after 60 days without traffic (docs/PRIVATE-NETWORKING.md)",
            },
          }
        : {}),
      alarm_topic_arn: { value: alarmTopicArn, description: "SNS topic every alarm notifies (docs/RUNBOOK.md)" },
      dashboard_name: {
        value: dashboard.dashboard.dashboardName,
        description: "CloudWatch dashboard, one row per hop",
      },
      ...(access
        ? {
            api_key_id: {
              value: access.apiKey.id,
              description: "`aws apigateway get-api-key --include-value --api-key <id>`",
            },
          }
        : {}),
    };
    for (const [name, output] of Object.entries(outputs)) new TerraformOutput(this, name, output);
    for (const [name, stage] of [
      ["ingest", ingestApi.stage],
      ["query", queryApi.stage],
    ] as const) {
      if (stage.domain) {
        new TerraformOutput(this, `${name}_domain_target`, {
          value: stage.domain.regionalDomainName,
          description: `Point a CNAME/alias for the ${name} API's custom domain here`,
        });
        new TerraformOutput(this, `${name}_domain_zone_id`, {
          value: stage.domain.regionalZoneId,
          description: `Hosted zone id of ${name}_domain_target, for a Route 53 alias record`,
        });
      }
    }
  }
}

/** Image tags are Terraform variables whose defaults come from the var file: `TF_VAR_api_image_tag=<sha>` overrides. */
function imageTagVariables(scope: Construct, config: Config): Record<ServiceName, string> {
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

function customDomain(scope: Construct, id: string, domain: string | null) {
  return domain ? { domainName: domain, certificateArn: lookupCertificate(scope, id, domain).arn } : null;
}
