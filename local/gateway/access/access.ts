import type { LocalCognito } from "./cognito.js";
import type { GatewayError } from "../gateway-responses.js";
import type { LocalPrincipal } from "./iam-principals.js";
import type { MethodModel, RestApiModel } from "../model.js";
import { evaluateResourcePolicy, type PolicyCaller } from "./resource-policy.js";
import { verifySigV4, type ReceivedRequest } from "./sigv4.js";
import type { UsageMeter } from "./throttle.js";
import type { TemplateContext } from "../vtl.js";

/**
 * Who the caller is and whether the API lets them in, in API Gateway's order: the method's authorization (SigV4 or
 * a Cognito token), then the resource policy ("How API Gateway resource policies affect authorization workflow",
 * API Gateway developer guide): an explicit Deny refuses; a same-account IAM caller also needs no Allow, since its
 * own identity policy grants the call (every local principal's does); anyone else needs the policy's Allow.
 */
export interface AccessControl {
  /** The local IAM principals whose access keys sign requests. */
  readonly principals: readonly LocalPrincipal[];
  /** Required when a method uses COGNITO_USER_POOLS. */
  readonly cognito?: LocalCognito;
  /** Usage plans' and the stage's limits; shared by the gateways whose stages one plan covers. */
  readonly meter: UsageMeter;
  /** ms since the epoch, for SigV4's 5-minute window and token expiry. @default Date.now */
  readonly clock?: () => number;
}

/** What the verified credential adds to `$context`. */
export interface CallerContext {
  readonly identity: NonNullable<TemplateContext["identity"]>;
  readonly authorizer?: TemplateContext["authorizer"];
}

export type AccessResult = CallerContext | { readonly error: GatewayError };

export async function authorize(
  api: RestApiModel,
  method: MethodModel,
  request: ReceivedRequest,
  access: AccessControl,
): Promise<AccessResult> {
  const now = (access.clock ?? Date.now)();
  const auth = method.authorization;
  let caller: PolicyCaller = {};
  let context: CallerContext = { identity: {} };
  if (auth.type === "AWS_IAM") {
    const region = api.executionArn.split(":")[3]!;
    const signed = await verifySigV4(request, (id) => access.principals.find((p) => p.accessKeyId === id), region, now);
    if ("error" in signed) return signed;
    const { principal } = signed;
    caller = { principalArn: principal.arn, accountId: principal.accountId };
    context = {
      identity: {
        user: principal.userId,
        caller: principal.userId,
        userArn: principal.userArn,
        accountId: principal.accountId,
      },
    };
  } else if (auth.type === "COGNITO_USER_POOLS") {
    if (!access.cognito) throw new Error(`local: ${method.where} needs the local Cognito, which was not started`);
    const verified = await access.cognito.verify(request.headers.authorization, auth.issuers, auth.scopes, now);
    if ("error" in verified) return verified;
    context = { identity: {}, authorizer: { claims: verified.claims } };
  }

  const apiAccount = api.executionArn.split(":")[4];
  const arn = invokeArn(api, method, request.path);
  const decision = api.resourcePolicy
    ? evaluateResourcePolicy(api.resourcePolicy, caller, arn, api.executionArn)
    : "no-allow";
  // Only a SigV4 caller has an account.
  const sameAccountIam = caller.accountId === apiAccount;
  if (decision === "explicit-deny") return denied(context, arn, " with an explicit deny");
  if (decision === "no-allow" && !sameAccountIam && (api.resourcePolicy || auth.type === "AWS_IAM"))
    return denied(context, arn, "");
  return context;
}

/** `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`, what a policy's Resource matches. */
export function invokeArn(api: RestApiModel, method: MethodModel, path: string): string {
  // `/<stage>/<path>`, or `/<stage>` alone for the root resource.
  const resourcePath = path.slice(api.stageName.length + 2);
  return `${api.executionArn}/${api.stageName}/${method.httpMethod}/${resourcePath}`;
}

/**
 * IAM's refusal text, as API Gateway returns it ("Create and attach an API Gateway resource policy to an API",
 * troubleshooting: "User: anonymous is not authorized to perform: execute-api:Invoke on resource: ...").
 */
function denied(context: CallerContext, arn: string, suffix: string): AccessResult {
  const who = context.identity.userArn ?? "anonymous";
  return {
    error: {
      type: "ACCESS_DENIED",
      message: `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${arn}${suffix}`,
    },
  };
}
