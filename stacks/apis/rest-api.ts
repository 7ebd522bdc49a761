import { Construct, Node } from "constructs";
import { TerraformResource } from "cdktf";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayRequestValidator } from "@cdktf/provider-aws/lib/api-gateway-request-validator";
import { jsonGatewayResponses } from "./gateway-responses.js";

/**
 * What both REST APIs start from: a regional API, JSON gateway errors and a request validator. With a custom domain
 * the default `execute-api` endpoint is turned off, so the API has one public entry point: the one its certificate,
 * custom-domain TLS policy and monitoring cover.
 */
export function createRestApi(
  scope: Construct,
  props: { name: string; description: string; validate: "body" | "parameters"; hasCustomDomain: boolean },
) {
  const api = new ApiGatewayRestApi(scope, "api", {
    name: props.name,
    description: props.description,
    endpointConfiguration: { types: ["REGIONAL"] },
    apiKeySource: "HEADER",
    disableExecuteApiEndpoint: props.hasCustomDomain,
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
