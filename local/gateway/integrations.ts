import type { IntegrationModel, IntegrationResponseModel } from "./model.js";
import { pickTemplate, type GatewayError, type RenderedResponse } from "./gateway-responses.js";
import { httpRequest, type HttpResponse } from "./http-client.js";
import { mapParameters, type MethodRequest } from "./request-parameters.js";
import { renderTemplate, type TemplateContext } from "./vtl.js";

/**
 * The two integration types the stack uses, executed as API Gateway executes them:
 * - AWS (SQS): the request template renders the form-encoded Query-API call, which is POSTed to the service's
 *   endpoint at the path the integration URI names; the integration response is chosen by matching its
 *   `selection_pattern` against the backend's HTTP status, and its template renders what the client gets.
 * - HTTP_PROXY: the request goes to the URI with `{param}`s substituted from `request_parameters`; status,
 *   headers and body come back unchanged.
 */

/** Where integrations are sent locally. */
export interface IntegrationTargets {
  /** Base URL that answers AWS service `service` in `region` (e.g. the SQS Query-protocol adapter); throws if none. */
  awsEndpoint(service: string, region: string): string;
  /** Origin (`http://127.0.0.1:port`) that VPC_LINK integrations reach: the service behind the load balancers. */
  readonly vpcLinkOrigin: string | undefined;
}

/** `awsEndpoint` for a local run that emulates SQS in the provider's region only: anything else fails, naming it. */
export function sqsOnly(sqsUrl: string, region: string): IntegrationTargets["awsEndpoint"] {
  return (service, serviceRegion) => {
    if (service !== "sqs") throw new Error(`local: AWS integrations with ${service} are not emulated (only sqs)`);
    if (serviceRegion !== region)
      throw new Error(
        `local: an integration calls SQS in ${serviceRegion}; only the provider's region ${region} is emulated`,
      );
    return sqsUrl;
  };
}

export type { MethodRequest } from "./request-parameters.js";

/** `integrationStatus`: the backend's HTTP status when it answered (for `$context.integration.status`). */
export type IntegrationResult =
  | { readonly response: RenderedResponse; readonly integrationStatus?: number }
  | { readonly error: GatewayError; readonly integrationStatus?: number };

export async function invokeIntegration(
  integration: IntegrationModel,
  request: MethodRequest,
  context: TemplateContext,
  targets: IntegrationTargets,
): Promise<IntegrationResult> {
  return integration.type === "AWS"
    ? invokeAws(integration, request, context, targets)
    : invokeHttpProxy(integration, request, targets, context);
}

async function invokeAws(
  integration: IntegrationModel,
  request: MethodRequest,
  context: TemplateContext,
  targets: IntegrationTargets,
): Promise<IntegrationResult> {
  const template = integration.requestTemplates[request.contentType];
  let body: string;
  if (template !== undefined) {
    body = renderTemplate(template, methodInput(request), context);
  } else if (
    integration.passthroughBehavior === "WHEN_NO_MATCH" ||
    (integration.passthroughBehavior === "WHEN_NO_TEMPLATES" && Object.keys(integration.requestTemplates).length === 0)
  ) {
    body = request.body;
  } else {
    // API Gateway says only "Unsupported Media Type"; locally the message names the content types the method takes.
    const accepted = Object.keys(integration.requestTemplates).join(", ");
    return {
      error: {
        type: "UNSUPPORTED_MEDIA_TYPE",
        message: `Unsupported Media Type: send content-type ${accepted || "application/json"} (got ${request.contentType})`,
      },
    };
  }

  const arn = /^arn:aws:apigateway:([a-z0-9-]+):([a-z0-9-]+):path\/(.+)$/.exec(integration.uri);
  if (!arn)
    throw new Error(
      `local: ${integration.where} has URI ${integration.uri}; only arn:aws:apigateway:<region>:<service>:path/... is emulated`,
    );
  const [, region, service, path] = arn as unknown as [string, string, string, string];
  const mapped = mapParameters(integration, request, context);
  const backend = await send(`${targets.awsEndpoint(service, region)}/${path}`, {
    method: integration.httpMethod,
    headers: mapped.headers,
    body,
    timeoutMs: integration.timeoutMs,
  });
  if ("error" in backend) return backend;

  const selected = selectResponse(integration.responses, String(backend.status));
  if (!selected) return { error: { type: "API_CONFIGURATION_ERROR" }, integrationStatus: backend.status };
  const picked = pickTemplate(selected.responseTemplates);
  const headers: Record<string, string> = { "content-type": picked?.[0] ?? "application/json" };
  for (const [target, source] of Object.entries(selected.responseParameters)) {
    const name = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
    if (!name) continue;
    const literal = /^'(.*)'$/.exec(source)?.[1];
    const fromHeader = /^integration\.response\.header\.(.+)$/.exec(source)?.[1];
    const value = literal ?? (fromHeader ? backend.headers[fromHeader.toLowerCase()] : undefined);
    if (value === undefined || value === null)
      throw new Error(`local: ${integration.where} maps ${target} from ${source}, which is not emulated`);
    headers[name.toLowerCase()] = value;
  }
  // Without a template, API Gateway passes the backend body through unchanged.
  const responseBody = picked ? renderTemplate(picked[1], { body: backend.body }, context) : backend.body;
  return {
    response: { status: Number(selected.statusCode), headers, body: responseBody },
    integrationStatus: backend.status,
  };
}

