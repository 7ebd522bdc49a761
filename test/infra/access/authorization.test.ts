import { describe, expect, test } from "vitest";
import { exampleConfigInput, refTo, resourceAt, synthApp, type TfJson } from "../../support/synth.js";
import { resources } from "../../support/tfjson.js";
import { renderTemplate } from "../../../local/gateway/vtl.js";
import { sendMessageTemplate } from "../../../stacks/apis/send-message-template.js";

/** The example's `authorization` with `changes` on top. */
const AUTH = (exampleConfigInput() as { authorization: Record<string, unknown> }).authorization;
const withAuth = (changes: Record<string, unknown>) => ({ authorization: { ...AUTH, ...changes } });
const POOL = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123";
const ROLE = "arn:aws:iam::123456789012:role/orders-web";

const method = (main: TfJson, path: string) => resourceAt(main, "aws_api_gateway_method", path);
const policyOf = (main: TfJson, api: "ingest" | "query") =>
  JSON.parse(resourceAt(main, "aws_api_gateway_rest_api_policy", `${api}-api/authorization/resource-policy`).policy);

describe("authorization: synth per mode", () => {
  test("iam: signed methods, GET /health open, a resource policy that denies other accounts", () => {
    const { main } = synthApp();
    expect(method(main, "ingest-api/post-requests").authorization).toBe("AWS_IAM");
    expect(method(main, "query-api/get-request").authorization).toBe("AWS_IAM");
    expect(method(main, "query-api/get-health")).toMatchObject({ authorization: "NONE", api_key_required: true });
    const account = "${data.aws_caller_identity.caller.account_id}";
    const query = policyOf(main, "query");
    expect(query.Statement).toEqual([
      {
        Sid: "AllowNamedPrincipals",
        Effect: "Allow",
        Principal: { AWS: `arn:\${data.aws_partition.partition.partition}:iam::${account}:root` },
        Action: "execute-api:Invoke",
        Resource: "execute-api:/*",
      },
      {
        Sid: "AllowOpenRoutes",
        Effect: "Allow",
        Principal: "*",
        Action: "execute-api:Invoke",
        Resource: ["execute-api:/*/GET/health"],
      },
      {
        Sid: "DenyOthers",
        Effect: "Deny",
        Principal: "*",
        Action: "execute-api:Invoke",
        Resource: ["execute-api:/*/GET/requests/*"],
        Condition: { StringNotEquals: { "aws:PrincipalAccount": account } },
      },
    ]);
    expect(policyOf(main, "ingest").Statement.map((s: { Sid: string }) => s.Sid)).toEqual([
      "AllowNamedPrincipals",
      "DenyOthers",
    ]);
  });

  test("iam: named principals only, an account entry matching each of its principals' ARNs", () => {
    const { main } = synthApp(withAuth({ iam_principals: [ROLE, "arn:aws:iam::210987654321:root"] }));
    const [allow, deny] = policyOf(main, "ingest").Statement;
    expect(allow.Principal).toEqual({ AWS: [ROLE, "arn:aws:iam::210987654321:root"] });
    expect(deny.Condition).toEqual({ ArnNotLike: { "aws:PrincipalArn": [ROLE, "arn:aws:iam::210987654321:*"] } });
  });

  test("iam: each API outputs the policy a client role attaches, exactly Invoke on its signed methods", () => {
    const { main } = synthApp();
    const policy = JSON.parse(main.output!.query_api_invoke_policy!.value as string);
    const api = refTo(main, "aws_api_gateway_rest_api", "query-api/api", "id");
    expect(policy.Statement).toEqual([
      {
        Sid: "InvokeApi",
        Effect: "Allow",
        Action: "execute-api:Invoke",
        Resource: [
          `arn:\${data.aws_partition.partition.partition}:execute-api:eu-west-1:\${data.aws_caller_identity.caller.account_id}:${api}/v1/GET/requests/*`,
        ],
      },
    ]);
    expect(JSON.parse(main.output!.ingest_api_invoke_policy!.value as string).Statement[0].Resource[0]).toMatch(
      /\/v1\/POST\/requests$/,
    );
  });

  test("cognito: an authorizer on the pools, a scope per method, no resource policy or invoke policy", () => {
    const scopes = { write: "orders/write", read: "orders/read" };
    const { main } = synthApp(
      withAuth({ ingest: "cognito", query: "cognito", cognito_user_pool_arns: [POOL], cognito_scopes: scopes }),
    );
    const authorizer = refTo(main, "aws_api_gateway_authorizer", "ingest-api/authorization/cognito", "id");
    expect(resourceAt(main, "aws_api_gateway_authorizer", "ingest-api/authorization/cognito")).toMatchObject({
      type: "COGNITO_USER_POOLS",
      provider_arns: [POOL],
      identity_source: "method.request.header.Authorization",
    });
    expect(method(main, "ingest-api/post-requests")).toMatchObject({
      authorization: "COGNITO_USER_POOLS",
      authorizer_id: authorizer,
      authorization_scopes: ["orders/write"],
    });
    expect(method(main, "query-api/get-request").authorization_scopes).toEqual(["orders/read"]);
    expect(method(main, "query-api/get-health").authorization).toBe("NONE");
    expect(resources(main, "aws_api_gateway_rest_api_policy")).toEqual([]);
    expect(Object.keys(main.output!).filter((name) => name.includes("invoke"))).toEqual([]);
  });

  test("api_key: methods take the key alone, as before", () => {
    const { main } = synthApp(withAuth({ ingest: "api_key", query: "api_key" }));
    expect(method(main, "ingest-api/post-requests")).toMatchObject({ authorization: "NONE", api_key_required: true });
    expect(method(main, "query-api/get-request").authorization).toBe("NONE");
    expect(resources(main, "aws_api_gateway_authorizer")).toEqual([]);
  });

  test("a change to the resource policy or the authorizer redeploys the stage", () => {
    const trigger = (changes: Record<string, unknown>, api: "ingest" | "query") =>
      resourceAt(synthApp(changes).main, "aws_api_gateway_deployment", `${api}-api/stage/deployment`).triggers
        .redeployment;
    expect(trigger(withAuth({ iam_principals: [ROLE] }), "ingest")).not.toBe(trigger({}, "ingest"));
    const cognito = (pool: string) => withAuth({ ingest: "cognito", query: "cognito", cognito_user_pool_arns: [pool] });
    expect(trigger(cognito(POOL), "query")).not.toBe(trigger(cognito(POOL.replace("AbCdEf123", "Other1")), "query"));
  });
});

