import { Construct } from "constructs";
import type { TerraformStack } from "cdktf";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { ServiceRole } from "../shared/iam.js";

export interface ApiGatewayCloudwatchRoleProps {
  readonly name: string;
  /** The account's ARN prefix for this region's log groups (`arn:<partition>:logs:<region>:<account>:log-group`). */
  readonly logGroupArnPrefix: string;
}

/**
 * The Terraform addresses this construct gets in stack `main` (construct id `apigateway-account`), for the `removed`
 * blocks of `forgetApiGatewayAccount`. A synth test checks them against the real addresses, so they cannot drift.
 * The inline policy's address stays listed because a deployment may still hold it in state.
 */
export const API_GATEWAY_ACCOUNT_ADDRESSES = [
  "aws_api_gateway_account.apigateway-account_5E587E20",
  "aws_iam_role.apigateway-account_role_4928CA72",
  "aws_iam_role_policy.apigateway-account_role_policy_1C86485C",
];

/**
 * API Gateway writes execution and access logs with ONE role per account and region (`aws_api_gateway_account`),
 * shared by every REST API there. This sets it, when the config says this deployment manages it
 * (`manage_apigateway_account`, off by default): one deployment per account and region may, or they overwrite each
 * other. Since AWS provider 6.0, destroying the setting resets the region's role, which stops execution logging of
 * every REST API in the account and region (docs/DEPLOYING.md says how to hand it over without that).
 *
 * The role may write to any log group of this account and region, as AWS's managed policy
 * `AmazonAPIGatewayPushToCloudWatchLogs` does (with its seven actions), because other teams' APIs log through the same
 * role to group names this stack cannot know; unlike the managed policy, it is scoped to the one account and region
 * that the setting serves.
 */
export class ApiGatewayCloudwatchRole extends Construct {
  readonly account: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudwatchRoleProps) {
    super(scope, id);
    const role = new ServiceRole(this, "role", {
      name: props.name,
      servicePrincipal: "apigateway.amazonaws.com",
      statements: [
        {
          sid: "WriteAnyApiLogsOfThisAccountAndRegion",
          actions: [
            "logs:CreateLogGroup",
            "logs:CreateLogStream",
            "logs:DescribeLogGroups",
            "logs:DescribeLogStreams",
            "logs:PutLogEvents",
            "logs:GetLogEvents",
            "logs:FilterLogEvents",
          ],
          resources: [`${props.logGroupArnPrefix}:*`],
        },
      ],
    });
    // API Gateway checks the role's permissions when the setting is made: wait for the policy, not just the role.
    this.account = new ApiGatewayAccount(this, "account", { cloudwatchRoleArn: role.arn, dependsOn: [role.policy] });
  }
}

/**
 * When this deployment does not manage the setting: Terraform `removed` blocks (cdktf has no construct for them) that
 * forget, never destroy, the setting and its role if an earlier apply created them. So turning
 * `manage_apigateway_account` off leaves the account's logging as it is, for another stack to adopt
 * (`terraform import`); with nothing in state they do nothing.
 */
export function forgetApiGatewayAccount(stack: TerraformStack): void {
  stack.addOverride(
    "removed",
    API_GATEWAY_ACCOUNT_ADDRESSES.map((from) => ({ from, lifecycle: { destroy: false } })),
  );
}
