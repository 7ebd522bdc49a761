import { randomBytes } from "node:crypto";
import type { References } from "../references.js";
import { constructPath, resourcesOf, type TerraformJson } from "../terraform.js";
import { ModelValidator } from "./validator.js";

/**
 * One REST API as the synth declares it, with every Terraform reference resolved: the resource tree, methods,
 * integrations and their responses, models, validators, gateway responses, stage and API keys. Built once at
 * start; the server only reads it. Unsupported settings fail here, at start-up, with the resource that uses them.
 */
export interface RestApiModel {
  /** Logical name in the synth (also its local id). */
  readonly id: string;
  readonly name: string;
  readonly stageName: string;
  /** Logical name of the aws_api_gateway_stage, for `${aws_api_gateway_stage.X.invoke_url}`. */
  readonly stageResource: string;
  readonly methods: readonly MethodModel[];
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseModel>;
  /** The stage's `access_log_settings.format` (a `$context` template), if it has one. */
  readonly accessLogFormat: string | undefined;
  /** Keys that open this stage (through a usage plan); empty when no plan covers it. */
  readonly apiKeys: readonly ApiKeyModel[];
}

export interface ApiKeyModel {
  readonly resource: string;
  readonly name: string;
  /** The synth's `value` if it sets one, else a random local key generated at start. */
  readonly value: string;
}

export interface MethodModel {
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly apiKeyRequired: boolean;
  readonly validateBody: boolean;
  readonly validateParameters: boolean;
  /** `method.request.<location>.<name>` -> required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** Content type -> validator for the model declared for it. */
  readonly requestModels: ReadonlyMap<string, ModelValidator>;
  readonly integration: IntegrationModel;
  readonly where: string;
}

export interface IntegrationModel {
  readonly type: "AWS" | "HTTP_PROXY" | "HTTP" | "AWS_PROXY" | "MOCK";
  readonly httpMethod: string;
  readonly uri: string;
  readonly connectionType: string;
  /** `integration.request.<location>.<name>` -> source expression (`'static'` or `method.request.<location>.<name>`). */
  readonly requestParameters: Readonly<Record<string, string>>;
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly passthroughBehavior: string;
  readonly timeoutMs: number;
  /**
   * A VPC Link v2 integration (it names an `integration_target`): AWS documents that such private integrations send
   * the stage name in front of the URI's path ("Private integrations for REST APIs", considerations).
   */
  readonly stagePrefixed: boolean;
  readonly responses: readonly IntegrationResponseModel[];
  readonly where: string;
}

export interface IntegrationResponseModel {
  readonly statusCode: string;
  /** Undefined for the default response. */
  readonly selectionPattern: RegExp | undefined;
  readonly responseTemplates: Readonly<Record<string, string>>;
  readonly responseParameters: Readonly<Record<string, string>>;
}

export interface GatewayResponseModel {
  readonly statusCode: string | undefined;
  readonly responseTemplates: Readonly<Record<string, string>>;
  readonly responseParameters: Readonly<Record<string, string>>;
}

/** API Gateway's default integration timeout when the synth does not set one. */
const DEFAULT_TIMEOUT_MS = 29_000;

/** Returns the value of an API key the synth does not set (AWS would generate one); called once per key resource. */
export type KeyValueSource = (keyResource: string) => string;

/** A random local key per API key resource, shared by every API the key opens (as in AWS). */
export function randomKeyValues(): KeyValueSource {
  const values = new Map<string, string>();
  return (resource) => {
    let value = values.get(resource);
    if (!value) values.set(resource, (value = `local-${randomBytes(18).toString("base64url")}`));
    return value;
  };
}

export function buildRestApiModels(
  doc: TerraformJson,
  refs: References,
  keyValues: KeyValueSource = randomKeyValues(),
): RestApiModel[] {
  return resourcesOf(doc, "aws_api_gateway_rest_api").map(([id, body]) => buildRestApi(doc, refs, keyValues, id, body));
}

