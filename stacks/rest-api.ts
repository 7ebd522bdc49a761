import { Construct, Node } from "constructs";
import { TerraformResource } from "cdktf";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayRequestValidator } from "@cdktf/provider-aws/lib/api-gateway-request-validator";
import { jsonGatewayResponses } from "./gateway-responses.js";

/** What both REST APIs start from: a regional API, JSON gateway errors and a request validator. */
export function createRestApi(
  scope: Construct,
  props: { name: string; description: string; validate: "body" | "parameters" },
) {
  const api = new ApiGatewayRestApi(scope, "api", {
    name: props.name,
    description: props.description,
    endpointConfiguration: { types: ["REGIONAL"] },
    apiKeySource: "HEADER",
  });
  const validator = new ApiGatewayRequestValidator(scope, "validator", {
    restApiId: api.id,
    name: props.validate === "body" ? "validate-body" : "validate-parameters",
    validateRequestBody: props.validate === "body",
    validateRequestParameters: props.validate === "parameters",
  });
  jsonGatewayResponses(scope, api);
  return { api, validator };
}

/**
 * The API Gateway resources created so far under `scope` (methods, integrations, models, responses...): what a
 * deployment snapshots. Call it before adding the stage, which must not hash itself. IAM roles are left out: a
 * permission change takes effect without a new deployment.
 */
export function apiDefinition(scope: Construct): TerraformResource[] {
  return Node.of(scope)
    .findAll()
    .filter(
      (c): c is TerraformResource =>
        c instanceof TerraformResource && c.terraformResourceType.startsWith("aws_api_gateway_"),
    );
}
