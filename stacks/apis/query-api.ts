import { Construct } from "constructs";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import type { PrivateLink } from "../network/private-ingress.js";
import { HEALTH_CHECK_PATH, QUERY_INTEGRATION_TIMEOUT_MS } from "../shared/defaults.js";
import type { Authorization, AuthorizationMode } from "../../config/authorization-fields.js";
import { apiDefinition, createRestApi } from "./rest-api.js";
import { ApiAuthorization, type ApiRoute } from "./authorization.js";
import { OWNER_CONTEXT_VARIABLE, OWNER_HEADER } from "./owner.js";
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
  /** The credential GET /requests/{requestId} requires, and who owns a request. */
  readonly authorization: { readonly mode: AuthorizationMode; readonly settings: Authorization };
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
}

/** GET /requests/{requestId}: the method that takes the mode's credential. */
export const QUERY_ROUTE: ApiRoute = { httpMethod: "GET", path: "/requests/{requestId}", access: "read" };
/** GET /health: open in every mode (still keyed with `api_key_required`), so monitoring needs no credential. */
export const HEALTH_ROUTE: ApiRoute = { httpMethod: "GET", path: HEALTH_CHECK_PATH, access: "read" };

/**
 * REST API #2: `GET /requests/{requestId}` and `GET /health`, proxied over the VPC Link to the private ALB
 * in front of the api service.
 */
export class QueryApi extends Construct {
  readonly stage: RestApiStage;
  readonly access: ApiAuthorization;

  constructor(scope: Construct, id: string, props: QueryApiProps) {
    super(scope, id);
    const { api, validator } = createRestApi(this, {
      name: props.name,
      description: "Query API: GET /requests/{requestId} through the VPC Link to the api service",
      validate: "parameters",
      hasCustomDomain: Boolean(props.customDomain),
    });
    this.access = new ApiAuthorization(this, "authorization", {
      ...props,
      ...props.authorization,
      api,
      routes: [QUERY_ROUTE],
      openRoutes: [HEALTH_ROUTE],
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

    const ownerHeader = {
      [`integration.request.header.${OWNER_HEADER}`]: OWNER_CONTEXT_VARIABLE[props.authorization.mode],
    };
    const routes = [
      {
        id: "get-request",
        resource: request,
        route: QUERY_ROUTE,
        pathParameters: ["requestId"],
        credential: this.access.credential(QUERY_ROUTE.access),
        // The caller's verified identity, for the api to serve only the caller's own items.
        headers: ownerHeader,
      },
      {
        id: "get-health",
        resource: health,
        route: HEALTH_ROUTE,
        pathParameters: [],
        // Monitoring reaches it without a credential; the api answers it with its status only.
        credential: { authorization: "NONE" },
        headers: {},
      },
    ];
    for (const route of routes) {
      const method = new ApiGatewayMethod(this, route.id, {
        restApiId: api.id,
        resourceId: route.resource.id,
        httpMethod: route.route.httpMethod,
        ...route.credential,
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
        uri: `https://${props.albDomain}${route.route.path}`,
        connectionType: "VPC_LINK",
        connectionId: props.vpcLink.id,
        timeoutMilliseconds: QUERY_INTEGRATION_TIMEOUT_MS,
        ...(props.skipAlbCertificateVerification ? { tlsConfig: { insecureSkipVerification: true } } : {}),
        requestParameters: {
          ...Object.fromEntries(
            route.pathParameters.map((p) => [`integration.request.path.${p}`, `method.request.path.${p}`]),
          ),
          ...route.headers,
        },
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