function buildRestApi(
  doc: TerraformJson,
  refs: References,
  keyValues: KeyValueSource,
  apiId: string,
  apiBody: Record<string, any>,
): RestApiModel {
  const rootId = `${apiId}/`;
  refs.set(`aws_api_gateway_rest_api.${apiId}.root_resource_id`, rootId);
  const ofApi = (type: string) =>
    resourcesOf(doc, type).filter(
      ([name, body]) => refs.resolveString(String(body.rest_api_id), `${type}.${name}.rest_api_id`) === apiId,
    );

  // Resource tree -> full paths.
  const parts = new Map<string, { parent: string; part: string }>();
  for (const [name, body] of ofApi("aws_api_gateway_resource")) {
    parts.set(name, {
      parent: refs.resolveString(body.parent_id, name),
      part: refs.resolveString(body.path_part, name),
    });
  }
  const pathOf = (resourceId: string, depth = 0): string => {
    if (resourceId === rootId) return "/";
    const node = parts.get(resourceId);
    if (!node || depth > 50) throw new Error(`local: API ${apiId} has a method on unknown resource ${resourceId}`);
    const parent = pathOf(node.parent, depth + 1);
    return `${parent === "/" ? "" : parent}/${node.part}`;
  };

  const models = new Map(
    ofApi("aws_api_gateway_model").map(([name, body]) => [
      refs.resolveString(body.name, name),
      JSON.parse(refs.resolveString(body.schema, name)),
    ]),
  );
  const validators = new Map(ofApi("aws_api_gateway_request_validator").map(([name, body]) => [name, body]));
  const key = (resourceId: string, method: string) => `${resourceId} ${method}`;
  const integrations = new Map(
    ofApi("aws_api_gateway_integration").map(([name, body]) => {
      const where = `aws_api_gateway_integration.${name} (${constructPath(body)})`;
      return [
        key(refs.resolveString(body.resource_id, where), refs.resolveString(body.http_method, where)),
        { name, body, where },
      ];
    }),
  );
  const integrationResponses = ofApi("aws_api_gateway_integration_response").map(([name, body]) => {
    const where = `aws_api_gateway_integration_response.${name}`;
    return {
      key: key(refs.resolveString(body.resource_id, where), refs.resolveString(body.http_method, where)),
      body: refs.resolve(body, where),
    };
  });

  const methods = ofApi("aws_api_gateway_method").map(([name, raw]): MethodModel => {
    const where = `aws_api_gateway_method.${name} (${constructPath(raw)})`;
    const body = refs.resolve(raw, where) as Record<string, any>;
    if (body.authorization && body.authorization !== "NONE") {
      throw new Error(`local: ${where} uses authorization ${body.authorization}; only NONE (+ API keys) is emulated`);
    }
    const methodKey = key(body.resource_id, body.http_method);
    const integration = integrations.get(methodKey);
    if (!integration) throw new Error(`local: ${where} has no aws_api_gateway_integration`);
    // A validator's id resolves to its logical name, the key of `validators`.
    const validator = body.request_validator_id ? validators.get(body.request_validator_id) : undefined;
    if (body.request_validator_id && !validator)
      throw new Error(`local: ${where} names a request validator this API does not define`);
    const requestModels = new Map<string, ModelValidator>();
    for (const [contentType, modelName] of Object.entries((body.request_models ?? {}) as Record<string, string>)) {
      if (modelName === "Empty") continue;
      const schema = models.get(modelName);
      if (!schema) throw new Error(`local: ${where} uses model ${modelName}, which the synth does not define`);
      requestModels.set(contentType.toLowerCase(), new ModelValidator(schema));
    }
    return {
      resourcePath: pathOf(body.resource_id),
      httpMethod: body.http_method,
      apiKeyRequired: body.api_key_required === true,
      validateBody: validator?.validate_request_body === true,
      validateParameters: validator?.validate_request_parameters === true,
      requestParameters: body.request_parameters ?? {},
      requestModels,
      integration: buildIntegration(
        refs,
        integration,
        integrationResponses.filter((r) => r.key === methodKey).map((r) => r.body),
      ),
      where,
    };
  });

  const gatewayResponses = new Map(
    ofApi("aws_api_gateway_gateway_response").map(([name, raw]) => {
      const body = refs.resolve(raw, `aws_api_gateway_gateway_response.${name}`) as Record<string, any>;
      return [
        body.response_type as string,
        {
          statusCode: body.status_code,
          responseTemplates: body.response_templates ?? {},
          responseParameters: body.response_parameters ?? {},
        },
      ];
    }),
  );

  const stages = ofApi("aws_api_gateway_stage");
  if (stages.length !== 1)
    throw new Error(`local: API ${apiId} has ${stages.length} stages; the local gateway serves exactly one`);
  const [stageResource, stageBody] = stages[0]!;
  const stageName = refs.resolveString(stageBody.stage_name, `aws_api_gateway_stage.${stageResource}`);

  return {
    id: apiId,
    name: refs.resolveString(apiBody.name, apiId),
    stageName,
    stageResource,
    // Only the format is read: its destination is a CloudWatch log group, which is a file locally.
    accessLogFormat: stageBody.access_log_settings?.format
      ? refs.resolveString(
          String(stageBody.access_log_settings.format),
          `aws_api_gateway_stage.${stageResource}.access_log_settings`,
        )
      : undefined,
    methods,
    gatewayResponses,
    apiKeys: apiKeysFor(doc, refs, keyValues, apiId, stageName),
  };
}

