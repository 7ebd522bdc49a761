import { Construct } from "constructs";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import type { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";

/**
 * Errors API Gateway raises itself (validation, missing key, throttling) in the same JSON shape as the services'
 * errors: `{"error": <code>, "message": <text>, "requestId": <id>}`. `messageString` is already a quoted JSON string.
 * `validationErrorString` is not used: gateway response templates get no VTL escaping, and its text contains quotes
 * (`allowed: ["object"]`), which would break the JSON. The body model accepts any object, so a fixed message
 * naming the request part says all there is to say.
 */
const RESPONSES: Readonly<Record<string, { status?: string; error: string; message: string }>> = {
  BAD_REQUEST_BODY: { status: "400", error: "invalid_body", message: '"The request body must be a JSON object."' },
  BAD_REQUEST_PARAMETERS: { status: "400", error: "invalid_parameters", message: "$context.error.messageString" },
  DEFAULT_4XX: { error: "client_error", message: "$context.error.messageString" },
  DEFAULT_5XX: { error: "server_error", message: "$context.error.messageString" },
};

export function jsonGatewayResponses(scope: Construct, api: ApiGatewayRestApi): ApiGatewayGatewayResponse[] {
  return Object.entries(RESPONSES).map(
    ([responseType, { status, error, message }]) =>
      new ApiGatewayGatewayResponse(scope, `response-${responseType.toLowerCase()}`, {
        restApiId: api.id,
        responseType,
        ...(status ? { statusCode: status } : {}),
        responseTemplates: {
          "application/json": `{"error":"${error}","message":${message},"requestId":"$context.requestId"}`,
        },
      }),
  );
}
