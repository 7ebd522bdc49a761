import { describe, expect, test } from "vitest";
import {
  cognitoIssuer,
  methodAuthorization,
  resourcePolicy,
  stageThrottle,
  usagePlan,
} from "../../../local/gateway/access/access-model.js";
import { References } from "../../../local/references.js";
import type { TfJson, TfObject, TfResource } from "../../../tfjson/index.js";
import { ACCOUNT, CLIENT_ROLE } from "./support.js";

/**
 * Who may call an API, as the local gateway reads it from the synth: each method's authorization, the resource
 * policy, usage plans and the stage throttle; and what it refuses to start with, naming the resource at fault.
 */
const POOL_ARN = `arn:aws:cognito-idp:eu-west-1:${ACCOUNT}:userpool/eu-west-1_abc`;
const ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc";
const doc = {
  resource: { aws_cognito_user_pool: { pool: { name: "p" } }, aws_iam_role: { client: { name: "orders-client" } } },
} as unknown as TfJson;
const refs = () => new References(doc).set("aws_cognito_user_pool.pool.arn", POOL_ARN);
const resource = (type: string, name: string, body: TfObject): TfResource => ({
  type,
  name,
  address: `${type}.${name}`,
  path: name,
  body,
});

describe("local gateway access model: method authorization", () => {
  const authorizers = new Map<string, TfObject>([
    ["users", { type: "COGNITO_USER_POOLS", provider_arns: ["${aws_cognito_user_pool.pool.arn}"] }],
    ["lambda", { type: "TOKEN" }],
    ["typeless", {}],
    [
      "query",
      { type: "COGNITO_USER_POOLS", provider_arns: [POOL_ARN], identity_source: "method.request.querystring.t" },
    ],
    ["poolless", { type: "COGNITO_USER_POOLS", provider_arns: [] }],
    ["noarns", { type: "COGNITO_USER_POOLS", identity_source: "method.request.header.authorization" }],
  ]);
  const read = (body: Record<string, unknown>) => () => methodAuthorization(body, authorizers, refs(), "m.post");

  test("NONE (also when absent) and AWS_IAM", () => {
    expect(read({})()).toEqual({ type: "NONE" });
    expect(read({ authorization: "NONE" })()).toEqual({ type: "NONE" });
    expect(read({ authorization: "AWS_IAM" })()).toEqual({ type: "AWS_IAM" });
  });

  test("COGNITO_USER_POOLS: the authorizer's pools as issuers and the method's scopes", () => {
    expect(
      read({ authorization: "COGNITO_USER_POOLS", authorizer_id: "users", authorization_scopes: ["a/b"] })(),
    ).toEqual({
      type: "COGNITO_USER_POOLS",
      authorizer: "users",
      issuers: [ISSUER],
      scopes: ["a/b"],
    });
    expect(read({ authorization: "COGNITO_USER_POOLS", authorizer_id: "users" })()).toMatchObject({ scopes: [] });
  });

  test("anything else fails at start, naming the method or authorizer", () => {
    expect(read({ authorization: "CUSTOM" })).toThrow(
      "local: m.post uses authorization CUSTOM; only NONE, AWS_IAM and COGNITO_USER_POOLS are emulated",
    );
    const cognito = (authorizer_id?: string) => read({ authorization: "COGNITO_USER_POOLS", authorizer_id });
    const without = "local: m.post uses COGNITO_USER_POOLS without an authorizer this API defines";
    expect(cognito(undefined)).toThrow(without);
    expect(cognito("missing")).toThrow(without);
    expect(cognito("lambda")).toThrow(
      "local: aws_api_gateway_authorizer.lambda is a TOKEN authorizer; only COGNITO_USER_POOLS is emulated",
    );
    expect(cognito("typeless")).toThrow("local: aws_api_gateway_authorizer.typeless is a TOKEN authorizer");
    expect(cognito("query")).toThrow(
      "local: aws_api_gateway_authorizer.query reads the token from method.request.querystring.t;" +
        " only method.request.header.Authorization is emulated",
    );
    expect(cognito("poolless")).toThrow("local: aws_api_gateway_authorizer.poolless names no provider_arns");
    expect(cognito("noarns")).toThrow("local: aws_api_gateway_authorizer.noarns names no provider_arns");
  });

  test("a user pool ARN gives its issuer; any other ARN fails, naming it", () => {
    expect(cognitoIssuer(`arn:aws-cn:cognito-idp:cn-north-1:${ACCOUNT}:userpool/cn-north-1_x-Y`, "w")).toBe(
      "https://cognito-idp.cn-north-1.amazonaws.com/cn-north-1_x-Y",
    );
    for (const arn of [
      `${POOL_ARN}/x`,
      `x${POOL_ARN}`,
      POOL_ARN.replace("userpool", "identitypool"),
      "arn:aws:cognito-idp:eu-west-1:1:userpool/p",
    ])
      expect(() => cognitoIssuer(arn, "w")).toThrow(
        `local: w names provider ${arn}, which is not a Cognito user pool ARN`,
      );
  });
});

