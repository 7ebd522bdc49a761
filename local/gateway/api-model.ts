import type { References } from "../references.js";
import { constructPath, field, resources, show, type TfJson, type TfObject } from "../../tfjson/index.js";
import { providerRegion } from "../stack-outputs.js";
import { methodAuthorization, type MethodAuthBody, resourcePolicy, stageThrottle } from "./access/access-model.js";
import { apiKeysFor, randomKeyValues, type KeyValueSource } from "./api-keys.js";
import { buildIntegration, type IntegrationResponseBody } from "./integration-model.js";
import type { MethodModel, RestApiModel } from "./model.js";
import { ModelValidator } from "./validator.js";

/** An aws_api_gateway_method, resolved: the attributes the local gateway reads. */
interface MethodBody extends MethodAuthBody {
  readonly resource_id: string;
  readonly http_method: string;
  readonly api_key_required?: boolean;
  readonly request_validator_id?: string;
  readonly request_models?: Record<string, string>;
  readonly request_parameters?: Record<string, boolean>;
}

/** An aws_api_gateway_gateway_response, resolved. */
interface GatewayResponseBody {
  readonly response_type: string;
  readonly status_code?: string;
  readonly response_templates?: Record<string, string>;
  readonly response_parameters?: Record<string, string>;
}

export function buildRestApiModels(
  doc: TfJson,
  refs: References,
  keyValues: KeyValueSource = randomKeyValues(),
): RestApiModel[] {
  return resources(doc, "aws_api_gateway_rest_api").map(({ name, body }) =>
    buildRestApi(doc, refs, keyValues, name, body),
  );
}

function buildRestApi(
  doc: TfJson,
  refs: References,
  keyValues: KeyValueSource,
  apiId: string,
  apiBody: TfObject,
): RestApiModel {
  const rootId = `${apiId}/`;
  refs.set(`aws_api_gateway_rest_api.${apiId}.root_resource_id`, rootId);
  const account = refs.resolveString("${data.aws_caller_identity.caller.account_id}", `API ${apiId}`);
  const executionArn = `arn:aws:execute-api:${providerRegion(doc)}:${account}:${apiId}`;
  refs.set(`aws_api_gateway_rest_api.${apiId}.execution_arn`, executionArn);
  const ofApi = (type: string) =>
    resources(doc, type).filter(
      ({ name, body }) => refs.resolveString(String(body.rest_api_id), `${type}.${name}.rest_api_id`) === apiId,
    );

  // Resource tree -> full paths.
  const parts = new Map<string, { parent: string; part: string }>();
  for (const { name, body } of ofApi("aws_api_gateway_resource")) {
    parts.set(name, {
      parent: refs.resolveString(body.parent_id as string, name),
      part: refs.resolveString(body.path_part as string, name),
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
    ofApi("aws_api_gateway_model").map(({ name, body }) => [
      refs.resolveString(body.name as string, name),
      JSON.parse(refs.resolveString(body.schema as string, name)) as object,
    ]),
  );
  const validators = new Map(ofApi("aws_api_gateway_request_validator").map(({ name, body }) => [name, body]));
  const authorizers = new Map(ofApi("aws_api_gateway_authorizer").map(({ name, body }) => [name, body]));
  const key = (resourceId: string, method: string) => `${resourceId} ${method}`;
  const integrations = new Map(
    ofApi("aws_api_gateway_integration").map(({ name, body }) => {
      const where = `aws_api_gateway_integration.${name} (${constructPath(body) ?? "?"})`;
      return [
        key(
          refs.resolveString(body.resource_id as string, where),
          refs.resolveString(body.http_method as string, where),
        ),
        { name, body, where },
      ];
    }),
  );
  const integrationResponses = ofApi("aws_api_gateway_integration_response").map(({ name, body }) => {
    const where = `aws_api_gateway_integration_response.${name}`;
    return {
      key: key(
        refs.resolveString(body.resource_id as string, where),
        refs.resolveString(body.http_method as string, where),
      ),
      body: refs.resolve<unknown>(body, where) as IntegrationResponseBody,
    };
  });

  const methods = ofApi("aws_api_gateway_method").map(({ name, body: raw }): MethodModel => {
    const where = `aws_api_gateway_method.${name} (${constructPath(raw) ?? "?"})`;
    const body = refs.resolve<unknown>(raw, where) as MethodBody;
    const methodKey = key(body.resource_id, body.http_method);
    const integration = integrations.get(methodKey);
    if (!integration) throw new Error(`local: ${where} has no aws_api_gateway_integration`);
    // A validator's id resolves to its logical name, the key of `validators`.
    const validator = body.request_validator_id ? validators.get(body.request_validator_id) : undefined;
    if (body.request_validator_id && !validator)
      throw new Error(`local: ${where} names a request validator this API does not define`);
    const requestModels = new Map<string, ModelValidator>();
    for (const [contentType, modelName] of Object.entries(body.request_models ?? {})) {
      if (modelName === "Empty") continue;
      const schema = models.get(modelName);
      if (!schema) throw new Error(`local: ${where} uses model ${modelName}, which the synth does not define`);
      requestModels.set(contentType.toLowerCase(), new ModelValidator(schema));
    }
    return {
      resourcePath: pathOf(body.resource_id),
      httpMethod: body.http_method,
      apiKeyRequired: body.api_key_required === true,
      authorization: methodAuthorization(body, authorizers, refs, where),
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
    ofApi("aws_api_gateway_gateway_response").map(({ name, body: raw }) => {
      const body = refs.resolve<unknown>(raw, `aws_api_gateway_gateway_response.${name}`) as GatewayResponseBody;
      return [
        body.response_type,
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
  const { name: stageResource, body: stageBody } = stages[0]!;
  const stageName = refs.resolveString(stageBody.stage_name as string, `aws_api_gateway_stage.${stageResource}`);
  const accessLogFormat = field(stageBody, "access_log_settings", "format");

  return {
    id: apiId,
    name: refs.resolveString(apiBody.name as string, apiId),
    stageName,
    stageResource,
    // Only the format is read: its destination is a CloudWatch log group, which is a file locally.
    accessLogFormat: accessLogFormat
      ? refs.resolveString(show(accessLogFormat), `aws_api_gateway_stage.${stageResource}.access_log_settings`)
      : undefined,
    methods,
    gatewayResponses,
    apiKeys: apiKeysFor(doc, refs, keyValues, apiId, stageName),
    executionArn,
    resourcePolicy: resourcePolicy(ofApi("aws_api_gateway_rest_api_policy"), refs, apiId),
    stageThrottle: stageThrottle(ofApi("aws_api_gateway_method_settings"), refs),
  };
}
