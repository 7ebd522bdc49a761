import type { PolicyStatement } from "../../tfjson/index.js";
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
  /** `arn:aws:execute-api:<region>:<account>:<api id>`: the prefix of every method's resource ARN. */
  readonly executionArn: string;
  /** The aws_api_gateway_rest_api_policy's statements; undefined when the API has no resource policy. */
  readonly resourcePolicy: readonly PolicyStatement[] | undefined;
  /** The stage's method throttle (its aws_api_gateway_method_settings for all methods), shared by every caller. */
  readonly stageThrottle: RateLimit | undefined;
}

/** A token bucket: `rate` requests per second refill it, up to `burst`. */
export interface RateLimit {
  readonly rate: number;
  readonly burst: number;
}

/** A usage plan's limits, which apply per key across the plan's stages. */
export interface UsagePlanModel {
  readonly resource: string;
  readonly throttle: RateLimit | undefined;
  /** Requests per period per key. */
  readonly quota: { readonly limit: number; readonly period: "DAY" | "WEEK" | "MONTH" } | undefined;
}

/** How a method authenticates its caller (`authorization` of the aws_api_gateway_method). */
export type MethodAuthorization =
  | { readonly type: "NONE" }
  | { readonly type: "AWS_IAM" }
  | {
      readonly type: "COGNITO_USER_POOLS";
      /** The authorizer's logical name. */
      readonly authorizer: string;
      /** `https://cognito-idp.<region>.amazonaws.com/<pool id>` of each provider ARN. */
      readonly issuers: readonly string[];
      /** The method's `authorization_scopes`: empty = ID tokens only. */
      readonly scopes: readonly string[];
    };

export interface ApiKeyModel {
  readonly resource: string;
  readonly name: string;
  /** The synth's `value` if it sets one, else a random local key generated at start. */
  readonly value: string;
  /** The usage plan that attaches the key to this stage. */
  readonly plan: UsagePlanModel;
}

export interface MethodModel {
  readonly resourcePath: string;
  readonly httpMethod: string;
  readonly apiKeyRequired: boolean;
  readonly authorization: MethodAuthorization;
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
  /**
   * `integration.request.<location>.<name>` -> source expression (`'static'`, `method.request.<location>.<name>` or
   * `context.*`).
   */
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