describe("local gateway access model: resource policy", () => {
  const policy = (name: string, text: string) => resource("aws_api_gateway_rest_api_policy", name, { policy: text });
  const allowRole = JSON.stringify({
    Statement: [{ Effect: "Allow", Principal: { AWS: "${aws_iam_role.client.name}" }, Action: "*", Resource: "*" }],
  });

  test("none, or one policy's statements with its references resolved", () => {
    expect(resourcePolicy([], refs(), "api")).toBeUndefined();
    expect(resourcePolicy([policy("p", allowRole)], refs(), "api")).toEqual([
      { Effect: "Allow", Principal: { AWS: "orders-client" }, Action: ["*"], Resource: ["*"] },
    ]);
  });

  test("two policies, a jsonencode() policy, unreadable JSON or an unsupported element fail at start", () => {
    expect(() => resourcePolicy([policy("a", allowRole), policy("b", allowRole)], refs(), "api")).toThrow(
      "local: API api has 2 aws_api_gateway_rest_api_policy",
    );
    expect(() => resourcePolicy([policy("p", "${ jsonencode({})}")], refs(), "api")).toThrow(
      "local: aws_api_gateway_rest_api_policy.p builds its policy with jsonencode(); the local gateway reads JSON text only",
    );
    expect(() => resourcePolicy([policy("p", "${jsonencode({})}")], refs(), "api")).toThrow(
      "local: aws_api_gateway_rest_api_policy.p builds its policy with jsonencode()",
    );
    // A jsonencode() inside JSON text is an expression like any other: the reference reader names it.
    expect(() => resourcePolicy([policy("p", '{"Statement": ${jsonencode([])}}')], refs(), "api")).toThrow(
      "local: aws_api_gateway_rest_api_policy.p: local: cannot resolve ${jsonencode([])}",
    );
    let parseError: Error | undefined;
    try {
      resourcePolicy([policy("p", "{not json")], refs(), "api");
    } catch (error) {
      parseError = error as Error;
    }
    expect(parseError?.message).toMatch(/^local: aws_api_gateway_rest_api_policy\.p: /);
    expect(parseError?.cause).toBeInstanceOf(SyntaxError);
    const notPrincipal = JSON.stringify({ Statement: [{ Effect: "Deny", NotPrincipal: CLIENT_ROLE, Principal: "*" }] });
    expect(() => resourcePolicy([policy("p", notPrincipal)], refs(), "api")).toThrow(
      "local: aws_api_gateway_rest_api_policy.p, statement 0 uses NotPrincipal, which is not emulated",
    );
  });
});

describe("local gateway access model: usage plans and the stage throttle", () => {
  test("a plan's throttle and quota, as blocks or objects; DAY when the period is absent", () => {
    expect(
      usagePlan(
        "plan",
        { throttle_settings: [{ rate_limit: 5, burst_limit: 10 }], quota_settings: [{ limit: 100, period: "WEEK" }] },
        refs(),
      ),
    ).toEqual({ resource: "plan", throttle: { rate: 5, burst: 10 }, quota: { limit: 100, period: "WEEK" } });
    expect(
      usagePlan("plan", { throttle_settings: { rate_limit: 1, burst_limit: 2 }, quota_settings: { limit: 3 } }, refs()),
    ).toEqual({
      resource: "plan",
      throttle: { rate: 1, burst: 2 },
      quota: { limit: 3, period: "DAY" },
    });
    expect(usagePlan("plan", {}, refs())).toEqual({ resource: "plan", throttle: undefined, quota: undefined });
  });

  test("-1 or an absent limit is unlimited; a quota offset fails at start", () => {
    const throttle = (rate_limit?: number, burst_limit?: number) =>
      usagePlan("p", { throttle_settings: [{ rate_limit, burst_limit }] }, refs()).throttle;
    expect([throttle(-1, 5), throttle(5, -1), throttle(undefined, 5), throttle(5), throttle(0, 0)]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      { rate: 0, burst: 0 },
    ]);
    expect(() => usagePlan("p", { quota_settings: [{ limit: 1, offset: 2 }] }, refs())).toThrow(
      "local: aws_api_gateway_usage_plan.p sets a quota offset; not emulated",
    );
  });

  test("the stage throttle comes from method settings for */*; one method's own settings fail", () => {
    const settings = (name: string, method_path: string, values: unknown) =>
      resource("aws_api_gateway_method_settings", name, { method_path, settings: values });
    expect(stageThrottle([], refs())).toBeUndefined();
    expect(
      stageThrottle([settings("all", "*/*", [{ throttling_rate_limit: 50, throttling_burst_limit: 100 }])], refs()),
    ).toEqual({ rate: 50, burst: 100 });
    expect(
      stageThrottle([settings("all", "*/*", { throttling_rate_limit: 1, throttling_burst_limit: 2 })], refs()),
    ).toEqual({
      rate: 1,
      burst: 2,
    });
    expect(stageThrottle([settings("all", "*/*", {})], refs())).toBeUndefined();
    expect(() => stageThrottle([settings("all", "*/*", {}), settings("one", "requests/POST", {})], refs())).toThrow(
      "local: aws_api_gateway_method_settings.one sets method requests/POST; only */* is emulated",
    );
  });
});