/** The integration response whose selection_pattern fully matches the status, else the default one (no pattern). */
export function selectResponse(
  responses: readonly IntegrationResponseModel[],
  status: string,
): IntegrationResponseModel | undefined {
  return (
    responses.find((r) => r.selectionPattern?.test(status)) ?? responses.find((r) => r.selectionPattern === undefined)
  );
}

/** Not forwarded either way; accept-encoding is dropped so bodies stay uncompressed text (API Gateway decodes them too). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "upgrade",
  "host",
  "content-length",
  "accept-encoding",
  "te",
  "trailer",
  "proxy-connection",
]);

async function invokeHttpProxy(
  integration: IntegrationModel,
  request: MethodRequest,
  targets: IntegrationTargets,
  context: TemplateContext,
): Promise<IntegrationResult> {
  const stage = context.stage;
  const mapped = mapParameters(integration, request, context);
  let url = new URL(
    integration.uri.replace(/\{([^}]+)\}/g, (placeholder, name: string) => {
      const value = mapped.path[name];
      if (value === undefined)
        throw new Error(
          `local: ${integration.where} has ${placeholder} in its URI but no integration.request.path.${name} mapping`,
        );
      return encodeURIComponent(value);
    }),
  );
  if (integration.connectionType === "VPC_LINK") {
    if (!targets.vpcLinkOrigin)
      throw new Error(`local: ${integration.where} goes through a VPC link, but no local service is behind it`);
    // A VPC Link v2 integration reaches the backend under the stage name (AWS's documented behaviour, kept here so
    // the local run proves the api serves that path); a v1 link sends the URI's path as it is.
    const prefix = integration.stagePrefixed && stage ? `/${stage}` : "";
    url = new URL(`${prefix}${url.pathname}${url.search}`, targets.vpcLinkOrigin);
  }
  for (const [name, value] of request.query) url.searchParams.append(name, value);
  for (const [name, value] of Object.entries(mapped.querystring)) url.searchParams.set(name, value);

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (!HOP_BY_HOP.has(name)) headers[name] = value;
  Object.assign(headers, mapped.headers);
  const hasBody = !["GET", "HEAD"].includes(integration.httpMethod) && request.body.length > 0;
  const backend = await send(url.toString(), {
    method: integration.httpMethod,
    headers,
    body: hasBody ? request.body : undefined,
    timeoutMs: integration.timeoutMs,
  });
  if ("error" in backend) return backend;
  const responseHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(backend.headers)) {
    if (!HOP_BY_HOP.has(name)) responseHeaders[name] = value;
  }
  return {
    response: { status: backend.status, headers: responseHeaders, body: backend.body },
    integrationStatus: backend.status,
  };
}

function methodInput(request: MethodRequest) {
  return {
    body: request.body,
    params: { path: request.pathParameters, querystring: Object.fromEntries(request.query), header: request.headers },
  };
}

type Sent = HttpResponse | { error: GatewayError };

async function send(
  url: string,
  init: { method: string; headers: Record<string, string>; body: string | undefined; timeoutMs: number },
): Promise<Sent> {
  try {
    return await httpRequest(url, init);
  } catch (error) {
    return {
      error: { type: (error as Error).name === "TimeoutError" ? "INTEGRATION_TIMEOUT" : "INTEGRATION_FAILURE" },
    };
  }
}
