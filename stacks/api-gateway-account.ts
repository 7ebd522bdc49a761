import { Construct } from "constructs";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { ServiceRole } from "./iam.js";

export interface ApiGatewayCloudwatchRoleProps {
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * API Gateway writes execution and access logs with ONE role per account and region (`aws_api_gateway_account`).
 * This sets it to a role limited to API Gateway's log groups. If another stack already manages that setting,
 * set `manage_apigateway_account` to false (docs/CONFIGURATION.md) so the two do not overwrite each other.
 */
export class ApiGatewayCloudwatchRole extends Construct {
  readonly account: ApiGatewayAccount;

  constructor(scope: Construct, id: string, props: ApiGatewayCloudwatchRoleProps) {
    super(scope, id);
    const logGroups = `arn:aws:logs:${props.region}:${props.accountId}:log-group`;
    const role = new ServiceRole(this, "role", {
      name: props.name,
      servicePrincipal: "apigateway.amazonaws.com",
      statements: [
        {
          sid: "WriteApiGatewayLogs",
          actions: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
          resources: [`${logGroups}:API-Gateway-Execution-Logs_*`, `${logGroups}:/aws/apigateway/*`],
        },
        // DescribeLogGroups is a list call: it takes the account's log-group ARN space, not one group.
        { sid: "ListLogGroups", actions: ["logs:DescribeLogGroups"], resources: [`${logGroups}:*`] },
      ],
    });
    // API Gateway checks the role's permissions when the setting is made: wait for the policy, not just the role.
    this.account = new ApiGatewayAccount(this, "account", { cloudwatchRoleArn: role.arn, dependsOn: [role.policy] });
  }
}
