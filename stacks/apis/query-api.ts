import { Construct } from "constructs";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import type { PrivateLink } from "../network/private-ingress.js";
import { HEALTH_CHECK_PATH, QUERY_INTEGRATION_TIMEOUT_MS } from "../shared/defaults.js";
import { apiDefinition, createRestApi } from "./rest-api.js";
import { RestApiStage, type RestApiStageProps } from "./rest-api-stage.js";

export interface QueryApiProps extends Omit<RestApiStageProps, "api" | "definition"> {
  readonly name: string;
  /** The VPC link (v1 to the NLB, or v2 with the ALB as integration target) the integrations go through. */
  readonly vpcLink: PrivateLink;
  /**
   * Domain of the ALB's certificate. API Gateway connects through the VPC Link whatever the host, but uses this
   * name for SNI and certificate verification, so TLS to the ALB verifies end to end.
   */
  readonly albDomain: string;
  /** The ALB's certificate is from ACM Private CA, which API Gateway cannot verify: check only name and expiry. */
  readonly skipAlbCertificateVerification?: boolean;
  /** Require an API key on every method. @default true */
  readonly apiKeyRequired?: boolean;
}

/**
 * REST API #2: `GET /requests/{requestId}` and `GET /health`, proxied over the VPC Link to the private ALB
 * in front of the api service.
 */
export class QueryApi extends Construct {
  readonly stage: RestApiStage;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const { api, validator } = createRestApi(this, {
      name: props.name,
      description: "Query API: GET /requests/{requestId} through the VPC Link to the api service",
      validate: "parameters",
      hasCustomDomain: Boolean(props.customDomain),
    });
    const requests = new ApiGatewayResource(this, "requests", {
      restApiId: api.id,
      parentId: api.rootResourceId,
      pathPart: "requests",
    });
    const request = new ApiGatewayResource(this, "request", {
      restApiId: api.id,
      parentId: requests.id,
      pathPart: "{requestId}",
    });
    const health = new ApiGatewayResource(this, "health", {
      restApiId: api.id,
      parentId: api.rootResourceId,
      pathPart: "health",
    });

    const routes = [
      { id: "get-request", resource: request, path: "/requests/{requestId}", pathParameters: ["requestId"] },
      { id: "get-health", resource: health, path: HEALTH_CHECK_PATH, pathParameters: [] },
    ];
    for (const route of routes) {
      const method = new ApiGatewayMethod(this, route.id, {
        restApiId: api.id,
        resourceId: route.resource.id,
        httpMethod: "GET",
        authorization: "NONE",
        apiKeyRequired: props.apiKeyRequired ?? true,
        requestValidatorId: validator.id,
        requestParameters: Object.fromEntries(route.pathParameters.map((p) => [`method.request.path.${p}`, true])),
      });
      new ApiGatewayIntegration(this, `${route.id}-integration`, {
        restApiId: api.id,
        resourceId: route.resource.id,
        httpMethod: method.httpMethod,
        type: "HTTP_PROXY",
        integrationHttpMethod: "GET",
        uri: `https://${props.albDomain}${route.path}`,
        connectionType: "VPC_LINK",
        connectionId: props.vpcLink.id,
        timeoutMilliseconds: QUERY_INTEGRATION_TIMEOUT_MS,
        ...(props.skipAlbCertificateVerification ? { tlsConfig: { insecureSkipVerification: true } } : {}),
        requestParameters: Object.fromEntries(
          route.pathParameters.map((p) => [`integration.request.path.${p}`, `method.request.path.${p}`]),
        ),
        // A v2 link reaches whichever load balancer the integration names; a v1 link has one target, so none is set.
        ...(props.vpcLink.integrationTarget ? { integrationTarget: props.vpcLink.integrationTarget } : {}),
        // The ALB must admit the v2 link before an integration sends over it, or the first GETs after the switch fail.
        ...(props.vpcLink.ready.length ? { dependsOn: [...props.vpcLink.ready] } : {}),
      });
    }

    this.stage = new RestApiStage(this, "stage", {
      ...props,
      api,
      definition: apiDefinition(this),
      ...(props.vpcLink.integrationTarget ? { integrationTargets: [props.vpcLink.integrationTarget] } : {}),
    });
  }
}
