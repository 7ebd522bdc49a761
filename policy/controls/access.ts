import { API_NAMES, type ApiName } from "../../config/access-fields.js";
import { methodCapacities } from "../../config/capacity.js";
import { field, list, reference, resources, show, statements, type TfResource } from "../../tfjson/index.js";
import { each, type Control, type PolicyInput } from "./check.js";

/** Who may call the APIs, and how much: credentials, resource policies and limits against capacity. */

/** The path the open method serves (monitoring's health check), the one method allowed without a credential. */
const OPEN_PATH = "/health";

/** The API (`ingest` or `query`) whose REST API `restApiId` references, by the REST API's name. */
function apiOf(input: PolicyInput, restApiId: unknown): ApiName | undefined {
  const api = resources(input.main, "aws_api_gateway_rest_api").find((a) => reference(a, "id") === restApiId);
  return API_NAMES.find((name) => String(api?.body.name).endsWith(`-${name}`));
}

/** A resource's path from the API's root, e.g. `/requests/{requestId}`, by following `parent_id` references. */
function resourcePath(input: PolicyInput, resourceId: unknown): string {
  const parent = resources(input.main, "aws_api_gateway_resource").find((r) => reference(r, "id") === resourceId);
  return parent ? `${resourcePath(input, parent.body.parent_id)}/${show(parent.body.path_part)}` : "";
}

interface Method {
  readonly resource: TfResource;
  readonly api: ApiName | undefined;
  /** `GET /requests/{requestId}` */
  readonly route: string;
  readonly path: string;
}

function methods(input: PolicyInput): Method[] {
  return resources(input.main, "aws_api_gateway_method").map((resource) => {
    const path = resourcePath(input, resource.body.resource_id) || "/";
    return {
      resource,
      api: apiOf(input, resource.body.rest_api_id),
      path,
      route: `${show(resource.body.http_method)} ${path}`,
    };
  });
}

const isOpen = (method: Method) => method.path === OPEN_PATH;
const takesNoCredential = (method: Method) => method.resource.body.authorization === "NONE" && !isOpen(method);

/** The recorded reason the API's key may be its only credential, when the config puts the API in `"api_key"`. */
function keyOnlyReason(input: PolicyInput, api: ApiName | undefined): string | undefined {
  const auth = input.config.authorization;
  return api && auth[api] === "api_key" ? (auth.api_key_only_reason ?? undefined) : undefined;
}

/** The execute-api resource a method's ARN matches in a resource policy (`execute-api:/*` and `/*` for a parameter). */
const coveredBy = (resource: string, method: Method) => {
  const wanted = `execute-api:/*/${show(method.resource.body.http_method)}${method.path.replace(/\{[^/}]+\}/g, "*")}`;
  return resource === "execute-api:/*" || resource === wanted;
};

/** A Deny for every principal not named (by ARN) or outside the account. */
const deniesOthers = (condition: unknown) =>
  field(condition, "ArnNotLike", "aws:PrincipalArn") !== undefined ||
  field(condition, "StringNotEquals", "aws:PrincipalAccount") !== undefined;

