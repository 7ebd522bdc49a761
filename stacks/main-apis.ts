import type { Construct } from "constructs";
import type { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import type { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { ApiAccess } from "./apis/api-access.js";
import { TerraformStack } from "cdktf";
import { ApiGatewayCloudwatchRole, forgetApiGatewayAccount } from "./apis/api-gateway-account.js";
import { CERTIFICATE_TYPES, lookupCertificate } from "./network/certificates.js";
import { IngestApi } from "./apis/ingest-api.js";
import { STAGE_NAME, type MainContext } from "./main-context.js";
import type { PrivateIngress } from "./network/private-ingress.js";
import { QueryApi } from "./apis/query-api.js";
import type { CustomDomain } from "./apis/rest-api-stage.js";
import { ApiWebAcl } from "./apis/waf.js";
import { wafRateLimitPerIp } from "../config/nested-fields.js";
import { clientsOf, fastestClientRate, type ApiName } from "../config/access-fields.js";

export interface ApisInputs {
  /** Where the ingest API sends requests. */
  readonly queue: SqsQueue;
  /** The private path the query API integrates through. */
  readonly ingress: PrivateIngress;
  /** The api service: in alb mode, the query integrations wait for its rollout. */
  readonly apiService: EcsService;
}

export interface Apis {
  readonly ingestApi: IngestApi;
  readonly queryApi: QueryApi;
  /** An API key and usage plan per client, when `api_key_required`. */
  readonly access?: ApiAccess;
  /** The web ACL this stack creates for both stages, when `waf_web_acl` is set. */
  readonly webAcl?: ApiWebAcl;
}

/** The two REST APIs (ingest -> SQS, query -> VPC Link -> ALB), their account-level logging role and API key. */
export function addApis(scope: Construct, context: MainContext, { queue, ingress, apiService }: ApisInputs): Apis {
  const { config, prefix, globalPrefix, partition, region, accountId } = context;
  // Execution logging needs the account-level CloudWatch role; the stages wait for it.
  const cloudwatchRole = config.manage_apigateway_account
    ? new ApiGatewayCloudwatchRole(scope, "apigateway-account", {
        name: `${globalPrefix}-apigateway-logs`,
        logGroupArnPrefix: `arn:${partition}:logs:${region}:${accountId}:log-group`,
      })
    : forgetApiGatewayAccount(TerraformStack.of(scope));
  const webAcl = config.waf_web_acl
    ? new ApiWebAcl(scope, "waf", {
        name: `${prefix}-apis`,
        rateLimitPerIp: wafRateLimitPerIp(config.waf_web_acl, fastestClientRate(config)),
        rateWindowSeconds: config.waf_web_acl.rate_window_seconds,
        logs: context.logs,
      })
    : undefined;
  const stageSettings = {
    stageName: STAGE_NAME,
    logs: context.logs,
    throttleRateLimit: config.throttle_rate_limit,
    throttleBurstLimit: config.throttle_burst_limit,
    wafWebAclArn: webAcl?.webAcl.arn ?? config.waf_web_acl_arn,
    apiKeyRequired: config.api_key_required,
    dependsOn: cloudwatchRole ? [cloudwatchRole.account] : [],
    partition,
    region,
    accountId,
  };
  const authorization = (api: ApiName) => ({ mode: config.authorization[api], settings: config.authorization });
  const ingestApi = new IngestApi(scope, "ingest-api", {
    ...stageSettings,
    name: `${prefix}-ingest`,
    roleName: `${globalPrefix}-ingest-sqs-send`,
    queue,
    authorization: authorization("ingest"),
    traced: config.tracing.sample_rate > 0,
    customDomain: customDomain(scope, "ingest-domain-certificate", config.ingest_api_domain),
  });
  const queryApi = new QueryApi(scope, "query-api", {
    ...stageSettings,
    name: `${prefix}-query`,
    authorization: authorization("query"),
    vpcLink:
      config.private_integration === "alb"
        ? { ...ingress.link, ready: [...ingress.link.ready, apiService] }
        : ingress.link,
    albDomain: config.alb_certificate_domain,
    skipAlbCertificateVerification: config.alb_certificate_issuer === "private_ca",
    customDomain: customDomain(scope, "query-domain-certificate", config.query_api_domain),
  });
  const access = config.api_key_required
    ? new ApiAccess(scope, "api-access", {
        name: prefix,
        stages: { ingest: ingestApi.stage.stage, query: queryApi.stage.stage },
        clients: clientsOf(config),
      })
    : undefined;
  return { ingestApi, queryApi, ...(access ? { access } : {}), ...(webAcl ? { webAcl } : {}) };
}

function customDomain(scope: Construct, id: string, domain: string | null): CustomDomain | null {
  return domain
    ? { domainName: domain, certificateArn: lookupCertificate(scope, id, domain, CERTIFICATE_TYPES.customDomain).arn }
    : null;
}
