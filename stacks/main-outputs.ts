import type { Construct } from "constructs";
import { TerraformOutput, Token } from "cdktf";
import type { Config } from "../config/schema.js";
import type { ServiceName } from "../ecr/ecr-stack.js";
import type { Apis } from "./main-apis.js";
import type { Data } from "./main-data.js";
import type { Monitoring } from "./main-operations.js";
import type { Services } from "./main-services.js";
import type { Network } from "./network/network.js";
import { DEFAULT_CLIENT } from "../config/access-fields.js";
import type { PrivateIngress } from "./network/private-ingress.js";
import type { RestApiStage } from "./apis/rest-api-stage.js";

export interface OutputsInputs extends Data, Services, Apis, Pick<Monitoring, "dashboard"> {
  readonly ingress: PrivateIngress;
  readonly network: Network;
  readonly alarmTopicArn: string;
  readonly imageTags: Readonly<Record<ServiceName, string>>;
}

/** The API's one public URL: its custom domain when it has one (the execute-api endpoint is then off). */
function entryPoint(stage: RestApiStage): string {
  return stage.domain ? `https://${stage.domain.domainName}` : stage.stage.invokeUrl;
}

/** The stack's outputs: the URLs and names a user, a deploy script or a pull-request plan reads back. */
export function addOutputs(scope: Construct, config: Config, inputs: OutputsInputs): void {
  const { ingestApi, queryApi, queue, table, cluster, api, processor, imageTags, ingress, access } = inputs;
  const outputs: Record<string, { value: string; description: string }> = {
    ingest_api_url: { value: `${entryPoint(ingestApi.stage)}/requests`, description: "POST JSON objects here" },
    query_api_url: { value: `${entryPoint(queryApi.stage)}/requests`, description: "GET <url>/<requestId>" },
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
            description: "VPC Link v2 to the ALB: INACTIVE after 60 days without traffic (docs/PRIVATE-NETWORKING.md)",
          },
        }
      : {}),
    alarm_topic_arn: { value: inputs.alarmTopicArn, description: "SNS topic every alarm notifies (docs/RUNBOOK.md)" },
    dashboard_name: {
      value: inputs.dashboard.dashboard.dashboardName,
      description: "CloudWatch dashboard, one row per hop",
    },
    ...(access?.apiKeys[DEFAULT_CLIENT]
      ? {
          api_key_id: {
            value: access.apiKeys[DEFAULT_CLIENT].id,
            description: "The default client's key: `aws apigateway get-api-key --include-value --api-key <id>`",
          },
        }
      : {}),
  };
  for (const [name, output] of Object.entries(outputs)) new TerraformOutput(scope, name, output);
  if (access) {
    // Ids only: a key's value is a credential (it still sits in the state, which is why state access matters).
    new TerraformOutput(scope, "api_key_ids", {
      // A token, not a plain object: cdktf inspects plain output objects with Node's deprecated util.isArray.
      value: Token.asAny(Object.fromEntries(Object.entries(access.apiKeys).map(([client, key]) => [client, key.id]))),
      description: "Each client's API key id: `aws apigateway get-api-key --include-value --api-key <id>`",
    });
  }
  new TerraformOutput(scope, "public_subnet_ids", {
    value: inputs.network.publicSubnetIds,
    description: "The VPC's subnets tagged tier=public: nothing runs there (empty in a private-only VPC)",
  });
  for (const [name, { access }] of [
    ["ingest", ingestApi],
    ["query", queryApi],
  ] as const) {
    if (access.invokePolicy) {
      new TerraformOutput(scope, `${name}_api_invoke_policy`, {
        value: access.invokePolicy,
        description: `IAM policy (JSON) granting execute-api:Invoke on the ${name} API's signed methods: attach it to each client's role`,
      });
    }
  }
  for (const [name, stage] of [
    ["ingest", ingestApi.stage],
    ["query", queryApi.stage],
  ] as const) {
    if (stage.domain) {
      new TerraformOutput(scope, `${name}_domain_target`, {
        value: stage.domain.regionalDomainName,
        description: `Point a CNAME/alias for the ${name} API's custom domain here`,
      });
      new TerraformOutput(scope, `${name}_domain_zone_id`, {
        value: stage.domain.regionalZoneId,
        description: `Hosted zone id of ${name}_domain_target, for a Route 53 alias record`,
      });
    }
  }
}