test("waf: the credentials of every mode are redacted from the web ACL's logs", () => {
  const { main } = synthApp({ waf_web_acl: {} });
  const logging = resources(main, "aws_wafv2_web_acl_logging_configuration")[0]!.body;
  expect(logging.redacted_fields.map((f: { single_header: { name: string } }) => f.single_header.name)).toEqual([
    "x-api-key",
    "authorization",
    "x-amz-security-token",
  ]);
});

describe("authorization: the owner of a request", () => {
  const integration = (main: TfJson) =>
    resourceAt(main, "aws_api_gateway_integration", "query-api/get-request-integration").request_parameters;

  test("query: the api gets the caller's identity from the request context, in each mode", () => {
    expect(integration(synthApp().main)["integration.request.header.x-request-owner"]).toBe("context.identity.user");
    const keyed = synthApp(withAuth({ ingest: "api_key", query: "api_key" })).main;
    expect(integration(keyed)["integration.request.header.x-request-owner"]).toBe("context.identity.apiKeyId");
    const cognito = synthApp(withAuth({ ingest: "cognito", query: "cognito", cognito_user_pool_arns: [POOL] })).main;
    expect(integration(cognito)["integration.request.header.x-request-owner"]).toBe("context.authorizer.claims.sub");
    const health = resourceAt(cognito, "aws_api_gateway_integration", "query-api/get-health-integration");
    expect(health.request_parameters).toEqual({});
  });

  test.each(["iam", "cognito", "api_key"] as const)(
    "ingest: the %s template holds nothing Terraform would interpolate (`${`, `%{`)",
    (mode) => expect(sendMessageTemplate(mode)).not.toMatch(/[$%]\{/),
  );

  test("ingest: the template the stack synthesizes is the mode's", () => {
    const { main } = synthApp(withAuth({ ingest: "api_key", query: "api_key" }));
    const template = resourceAt(main, "aws_api_gateway_integration", "ingest-api/send-message").request_templates;
    expect(template["application/json"]).toBe(sendMessageTemplate("api_key"));
  });

  const render = (mode: "iam" | "cognito" | "api_key", identity: Record<string, unknown>) =>
    Object.fromEntries(
      new URLSearchParams(
        renderTemplate(sendMessageTemplate(mode), { body: '{"a":1}' }, { requestId: "r", ...identity }),
      ),
    );

  test("ingest: a role's owner is its unique id without the session, as attribute and message group", () => {
    expect(render("iam", { identity: { user: "AROAEXAMPLE:session-1" } })).toEqual({
      Action: "SendMessage",
      MessageBody: '{"a":1}',
      MessageGroupId: "AROAEXAMPLE",
      "MessageAttribute.1.Name": "owner",
      "MessageAttribute.1.Value.DataType": "String",
      "MessageAttribute.1.Value.StringValue": "AROAEXAMPLE",
    });
    expect(render("iam", { identity: { user: "AIDAUSER" } }).MessageGroupId).toBe("AIDAUSER");
  });

  test("ingest: the key's id in api_key mode, the token's sub with Cognito, nothing without an identity", () => {
    expect(render("api_key", { identity: { apiKeyId: "k1" } })["MessageAttribute.1.Value.StringValue"]).toBe("k1");
    expect(render("cognito", { authorizer: { claims: { sub: "client-1" } } }).MessageGroupId).toBe("client-1");
    expect(render("iam", {})).toEqual({ Action: "SendMessage", MessageBody: '{"a":1}' });
  });
});
