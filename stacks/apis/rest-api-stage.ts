import { createHash } from "node:crypto";
import { Construct } from "constructs";
import { Fn, Lazy, TerraformResource, type ITerraformDependable } from "cdktf";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayDomainName } from "@cdktf/provider-aws/lib/api-gateway-domain-name";
import { ApiGatewayBasePathMapping } from "@cdktf/provider-aws/lib/api-gateway-base-path-mapping";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { CUSTOM_DOMAIN_SECURITY_POLICY } from "../shared/defaults.js";
import { logGroup, type LogSettings } from "../shared/log-group.js";

export interface CustomDomain {
  readonly domainName: string;
  /** Regional ACM certificate for the domain (same region as the API). */
  readonly certificateArn: string;
}

export interface RestApiStageProps {
  readonly api: ApiGatewayRestApi;
  /** Everything that defines the API (resources, methods, integrations, models...): any change redeploys. */
  readonly definition: readonly TerraformResource[];
  readonly stageName: string;
  readonly logs: LogSettings;
  /** Steady-state requests per second for every method. */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Serve the stage on this domain too. @default the execute-api URL only */
  readonly customDomain?: CustomDomain | null;
  /** WAFv2 web ACL to associate with the stage. @default none */
  readonly wafWebAclArn?: string | null;
  /** What the stage must wait for (the account's CloudWatch role, without which execution logging fails). @default none */
  readonly dependsOn?: readonly ITerraformDependable[];
  /**
   * Values the integrations send to besides their URI, credentials and connection (a v2 link's integration target):
   * when one is replaced, the integrations change in place and the stage must redeploy. @default none
   */
  readonly integrationTargets?: readonly string[];
}

/**
 * JSON access log line, one per call, so every byte is paid for at every call: who called (requestId to match a
 * client's report, caller IP, API key), what (the path; each API has one method per path), how it ended and how long
 * it took, which is what docs/RUNBOOK.md's queries read (a test holds them to it). Left out because something else
 * has them: the time (each event's @timestamp), the extended request id and X-Ray trace id (execution logs and X-Ray),
 * the method and resource path (the path implies them), the protocol. Only variables that cannot contain quotes
 * (validationErrorString can, and access logs are not escaped).
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  apiKeyId: "$context.identity.apiKeyId",
  path: "$context.path",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationStatus: "$context.integration.status",
  integrationLatency: "$context.integration.latency",
  integrationError: "$context.integration.error",
  errorMessage: "$context.error.message",
});

/**
 * A deployed stage of a REST API: deployment (redeployed on any definition change), stage with access and
 * execution logs, metrics, X-Ray and throttling, and the optional custom domain and WAF association.
 */
export class RestApiStage extends Construct {
  /** The API this stage serves (alarms and the dashboard name it with the stage). */
  readonly api: ApiGatewayRestApi;
  readonly deployment: ApiGatewayDeployment;
  readonly stage: ApiGatewayStage;
  readonly domain?: ApiGatewayDomainName;

  constructor(scope: Construct, id: string, props: RestApiStageProps) {
    super(scope, id);
    const { api, stageName } = props;
    this.api = api;
    const accessLogs = logGroup(this, "access-logs", `/aws/apigateway/${api.name}/${stageName}/access`, props.logs);
    // API Gateway would create this group itself, without retention; creating it first keeps it under our settings.
    const executionLogs = logGroup(
      this,
      "execution-logs",
      `API-Gateway-Execution-Logs_${api.id}/${stageName}`,
      props.logs,
    );

    this.deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId: api.id,
      description: "Managed by cdktf; replaced whenever the API definition changes",
      triggers: {
        redeployment: definitionHash(props.definition),
        integration_targets: integrationTargetsHash(props.definition, props.integrationTargets),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: [...props.definition],
    });
    this.stage = new ApiGatewayStage(this, "stage", {
      restApiId: api.id,
      stageName,
      deploymentId: this.deployment.id,
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: accessLogs.arn, format: ACCESS_LOG_FORMAT },
      dependsOn: [executionLogs, ...(props.dependsOn ?? [])],
    });
    new ApiGatewayMethodSettings(this, "method-settings", {
      restApiId: api.id,
      stageName: this.stage.stageName,
      methodPath: "*/*",
      settings: {
        metricsEnabled: true,
        loggingLevel: "ERROR",
        // Data trace would log full request and response bodies: never in a shared account.
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
      },
    });
    if (props.customDomain) {
      this.domain = new ApiGatewayDomainName(this, "domain", {
        domainName: props.customDomain.domainName,
        regionalCertificateArn: props.customDomain.certificateArn,
        endpointConfiguration: { types: ["REGIONAL"] },
        securityPolicy: CUSTOM_DOMAIN_SECURITY_POLICY,
      });
      new ApiGatewayBasePathMapping(this, "base-path", {
        apiId: api.id,
        stageName: this.stage.stageName,
        domainName: this.domain.domainName,
      });
    }
    if (props.wafWebAclArn) {
      new Wafv2WebAclAssociation(this, "waf", { resourceArn: this.stage.arn, webAclArn: props.wafWebAclArn });
    }
  }
}

/**
 * A SHA-256 of the resolved Terraform config of every resource that defines the API, computed at synth time.
 * Any change (a template, a model, a method setting) changes the hash, which replaces the deployment.
 */
function definitionHash(definition: readonly TerraformResource[]): string {
  return Lazy.stringValue({
    produce: (context) => {
      const resolved = definition.map((resource): unknown => context.resolve(resource.toTerraform()));
      return createHash("sha256").update(JSON.stringify(resolved)).digest("hex");
    },
  });
}

/**
 * The synth-time hash sees `${aws_sqs_queue.x.name}`, not the name. When a referenced resource is replaced (a new
 * queue, VPC Link or role), its integration changes in place at apply time: hash those values in Terraform too.
 */
function integrationTargetsHash(definition: readonly TerraformResource[], extra: readonly string[] = []): string {
  const targets: unknown[] = definition
    .filter((r): r is ApiGatewayIntegration => r instanceof ApiGatewayIntegration)
    .map((integration) => [integration.uri, integration.credentials, integration.connectionId]);
  return Fn.sha1(Fn.jsonencode([...targets, ...extra]));
}
