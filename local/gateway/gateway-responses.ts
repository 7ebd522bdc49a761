import type { GatewayResponseModel, RestApiModel } from "./model.js";
import { renderTemplate, type TemplateContext } from "./vtl.js";

/**
 * Errors the gateway raises itself (no route, bad key, invalid body...) rendered the way API Gateway does:
 * the API's own aws_api_gateway_gateway_response for the type if the synth defines one, else its DEFAULT_4XX /
 * DEFAULT_5XX, else AWS's built-in `{"message":$context.error.messageString}`. The status is the response's
 * `status_code` if set, else the type's default status.
 */
export type GatewayErrorType =
  | "MISSING_AUTHENTICATION_TOKEN"
  | "INVALID_API_KEY"
  | "BAD_REQUEST_BODY"
  | "BAD_REQUEST_PARAMETERS"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "REQUEST_TOO_LARGE"
  | "INTEGRATION_FAILURE"
  | "INTEGRATION_TIMEOUT"
  | "API_CONFIGURATION_ERROR"
  | "INVALID_SIGNATURE"
  | "EXPIRED_TOKEN"
  | "ACCESS_DENIED"
  | "UNAUTHORIZED"
  | "THROTTLED"
  | "QUOTA_EXCEEDED";

/**
 * Default status of each type (API Gateway developer guide, "Gateway response types for API Gateway") and the
 * message API Gateway sends with it. The SigV4 messages are AWS's own texts for its InvalidSignatureException and
 * expired-token errors; "Unauthorized", "Too Many Requests" and "Limit Exceeded" are API Gateway's bodies for
 * UNAUTHORIZED, THROTTLED and QUOTA_EXCEEDED.
 */
export const GATEWAY_ERRORS: Readonly<Record<GatewayErrorType, { status: number; message: string }>> = {
  MISSING_AUTHENTICATION_TOKEN: { status: 403, message: "Missing Authentication Token" },
  INVALID_API_KEY: { status: 403, message: "Forbidden" },
  BAD_REQUEST_BODY: { status: 400, message: "Invalid request body" },
  BAD_REQUEST_PARAMETERS: { status: 400, message: "Missing required request parameters" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: "Unsupported Media Type" },
  REQUEST_TOO_LARGE: { status: 413, message: "Request Too Long" },
  INTEGRATION_FAILURE: { status: 504, message: "Internal server error" },
  INTEGRATION_TIMEOUT: { status: 504, message: "Endpoint request timed out" },
  API_CONFIGURATION_ERROR: { status: 500, message: "Internal server error" },
  INVALID_SIGNATURE: {
    status: 403,
    message:
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
  },
  EXPIRED_TOKEN: { status: 403, message: "The security token included in the request is expired" },
  ACCESS_DENIED: { status: 403, message: "Forbidden" },
  UNAUTHORIZED: { status: 401, message: "Unauthorized" },
  THROTTLED: { status: 429, message: "Too Many Requests" },
  QUOTA_EXCEEDED: { status: 429, message: "Limit Exceeded" },
};

const BUILT_IN_TEMPLATE = '{"message":$context.error.messageString}';

export interface GatewayError {
  readonly type: GatewayErrorType;
  /** Overrides the type's default message (e.g. the names of missing parameters). */
  readonly message?: string;
  /** The validation messages, exposed unescaped as `$context.error.validationErrorString`. */
  readonly validationErrorString?: string;
}

export interface RenderedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export function renderGatewayError(api: RestApiModel, error: GatewayError, context: TemplateContext): RenderedResponse {
  const defaults = GATEWAY_ERRORS[error.type];
  const configured: GatewayResponseModel | undefined =
    api.gatewayResponses.get(error.type) ??
    api.gatewayResponses.get(defaults.status >= 500 ? "DEFAULT_5XX" : "DEFAULT_4XX");
  const [contentType, template] = pickTemplate(configured?.responseTemplates ?? {}) ?? [
    "application/json",
    BUILT_IN_TEMPLATE,
  ];
  const body = renderTemplate(template, { body: "" }, { ...context, error: errorContext(error) });
  const headers: Record<string, string> = { "content-type": contentType };
  for (const [target, source] of Object.entries(configured?.responseParameters ?? {})) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
    const literal = /^'(.*)'$/.exec(source)?.[1];
    if (name && literal !== undefined) headers[name.toLowerCase()] = literal;
  }
  return { status: Number(configured?.statusCode ?? defaults.status), headers, body };
}

/**
 * `$context.error.*` for a gateway error: what its response templates and the stage's access log read (API Gateway
 * fills `$context.error.message` in the access log of every request it answers itself).
 */
export function errorContext(error: GatewayError): NonNullable<TemplateContext["error"]> {
  const message = error.message ?? GATEWAY_ERRORS[error.type].message;
  return {
    responseType: error.type,
    message,
    messageString: JSON.stringify(message),
    // Substituted as is, like API Gateway (no escaping): its quotes (`allowed: ["object"]`) break a JSON template.
    validationErrorString: error.validationErrorString ?? "",
  };
}

/** application/json when there is a template for it, else the first one (API Gateway's fallback). */
export function pickTemplate(templates: Readonly<Record<string, string>>): [string, string] | undefined {
  const json = templates["application/json"];
  if (json !== undefined) return ["application/json", json];
  return Object.entries(templates)[0];
}
