import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { MethodModel, RestApiModel } from "./model.js";
import { errorContext, renderGatewayError, type GatewayError, type RenderedResponse } from "./gateway-responses.js";
import { invokeIntegration, type IntegrationTargets, type MethodRequest } from "./integrations.js";
import { decode, Router } from "./router.js";
import { missingParameters, validationErrorString } from "./validator.js";
import { authorize, type AccessControl } from "./access/access.js";
import { UsageMeter } from "./access/throttle.js";
import { gatewayTrace } from "../tracing/xray-header.js";
import { renderTemplate, type TemplateContext } from "./vtl.js";

/**
 * One REST API served on a port (loopback unless `host` says otherwise) at `/<stage>/...`, like its execute-api URL. Per request, in API
 * Gateway's order: route -> authorization (SigV4 or Cognito, resource policy) -> API key -> usage plan and stage
 * limits -> parameter validation -> body validation -> integration -> response.
 */
export interface LocalGateway {
  readonly api: RestApiModel;
  /** `http://127.0.0.1:<port>/<stage>`: the local invoke URL. */
  readonly url: string;
  close(): Promise<void>;
}

export interface GatewayOptions {
  readonly targets: IntegrationTargets;
  /** @default a free port */
  readonly port?: number;
  /** IPv4 address to bind. @default 127.0.0.1 (loopback only) */
  readonly host?: string;
  /**
   * Called once per request with the access-log line: the stage's synthesized `access_log_settings.format` rendered
   * for the request (or a small JSON line when the stage has none). @default none
   */
  readonly accessLog?: (line: string) => void;
  /** Local IAM principals, Cognito and the usage meter. @default no principals, no Cognito, a meter of its own */
  readonly access?: AccessControl;
  /** Called when the gateway itself fails (a template or mapping it cannot run). @default console.error */
  readonly onError?: (error: unknown) => void;
}

function apiKeyProblem(given: string | undefined): string {
  return given === undefined
    ? "Forbidden: missing the x-api-key header (npm run local prints the key)"
    : "Forbidden: the x-api-key header does not hold this API's key (npm run local prints it)";
}

/** Where a client on this machine reaches a server bound to `host` (every interface: loopback). */
export const connectHost = (host: string) => (host === "0.0.0.0" ? "127.0.0.1" : host);

