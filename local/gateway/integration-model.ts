import type { References } from "../references.js";
import type { TfObject } from "../../tfjson/index.js";
import type { IntegrationModel } from "./model.js";

/** API Gateway's default integration timeout when the synth does not set one. */
const DEFAULT_TIMEOUT_MS = 29_000;

/** The integration attributes the local gateway reads, once references are resolved. */
interface IntegrationBody {
  readonly type: string;
  readonly integration_http_method?: string;
  readonly uri: string;
  readonly connection_type?: string;
  readonly request_parameters?: Record<string, string>;
  readonly request_templates?: Record<string, string>;
  readonly passthrough_behavior?: string;
  readonly timeout_milliseconds?: number | string;
}

/** An aws_api_gateway_integration_response, resolved. */
export interface IntegrationResponseBody {
  readonly status_code: string | number;
  readonly selection_pattern?: string;
  readonly response_templates?: Record<string, string>;
  readonly response_parameters?: Record<string, string>;
}

/** Attributes left unresolved: IAM is not emulated and the links are followed by service, not by id. */
const NOT_RESOLVED = new Set(["credentials", "connection_id", "integration_target"]);

export function buildIntegration(
  refs: References,
  { name, body: raw, where }: { name: string; body: TfObject; where: string },
  responses: readonly IntegrationResponseBody[],
): IntegrationModel {
  // The IAM role (credentials), the VPC link id and a v2 link's integration target (the ALB) are not resolved: IAM
  // is not emulated, and either link (v1 -> NLB -> ALB, or v2 -> ALB) is followed by service, not by id: NO LOAD
  // BALANCER RUNS LOCALLY (see local/stack.ts). The path the service receives is the URI's, with the stage name in
  // front for a v2 link, as AWS documents.
  const rest = Object.fromEntries(Object.entries(raw).filter(([key]) => !NOT_RESOLVED.has(key)));
  const body = refs.resolve<unknown>(rest, where) as IntegrationBody;
  const type = body.type as IntegrationModel["type"];
  if (type !== "AWS" && type !== "HTTP_PROXY") {
    throw new Error(`local: ${where} is a ${type} integration; the local gateway implements AWS (SQS) and HTTP_PROXY`);
  }
  return {
    type,
    httpMethod: body.integration_http_method ?? "POST",
    uri: body.uri,
    connectionType: body.connection_type ?? "INTERNET",
    requestParameters: body.request_parameters ?? {},
    requestTemplates: body.request_templates ?? {},
    passthroughBehavior: body.passthrough_behavior ?? "WHEN_NO_MATCH",
    timeoutMs: Number(body.timeout_milliseconds ?? DEFAULT_TIMEOUT_MS),
    stagePrefixed: raw.integration_target !== undefined,
    responses: responses.map((r) => ({
      statusCode: String(r.status_code),
      selectionPattern: r.selection_pattern ? new RegExp(`^(?:${r.selection_pattern})$`) : undefined,
      responseTemplates: r.response_templates ?? {},
      responseParameters: r.response_parameters ?? {},
    })),
    where: `${where} [${name}]`,
  };
}