export const ACCESS_CONTROLS: readonly Control[] = [
  {
    ids: ["CUSTOM.METHOD_AUTH"],
    resourceType: "aws_api_gateway_method",
    title: "No request method without authorization unless recorded",
    why: "An API key identifies a client for metering; it is no credential (AWS says so): IAM or Cognito must prove who calls, unless the config records why an API takes the key alone (api_key_only_reason).",
    exemptions: [
      { what: `GET ${OPEN_PATH}`, why: "monitoring reaches it without a credential; it answers only its status" },
    ],
    check: (input) =>
      methods(input).flatMap((method) => {
        const { body } = method.resource;
        const where = `${method.resource.path} (${method.route})`;
        if (takesNoCredential(method) && !keyOnlyReason(input, method.api))
          return [
            `${where}: authorization NONE, and the config records no api_key_only_reason for the ${method.api ?? "unknown"} API`,
          ];
        if (
          body.authorization === "COGNITO_USER_POOLS" &&
          (!body.authorizer_id || !list(body.authorization_scopes).length)
        )
          return [`${where}: a Cognito method needs an authorizer and a scope (without one, ID tokens pass)`];
        return [];
      }),
  },
  {
    ids: ["CUSTOM.API_KEY_ONLY"],
    resourceType: "aws_api_gateway_method",
    title: "An API key is not the only credential of a method, unless recorded",
    why: 'Anyone holding a key can call as its client, and keys travel in headers and logs: "api_key" mode is for compatibility and experiments, and the report says so.',
    exemptions: [{ what: `GET ${OPEN_PATH}`, why: "it answers only its status" }],
    check: (input) =>
      each(
        methods(input)
          .filter((m) => takesNoCredential(m) && m.resource.body.api_key_required === true)
          .filter((m) => !keyOnlyReason(input, m.api))
          .map((m) => m.resource),
        () => "an API key is the only credential",
      ),
    notes: (input) =>
      methods(input)
        .filter((m) => takesNoCredential(m) && keyOnlyReason(input, m.api))
        .map(
          (m) => `${m.route}: an API key is the only credential (api_key_only_reason: ${keyOnlyReason(input, m.api)})`,
        ),
  },
  {
    ids: ["CUSTOM.IAM_NAMED_ONLY"],
    resourceType: "aws_api_gateway_rest_api_policy",
    title: "APIs with signed methods deny every principal the config does not name",
    why: "For a same-account caller an Allow in its own identity policy is enough when the resource policy is silent: only an explicit Deny keeps the API to the principals named (or to the account).",
    exception: (input) =>
      methods(input).some((m) => m.resource.body.authorization === "AWS_IAM")
        ? undefined
        : 'no API is in "iam" mode (authorization.ingest, authorization.query)',
    check: (input) => {
      const policies = resources(input.main, "aws_api_gateway_rest_api_policy");
      return methods(input)
        .filter((m) => m.resource.body.authorization === "AWS_IAM")
        .flatMap((method) => {
          const policy = policies.find((p) => p.body.rest_api_id === method.resource.body.rest_api_id);
          const denied = policy
            ? statements(policy.body.policy).some(
                (s) =>
                  s.Effect === "Deny" &&
                  s.Action.includes("execute-api:Invoke") &&
                  s.Resource.some((r) => coveredBy(r, method)) &&
                  deniesOthers(s.Condition),
              )
            : false;
          return denied
            ? []
            : [`${method.resource.path} (${method.route}): no resource-policy Deny for principals not named`];
        });
    },
  },
  {
    ids: ["CUSTOM.METHOD_CAPACITY"],
    resourceType: "aws_api_gateway_method_settings",
    title: "Each method's throttle is within what its backend sustains, unless recorded",
    why: "A limit above the backend lets in more than the processor drains or the api serves at max_count: the queue grows or latency does, instead of a 429 the client can retry.",
    check: (input) => {
      if (input.config.throttle_above_capacity_reason) return [];
      const capacities = methodCapacities(input.config);
      return each(resources(input.main, "aws_api_gateway_method_settings"), (settings) => {
        const capacity = capacities.find((c) => c.api === apiOf(input, settings.body.rest_api_id));
        const limit = Number(field(settings.body, "settings", "throttling_rate_limit"));
        if (!capacity) return "not an API the capacity model knows";
        return (
          !(limit <= capacity.sustained) &&
          `throttling_rate_limit ${show(limit)} is above what the ${capacity.api} API's backend sustains (${capacity.arithmetic} = ${capacity.sustained}/s)`
        );
      });
    },
    notes: (input) =>
      input.config.throttle_above_capacity_reason
        ? [`throttle_above_capacity_reason: ${input.config.throttle_above_capacity_reason}`]
        : [],
  },
];
