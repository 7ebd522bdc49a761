import type { TfJson } from "../../tfjson/index.js";

/**
 * The synthesized JSON in the shape the access contract describes for the `iam` and `cognito` modes, made from
 * today's synth by editing its JSON: the local gateway's tests run on it until the stack writes it itself (then
 * the e2e tests in e2e-access.test.ts take over on the real synth). GET /health keeps `authorization: "NONE"`.
 */
export const CLIENT_ROLE = "arn:aws:iam::000000000000:role/orders-client";
export const POOL_ARN = "arn:aws:cognito-idp:eu-west-1:000000000000:userpool/eu-west-1_LocalPool";
export const SCOPES = { write: "requests/write", read: "requests/read" } as const;

type Body = Record<string, unknown>;
const block = (doc: TfJson, type: string) => (doc.resource as Record<string, Record<string, Body>>)[type]!;

function requestMethods(doc: TfJson): [string, Body][] {
  return Object.entries(block(doc, "aws_api_gateway_method")).filter(([name]) => !name.includes("health"));
}

/** The query integration's owner header, from the mode's `context.*` source. */
function ownerHeader(doc: TfJson, source: string): void {
  for (const [name, body] of Object.entries(block(doc, "aws_api_gateway_integration")))
    if (name.includes("get-request"))
      body.request_parameters = {
        ...(body.request_parameters as Body),
        "integration.request.header.x-request-owner": source,
      };
}

/** AWS_IAM on POST and GET /requests/{id}, and per API the policy: Allow all, Deny principals not named. */
export function iamMode(doc: TfJson, named: readonly string[] = [CLIENT_ROLE]): TfJson {
  for (const [, body] of requestMethods(doc)) body.authorization = "AWS_IAM";
  const policies: Record<string, Body> = {};
  for (const api of Object.keys(block(doc, "aws_api_gateway_rest_api"))) {
    const resource = `\${aws_api_gateway_rest_api.${api}.execution_arn}/*`;
    const deny =
      named.length > 0
        ? { ArnNotLike: { "aws:PrincipalArn": named } }
        : { StringNotEquals: { "aws:PrincipalAccount": "${data.aws_caller_identity.caller.account_id}" } };
    policies[`${api}-policy`] = {
      rest_api_id: `\${aws_api_gateway_rest_api.${api}.id}`,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: "*", Action: "execute-api:Invoke", Resource: resource },
          { Effect: "Deny", Principal: "*", Action: "execute-api:Invoke", Resource: resource, Condition: deny },
        ],
      }),
    };
  }
  (doc.resource as Record<string, unknown>).aws_api_gateway_rest_api_policy = policies;
  ownerHeader(doc, "context.identity.user");
  return doc;
}

/** COGNITO_USER_POOLS on POST (write scope) and GET /requests/{id} (read scope), one authorizer per API. */
export function cognitoMode(doc: TfJson): TfJson {
  const authorizers: Record<string, Body> = {};
  for (const [name, body] of requestMethods(doc)) {
    const api = /^\$\{aws_api_gateway_rest_api\.([^.]+)\.id\}$/.exec(String(body.rest_api_id))![1]!;
    authorizers[`${api}-cognito`] = {
      name: "cognito",
      rest_api_id: body.rest_api_id,
      type: "COGNITO_USER_POOLS",
      provider_arns: [POOL_ARN],
      identity_source: "method.request.header.Authorization",
    };
    body.authorization = "COGNITO_USER_POOLS";
    body.authorizer_id = `\${aws_api_gateway_authorizer.${api}-cognito.id}`;
    body.authorization_scopes = [name.includes("post") ? SCOPES.write : SCOPES.read];
  }
  (doc.resource as Record<string, unknown>).aws_api_gateway_authorizer = authorizers;
  ownerHeader(doc, "context.authorizer.claims.sub");
  return doc;
}

/** One client's usage plan throttle set to `rate`/`burst` (plans are named `<project>-<env>-<client>`). */
export function clientThrottle(doc: TfJson, client: string, rate: number, burst: number): TfJson {
  for (const body of Object.values(block(doc, "aws_api_gateway_usage_plan")))
    if (String(body.name).endsWith(`-${client}`)) body.throttle_settings = { rate_limit: rate, burst_limit: burst };
  return doc;
}