/** API Gateway's payload limit. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export async function startGateway(api: RestApiModel, options: GatewayOptions): Promise<LocalGateway> {
  const router = new Router<MethodModel>();
  for (const method of api.methods) router.add(method.resourcePath, method.httpMethod, method);
  const access: AccessControl = options.access ?? { principals: [], meter: new UsageMeter() };
  const onError = options.onError ?? ((error: unknown) => console.error(error));

  async function handle(req: IncomingMessage): Promise<RenderedResponse & { context: TemplateContext }> {
    const started = Date.now();
    const url = new URL(req.url ?? "/", "http://localhost");
    const headers = lowerCaseHeaders(req);
    const trace = gatewayTrace(headers["x-amzn-trace-id"]);
    headers["x-amzn-trace-id"] = trace.header;
    const requestId = randomUUID();
    const base: TemplateContext = {
      requestId,
      xrayTraceId: trace.traceId,
      extendedRequestId: requestId,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: req.method ?? "GET",
      path: url.pathname,
      stage: api.stageName,
      apiId: api.id,
      requestTimeEpoch: started,
      identity: {
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        apiKey: headers["x-api-key"] ?? "",
        apiKeyId: api.apiKeys.find((k) => k.value === headers["x-api-key"])?.resource ?? "",
      },
    };
    const fail = (error: GatewayError, context: TemplateContext = base) => ({
      ...renderGatewayError(api, error, context),
      context: { ...context, error: errorContext(error) },
    });

    const stagePrefix = `/${api.stageName}`;
    if (url.pathname !== stagePrefix && !url.pathname.startsWith(`${stagePrefix}/`)) {
      // An unknown stage is answered by API Gateway's edge, before the API's own gateway responses.
      return {
        status: 403,
        headers: { "content-type": "application/json" },
        body: '{"message":"Forbidden"}',
        context: base,
      };
    }
    const body = await readBody(req);
    if (body === undefined) return fail({ type: "REQUEST_TOO_LARGE" });

    const match = router.match(base.httpMethod!, url.pathname.slice(stagePrefix.length) || "/");
    if (!match) return fail({ type: "MISSING_AUTHENTICATION_TOKEN" });
    const method = match.method;
    const signed = { method: base.httpMethod!, path: decode(url.pathname), query: url.searchParams, headers, body };
    const caller = await authorize(api, method, signed, access);
    if ("error" in caller) return fail(caller.error, { ...base, resourcePath: method.resourcePath });
    const context: TemplateContext = {
      ...base,
      resourcePath: method.resourcePath,
      identity: { ...base.identity, ...caller.identity },
      authorizer: caller.authorizer,
    };

    // API Gateway says only "Forbidden"; locally the message names the header, as a newcomer needs.
    const key = api.apiKeys.find((k) => k.value === headers["x-api-key"]);
    if (method.apiKeyRequired && !key)
      return fail({ type: "INVALID_API_KEY", message: apiKeyProblem(headers["x-api-key"]) }, context);
    const limited = access.meter.admit(
      `${api.id} ${method.httpMethod} ${method.resourcePath}`,
      api.stageThrottle,
      method.apiKeyRequired ? key : undefined,
    );
    if (limited) return fail(limited, context);

    const missing = method.validateParameters ? missingParameters(method, match.pathParameters, url, headers) : [];
    if (missing.length > 0) {
      const message = `Missing required request parameters: [${missing.join(", ")}]`;
      return fail({ type: "BAD_REQUEST_PARAMETERS", message, validationErrorString: message }, context);
    }

    // API Gateway treats a request without Content-Type as application/json.
    const contentType = (headers["content-type"] ?? "application/json").split(";")[0]!.trim().toLowerCase();
    const model = method.validateBody ? method.requestModels.get(contentType) : undefined;
    if (model) {
      const result = model.check(body);
      if (!result.ok)
        return fail({ type: "BAD_REQUEST_BODY", validationErrorString: validationErrorString(result.errors) }, context);
    }

    const request: MethodRequest = {
      httpMethod: base.httpMethod!,
      body,
      headers,
      pathParameters: match.pathParameters,
      query: url.searchParams,
      contentType,
    };
    const integrationStarted = Date.now();
    const result = await invokeIntegration(method.integration, request, context, options.targets);
    const integration = {
      status: result.integrationStatus ?? "",
      latency: Date.now() - integrationStarted,
      error: "error" in result ? result.error.type : "",
    };
    return "error" in result
      ? fail(result.error, { ...context, integration })
      : { ...result.response, context: { ...context, integration } };
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    void handle(req)
      .catch((error: unknown) => {
        // A template or mapping the local gateway cannot run: say so (API Gateway would answer 500 as well).
        onError(error);
        return {
          status: 500,
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            message: "Internal server error",
            localGatewayError: String((error as Error).message ?? error),
          }),
          context: { requestId: randomUUID() },
        };
      })
      .then((response) => {
        send(res, response, response.context.requestId);
        if (!options.accessLog) return;
        const done: TemplateContext = {
          ...response.context,
          status: response.status,
          responseLength: Buffer.byteLength(response.body),
          responseLatency: Date.now() - started,
        };
        options.accessLog(
          api.accessLogFormat
            ? renderTemplate(api.accessLogFormat, { body: "" }, done)
            : JSON.stringify({
                requestId: done.requestId,
                httpMethod: done.httpMethod,
                path: done.path,
                status: done.status,
                responseLatency: done.responseLatency,
              }),
        );
      });
  });
  // Clients (benchmarks, curl in a loop) reuse connections as they would with API Gateway.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    api,
    url: `http://${connectHost(options.host ?? "127.0.0.1")}:${port}/${api.stageName}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, response: RenderedResponse, requestId: string): void {
  res
    .writeHead(response.status, {
      ...response.headers,
      "content-length": String(Buffer.byteLength(response.body)),
      "x-amzn-requestid": requestId,
    })
    .end(response.body);
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(",") : value;
  }
  return headers;
}

/** The body as UTF-8 text, or undefined once it exceeds API Gateway's 10 MB limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
