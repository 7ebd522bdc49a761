import type { ModelValidator } from "./validator.js";

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