function buildIntegration(
  refs: References,
  { name, body: raw, where }: { name: string; body: Record<string, any>; where: string },
  responses: readonly Record<string, any>[],
): IntegrationModel {
  // The IAM role (credentials), the VPC link id and a v2 link's integration target (the ALB) are not resolved: IAM
  // is not emulated, and either link (v1 -> NLB -> ALB, or v2 -> ALB) is followed by service, not by id: NO LOAD
  // BALANCER RUNS LOCALLY (see local/stack.ts). The path the service receives is the URI's, with the stage name in
  // front for a v2 link, as AWS documents.
  const {
    credentials: _credentials,
    connection_id: _connectionId,
    integration_target: _integrationTarget,
    ...rest
  } = raw;
  const body = refs.resolve(rest, where) as Record<string, any>;
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

/** Keys attached (usage plan key) to a usage plan whose api_stages include this API's stage. */
function apiKeysFor(
  doc: TerraformJson,
  refs: References,
  keyValues: KeyValueSource,
  apiId: string,
  stageName: string,
): ApiKeyModel[] {
  const plans = resourcesOf(doc, "aws_api_gateway_usage_plan")
    .filter(([name, body]) =>
      ((body.api_stages ?? []) as Record<string, string>[]).some(
        (s) =>
          refs.resolveString(s.api_id!, `aws_api_gateway_usage_plan.${name}`) === apiId &&
          refs.resolveString(s.stage!, name) === stageName,
      ),
    )
    .map(([name]) => name);
  return resourcesOf(doc, "aws_api_gateway_usage_plan_key")
    .filter(([name, body]) =>
      plans.includes(refs.resolveString(body.usage_plan_id, `aws_api_gateway_usage_plan_key.${name}`)),
    )
    .map(([name, body]) => refs.resolveString(body.key_id, `aws_api_gateway_usage_plan_key.${name}`))
    .flatMap((keyName) => {
      const key = doc.resource?.aws_api_gateway_api_key?.[keyName];
      if (!key || key.enabled === false) return [];
      return [
        {
          resource: keyName,
          name: refs.resolveString(String(key.name ?? keyName), keyName),
          value: String(key.value ?? ""),
        },
      ];
    })
    .map((k) => ({ ...k, value: k.value || keyValues(k.resource) }));
}
