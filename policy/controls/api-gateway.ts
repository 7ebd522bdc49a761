import { field, reference, resources, show, type TfObject, type TfResource } from "../../tfjson/index.js";
import { each, isOneOf, type Control, type PolicyInput } from "./check.js";

const stageMethodSettings = (input: PolicyInput, stage: TfResource) =>
  resources(input.main, "aws_api_gateway_method_settings").find(
    (s) => s.body.rest_api_id === stage.body.rest_api_id && s.body.method_path === "*/*",
  )?.body.settings as TfObject | undefined;

/** API Gateway */
export const API_GATEWAY_CONTROLS: readonly Control[] = [
  {
    ids: ["APIGateway.1"],
    resourceType: "aws_api_gateway_stage",
    title: "Execution logging (ERROR or INFO) and metrics on every stage",
    why: "Without execution logs, integration failures (e.g. SQS rejections) are invisible.",
    check: (input) =>
      each(resources(input.main, "aws_api_gateway_stage"), (stage) => {
        const settings = stageMethodSettings(input, stage);
        if (!settings) return "no */* method settings";
        if (!isOneOf(String(settings.logging_level), ["ERROR", "INFO"]))
          return `logging_level is ${show(settings.logging_level)}`;
        return settings.metrics_enabled !== true && "metrics disabled";
      }),
  },
  {
    ids: ["CKV_AWS_76"],
    resourceType: "aws_api_gateway_stage",
    title: "Access logging on every stage",
    why: "Access logs record who called what, with status and latency.",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_stage"),
        (s) => !field(s.body, "access_log_settings", "destination_arn") && "no access log destination",
      ),
  },
  {
    ids: ["CKV_AWS_276"],
    resourceType: "aws_api_gateway_method_settings",
    title: "No data trace logging",
    why: "Data trace writes full request and response bodies (customer payloads) to logs.",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_method_settings"),
        (s) => field(s.body, "settings", "data_trace_enabled") !== false && "data trace not disabled",
      ),
  },
  {
    ids: ["APIGateway.3"],
    resourceType: "aws_api_gateway_stage",
    title: "X-Ray tracing on every stage",
    why: "Traces show where latency goes across API Gateway, SQS and the VPC Link.",
    check: (input) =>
      each(resources(input.main, "aws_api_gateway_stage"), (s) => s.body.xray_tracing_enabled !== true && "X-Ray off"),
  },
  {
    ids: ["CKV_AWS_59"],
    resourceType: "aws_api_gateway_method",
    title: "Every method requires authorization or an API key",
    why: "An open method lets anyone fill the queue or read results (api_key_required: false fails this control).",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_method"),
        (m) => m.body.authorization === "NONE" && m.body.api_key_required !== true && "no authorization and no API key",
      ),
  },
  {
    ids: ["CKV2_AWS_53"],
    resourceType: "aws_api_gateway_method",
    title: "Request validation on methods with a body",
    why: "Validation rejects malformed bodies with a 400 before they reach SQS.",
    check: (input) => {
      const bodyValidators = resources(input.main, "aws_api_gateway_request_validator")
        .filter((v) => v.body.validate_request_body === true)
        .map((v) => reference(v, "id"));
      return each(
        resources(input.main, "aws_api_gateway_method").filter((m) =>
          isOneOf(m.body.http_method, ["POST", "PUT", "PATCH"]),
        ),
        (m) => !isOneOf(m.body.request_validator_id, bodyValidators) && "no body validator",
      );
    },
  },
  {
    ids: ["CKV_AWS_217"],
    resourceType: "aws_api_gateway_deployment",
    title: "Deployments are created before the old one is destroyed",
    why: "Otherwise a redeploy deletes the stage's live deployment first: an outage on every change.",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_deployment"),
        (d) => field(d.body, "lifecycle", "create_before_destroy") !== true && "no create_before_destroy",
      ),
  },
  {
    ids: ["CKV_AWS_206"],
    resourceType: "aws_api_gateway_domain_name",
    title: "Custom domains use TLS 1.2 or later",
    why: "TLS 1.0/1.1 are deprecated and fail compliance baselines.",
    exception: (input) =>
      resources(input.main, "aws_api_gateway_domain_name").length
        ? undefined
        : "no custom domain configured (ingest_api_domain, query_api_domain are null)",
    check: (input) =>
      each(
        resources(input.main, "aws_api_gateway_domain_name"),
        (d) =>
          !/^(TLS_1_2|SecurityPolicy_TLS1[23])/.test(String(d.body.security_policy)) &&
          `security_policy ${show(d.body.security_policy)}`,
      ),
  },
  {
    ids: ["APIGateway.4"],
    resourceType: "aws_wafv2_web_acl_association",
    title: "WAF web ACL on every stage",
    why: "A web ACL filters abusive traffic before it costs anything.",
    exception: ({ config }) =>
      config.waf_web_acl_arn || config.waf_web_acl
        ? undefined
        : "optional by config: waf_web_acl and waf_web_acl_arn are null",
    check: (input) => {
      const protectedStages = resources(input.main, "aws_wafv2_web_acl_association").map((a) => a.body.resource_arn);
      return each(
        resources(input.main, "aws_api_gateway_stage"),
        (s) => !protectedStages.includes(reference(s, "arn")) && "no WAF association",
      );
    },
  },
  {
    ids: ["CUSTOM.KEY_PER_PLAN"],
    resourceType: "aws_api_gateway_usage_plan",
    title: "Each usage plan meters exactly one API key",
    why: "One plan per client's key: its limits and quota are that client's, and rotating or revoking the key touches no one else.",
    check: (input) => {
      const keys = resources(input.main, "aws_api_gateway_usage_plan_key");
      return each(resources(input.main, "aws_api_gateway_usage_plan"), (plan) => {
        const count = keys.filter((key) => key.body.usage_plan_id === reference(plan, "id")).length;
        return count !== 1 && `${count} keys`;
      });
    },
  },
  {
    ids: ["CUSTOM.KEY_OUTPUTS"],
    resourceType: "output",
    title: "No output holds an API key's value",
    why: "Outputs are printed by every plan and apply and read by anyone with the state: a key's value is a credential (ids only).",
    check: (input) =>
      Object.entries(input.main.output ?? {})
        .filter(([, output]) => /aws_api_gateway_api_key\.[^.}]+\.value/.test(JSON.stringify(output)))
        .map(([name]) => `output ${name}: an API key's value`),
  },
];
