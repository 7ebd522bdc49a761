import { describe, expect, test } from "vitest";
import { API_GATEWAY_ACCOUNT_ADDRESSES } from "../../stacks/apis/api-gateway-account.js";
import { addressOf, ECR_COLLECTOR_TRACING, refTo, resourceAt, synthApp } from "../support/synth.js";

describe("account-wide API Gateway logging role", () => {
  test("account setting: not managed by default, and removed blocks forget (never destroy) one an earlier apply made", () => {
    const { main } = synthApp();
    expect(main.resource!.aws_api_gateway_account).toBeUndefined();
    expect((main as Record<string, unknown>).removed).toEqual(
      API_GATEWAY_ACCOUNT_ADDRESSES.map((from) => ({ from, lifecycle: { destroy: false } })),
    );
  });

  test("account setting: when managed, its Terraform addresses are the ones the removed blocks name", () => {
    const { main } = synthApp({ manage_apigateway_account: true });
    expect((main as Record<string, unknown>).removed).toBeUndefined();
    expect([
      addressOf(main, "aws_api_gateway_account", "apigateway-account/account"),
      addressOf(main, "aws_iam_role", "apigateway-account/role/role"),
      addressOf(main, "aws_iam_role_policy", "apigateway-account/role/policy"),
    ]).toEqual(API_GATEWAY_ACCOUNT_ADDRESSES);
  });

  test("account setting: the shared role may write to any log group of this account and region (other APIs use it too)", () => {
    const { main } = synthApp({ manage_apigateway_account: true });
    const policy = JSON.parse(resourceAt(main, "aws_iam_role_policy", "apigateway-account/role/policy").policy);
    const account = refTo(main, "aws_caller_identity", "caller", "account_id", "data");
    const partition = refTo(main, "aws_partition", "partition", "partition", "data");
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: "Allow",
        Action: expect.arrayContaining(["logs:CreateLogGroup", "logs:PutLogEvents", "logs:FilterLogEvents"]),
        Resource: `arn:${partition}:logs:eu-west-1:${account}:log-group:*`,
      }),
    ]);
  });
});

describe("partition", () => {
  test.each([
    {},
    {
      manage_apigateway_account: true,
      vpc_endpoints: { mode: "existing", security_group_ids: ["sg-0123456789abcdef0"] },
      tracing: ECR_COLLECTOR_TRACING,
    },
  ])("partition: no ARN or AWS service name in the main stack assumes the commercial partition (%j)", (changes) => {
    const text = JSON.stringify(synthApp(changes).main);
    expect(text).not.toMatch(/arn:aws:/);
    expect(text).not.toMatch(/"com\.amazonaws\./);
    expect(text).toContain("data.aws_partition.partition.partition");
  });
});
