import type { References } from "../../references.js";
import { statements, type PolicyStatement, type TfObject, type TfResource } from "../../../tfjson/index.js";
import { checkResourcePolicy } from "./resource-policy.js";
import type { MethodAuthorization, RateLimit, UsagePlanModel } from "../model.js";

/**
 * Who may call an API, read from the synth: each method's authorization (NONE, AWS_IAM or a COGNITO_USER_POOLS
 * authorizer with scopes), the API's resource policy, its usage plans' limits and the stage's method throttle.
 * Anything else (a Lambda authorizer, a policy written with a Terraform function) fails at start with its resource.
 */

/** The method attributes that say how it authenticates, once references are resolved. */
export interface MethodAuthBody {
  readonly authorization?: string;
  readonly authorizer_id?: string;
  readonly authorization_scopes?: readonly string[];
}

/** `arn:aws:cognito-idp:<region>:<account>:userpool/<pool id>` -> the issuer of the pool's tokens. */
export function cognitoIssuer(providerArn: string, where: string): string {
  const arn = /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+)$/.exec(providerArn);
  if (!arn) throw new Error(`local: ${where} names provider ${providerArn}, which is not a Cognito user pool ARN`);
  return `https://cognito-idp.${arn[1]}.amazonaws.com/${arn[2]}`;
}

export function methodAuthorization(
  body: MethodAuthBody,
  authorizers: ReadonlyMap<string, TfObject>,
  refs: References,
  where: string,
): MethodAuthorization {
  const type = body.authorization ?? "NONE";
  if (type === "NONE" || type === "AWS_IAM") return { type };
  if (type !== "COGNITO_USER_POOLS")
    throw new Error(
      `local: ${where} uses authorization ${type}; only NONE, AWS_IAM and COGNITO_USER_POOLS are emulated`,
    );
  // An authorizer's id resolves to its logical name, the key of `authorizers`.
  const authorizer = body.authorizer_id ? authorizers.get(body.authorizer_id) : undefined;
  if (!authorizer) throw new Error(`local: ${where} uses COGNITO_USER_POOLS without an authorizer this API defines`);
  const at = `aws_api_gateway_authorizer.${body.authorizer_id}`;
  const resolved = refs.resolve<unknown>(authorizer, at) as {
    type?: string;
    provider_arns?: string[];
    identity_source?: string;
  };
  if (resolved.type !== "COGNITO_USER_POOLS")
    throw new Error(`local: ${at} is a ${resolved.type ?? "TOKEN"} authorizer; only COGNITO_USER_POOLS is emulated`);
  const source = resolved.identity_source ?? "method.request.header.Authorization";
  if (source.toLowerCase() !== "method.request.header.authorization")
    throw new Error(
      `local: ${at} reads the token from ${source}; only method.request.header.Authorization is emulated`,
    );
  const issuers = (resolved.provider_arns ?? []).map((arn) => cognitoIssuer(arn, at));
  if (issuers.length === 0) throw new Error(`local: ${at} names no provider_arns`);
  return {
    type,
    authorizer: body.authorizer_id!,
    issuers,
    scopes: [...(body.authorization_scopes ?? [])],
  };
}

/**
 * The statements of the API's aws_api_gateway_rest_api_policy. Its `policy` must be JSON text (JSON.stringify around
 * references): a `${jsonencode(...)}` expression is Terraform code the local gateway does not evaluate.
 */
export function resourcePolicy(
  policies: readonly TfResource[],
  refs: References,
  apiId: string,
): PolicyStatement[] | undefined {
  if (policies.length > 1)
    throw new Error(`local: API ${apiId} has ${policies.length} aws_api_gateway_rest_api_policy`);
  const policy = policies[0];
  if (!policy) return undefined;
  const where = `aws_api_gateway_rest_api_policy.${policy.name}`;
  const text = String(policy.body.policy);
  if (/^\$\{\s*jsonencode\(/.test(text))
    throw new Error(`local: ${where} builds its policy with jsonencode(); the local gateway reads JSON text only`);
  let parsed: PolicyStatement[];
  try {
    parsed = statements(refs.resolveString(text, where));
  } catch (error) {
    throw new Error(`local: ${where}: ${(error as Error).message}`, { cause: error });
  }
  checkResourcePolicy(parsed, where);
  return parsed;
}

/** A usage plan's throttle and quota (api-keys.ts attaches it to each key). */
export function usagePlan(resource: string, raw: TfObject, refs: References): UsagePlanModel {
  const body = refs.resolve<unknown>(raw, `aws_api_gateway_usage_plan.${resource}`) as TfObject;
  const throttle = body.throttle_settings as { rate_limit?: number; burst_limit?: number }[] | object | undefined;
  const settings = (Array.isArray(throttle) ? throttle[0] : throttle) as
    { rate_limit?: number; burst_limit?: number } | undefined;
  const quotaBlock = body.quota_settings as { limit?: number; period?: string; offset?: number }[] | object | undefined;
  const quota = (Array.isArray(quotaBlock) ? quotaBlock[0] : quotaBlock) as
    { limit?: number; period?: string; offset?: number } | undefined;
  if (quota?.offset) throw new Error(`local: aws_api_gateway_usage_plan.${resource} sets a quota offset; not emulated`);
  return {
    resource,
    throttle: rateLimit(settings?.rate_limit, settings?.burst_limit),
    quota:
      quota?.limit !== undefined
        ? { limit: Number(quota.limit), period: (quota.period ?? "DAY") as "DAY" | "WEEK" | "MONTH" }
        : undefined,
  };
}

/** The stage's throttle for all methods (its method settings for every path); one method's own settings fail. */
export function stageThrottle(settings: readonly TfResource[], refs: References): RateLimit | undefined {
  for (const { name, body } of settings) {
    if (body.method_path !== "*/*")
      throw new Error(
        `local: aws_api_gateway_method_settings.${name} sets method ${String(body.method_path)}; only */* is emulated`,
      );
  }
  const first = settings[0];
  const resolved = first ? (refs.resolve<unknown>(first.body, first.name) as TfObject) : undefined;
  const block = resolved?.settings as Record<string, number>[] | Record<string, number> | undefined;
  const values = Array.isArray(block) ? block[0] : block;
  return rateLimit(values?.throttling_rate_limit, values?.throttling_burst_limit);
}

/** AWS's "unlimited" is -1 or absent. */
function rateLimit(rate: number | undefined, burst: number | undefined): RateLimit | undefined {
  if (rate === undefined || burst === undefined || Number(rate) < 0 || Number(burst) < 0) return undefined;
  return { rate: Number(rate), burst: Number(burst) };
}
