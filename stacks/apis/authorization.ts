import { Construct } from "constructs";
import { ApiGatewayAuthorizer } from "@cdktf/provider-aws/lib/api-gateway-authorizer";
import { ApiGatewayRestApiPolicy } from "@cdktf/provider-aws/lib/api-gateway-rest-api-policy";
import type { ApiGatewayMethodConfig } from "@cdktf/provider-aws/lib/api-gateway-method";
import type { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import type { Authorization, AuthorizationMode } from "../../config/authorization-fields.js";

/** A request method of an API: its HTTP method, resource path, and whether it writes or reads. */
export interface ApiRoute {
  readonly httpMethod: string;
  /** The resource path, e.g. `/requests/{requestId}`. */
  readonly path: string;
  readonly access: "write" | "read";
}

export interface ApiAuthorizationProps {
  readonly api: ApiGatewayRestApi;
  readonly mode: AuthorizationMode;
  readonly settings: Pick<Authorization, "iam_principals" | "cognito_user_pool_arns" | "cognito_scopes">;
  /** The methods that take the mode's credential. */
  readonly routes: readonly ApiRoute[];
  /** Methods anyone may call (GET /health): the resource policy must allow them to anonymous callers. */
  readonly openRoutes: readonly ApiRoute[];
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly stageName: string;
}

type MethodCredential = Pick<ApiGatewayMethodConfig, "authorization" | "authorizerId" | "authorizationScopes">;

/** A route's path in an execute-api ARN: each path parameter matches any one value. */
export const executeApiPath = (route: ApiRoute) => `${route.httpMethod}${route.path.replace(/\{[^/}]+\}/g, "*")}`;

/** An IAM policy document as the JSON string Terraform takes (ARN tokens render as `${...}` inside it). */
const policyJson = (statements: readonly Record<string, unknown>[]) =>
  JSON.stringify({ Version: "2012-10-17", Statement: statements });

/**
 * The credential an API's request methods require: `AWS_IAM` with a resource policy that admits only the configured
 * principals, a Cognito user-pool authorizer with a scope per method, or none (the API key alone). The authorizer
 * and the policy are API Gateway resources under the API's construct, so a change to either redeploys the stage.
 */
export class ApiAuthorization extends Construct {
  readonly mode: AuthorizationMode;
  /** The resource policy (`"iam"`). */
  readonly resourcePolicy?: ApiGatewayRestApiPolicy;
  /** The Cognito authorizer (`"cognito"`). */
  readonly authorizer?: ApiGatewayAuthorizer;
  /** `"iam"`: a policy granting exactly `execute-api:Invoke` on the routes, for a client's role to attach. */
  readonly invokePolicy?: string;
  private readonly scopes: Authorization["cognito_scopes"];

  constructor(scope: Construct, id: string, props: ApiAuthorizationProps) {
    super(scope, id);
    this.mode = props.mode;
    this.scopes = props.settings.cognito_scopes;
    if (props.mode === "iam") {
      this.resourcePolicy = new ApiGatewayRestApiPolicy(this, "resource-policy", {
        restApiId: props.api.id,
        policy: resourcePolicy(props),
      });
      this.invokePolicy = invokePolicy(props);
    }
    if (props.mode === "cognito") {
      this.authorizer = new ApiGatewayAuthorizer(this, "cognito", {
        name: "cognito-user-pools",
        restApiId: props.api.id,
        type: "COGNITO_USER_POOLS",
        providerArns: [...props.settings.cognito_user_pool_arns],
        identitySource: "method.request.header.Authorization",
      });
    }
  }

  /** What a method of `access` sets: `authorization`, and with Cognito the authorizer and the scope it requires. */
  credential(access: ApiRoute["access"]): MethodCredential {
    if (this.mode === "iam") return { authorization: "AWS_IAM" };
    if (this.authorizer) {
      return {
        authorization: "COGNITO_USER_POOLS",
        authorizerId: this.authorizer.id,
        authorizationScopes: [this.scopes[access]],
      };
    }
    return { authorization: "NONE" };
  }
}

/**
 * Allow the named principals (or the account, which then delegates to its identity policies), allow anyone on the
 * open routes, and Deny every principal not named on the others: for a same-account caller an Allow in its own
 * identity policy is enough when the resource policy is silent, so only an explicit Deny makes the list exclusive.
 */
function resourcePolicy(props: ApiAuthorizationProps): string {
  const named = props.settings.iam_principals;
  const root = `arn:${props.partition}:iam::${props.accountId}:root`;
  const invoke = { Action: "execute-api:Invoke" };
  const protectedResources = props.routes.map((route) => `execute-api:/*/${executeApiPath(route)}`);
  return policyJson([
    {
      Sid: "AllowNamedPrincipals",
      Effect: "Allow",
      Principal: { AWS: named ?? root },
      ...invoke,
      Resource: "execute-api:/*",
    },
    ...(props.openRoutes.length
      ? [
          {
            Sid: "AllowOpenRoutes",
            Effect: "Allow",
            Principal: "*",
            ...invoke,
            Resource: props.openRoutes.map((route) => `execute-api:/*/${executeApiPath(route)}`),
          },
        ]
      : []),
    {
      Sid: "DenyOthers",
      Effect: "Deny",
      Principal: "*",
      ...invoke,
      Resource: protectedResources,
      Condition: named
        ? { ArnNotLike: { "aws:PrincipalArn": named.map(principalPattern) } }
        : { StringNotEquals: { "aws:PrincipalAccount": props.accountId } },
    },
  ]);
}

/** `aws:PrincipalArn` is a role's or user's ARN, never `:root` alone: an account entry matches all of its ARNs. */
const principalPattern = (arn: string) => arn.replace(/:root$/, ":*");

function invokePolicy(props: ApiAuthorizationProps): string {
  const methodArn = (route: ApiRoute) =>
    `arn:${props.partition}:execute-api:${props.region}:${props.accountId}:${props.api.id}/${props.stageName}/${executeApiPath(route)}`;
  return policyJson([
    { Sid: "InvokeApi", Effect: "Allow", Action: "execute-api:Invoke", Resource: props.routes.map(methodArn) },
  ]);
}
