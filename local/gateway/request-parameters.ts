import type { IntegrationModel } from "./model.js";
import type { TemplateContext } from "./vtl.js";

/** The client's request as the method received it. */
export interface MethodRequest {
  readonly httpMethod: string;
  readonly body: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly contentType: string;
}

/**
 * `request_parameters`: `integration.request.<location>.<name>` from a `'literal'`, a `method.request.*` value or a
 * `context.*` variable; a value that is absent or empty sends no parameter.
 */
export function mapParameters(integration: IntegrationModel, request: MethodRequest, context: TemplateContext) {
  const mapped = {
    path: {} as Record<string, string>,
    querystring: {} as Record<string, string>,
    headers: {} as Record<string, string>,
  };
  for (const [target, source] of Object.entries(integration.requestParameters)) {
    const to = /^integration\.request\.(path|querystring|header)\.(.+)$/.exec(target);
    if (!to) throw new Error(`local: ${integration.where} maps to ${target}, which is not emulated`);
    const value = parameterValue(source, request, context);
    if (value === undefined || value === "") continue;
    const [, location, name] = to as unknown as [string, "path" | "querystring" | "header", string];
    if (location === "header") mapped.headers[name.toLowerCase()] = value;
    else mapped[location][name] = value;
  }
  return mapped;
}

/** The `context.*` variables a request parameter may name that the local gateway fills. */
const CONTEXT_SOURCES =
  /^context\.(requestId|extendedRequestId|stage|apiId|httpMethod|resourcePath|path|protocol|requestTimeEpoch|identity\.(sourceIp|apiKey|apiKeyId|user|userArn|accountId|caller)|authorizer\.claims\.[\w:.-]+)$/;

export function parameterValue(source: string, request: MethodRequest, context: TemplateContext): string | undefined {
  const literal = /^'(.*)'$/.exec(source);
  if (literal) return literal[1];
  if (source.startsWith("context.")) {
    if (!CONTEXT_SOURCES.test(source)) throw new Error(`local: request parameter source ${source} is not emulated`);
    const [, group, ...rest] = source.split(".");
    // Claim names may hold dots (`cognito:groups` does not, but custom claims can): the rest is one name.
    const value =
      group === "authorizer"
        ? context.authorizer?.claims?.[rest.slice(1).join(".")]
        : rest.length > 0
          ? (context[group as "identity"] as Record<string, unknown> | undefined)?.[rest[0]!]
          : context[group as keyof TemplateContext];
    // Every variable CONTEXT_SOURCES admits is a string or a number.
    return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
  }
  const from = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(source);
  if (!from) throw new Error(`local: request parameter source ${source} is not emulated`);
  const [, location, name] = from as unknown as [string, string, string];
  if (location === "path") return request.pathParameters[name];
  if (location === "querystring") return request.query.get(name) ?? undefined;
  return request.headers[name.toLowerCase()];
}
