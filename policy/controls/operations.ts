import {
  field,
  list,
  reference,
  resources,
  show,
  statements,
  type TfJson,
  type TfObject,
  type TfResource,
} from "../../tfjson/index.js";
import { each, isOneOf, type Control, type PolicyInput } from "./check.js";

/** Operations: alarms reach someone, the topic is encrypted, services scale */
export const OPERATIONS_CONTROLS: readonly Control[] = [
  {
    ids: ["CUSTOM.ALARM_ACTIONS"],
    resourceType: "aws_cloudwatch_metric_alarm",
    title: "Every alarm notifies the alarm topic",
    why: "An alarm without an action only changes colour on a dashboard nobody is watching.",
    check: (input) => {
      const topics = resources(input.main, "aws_sns_topic").map((t) => reference(t, "arn"));
      if (input.config.alarm_topic_arn) topics.push(input.config.alarm_topic_arn);
      return each(resources(input.main, "aws_cloudwatch_metric_alarm"), (a) => {
        const actions = list(a.body.alarm_actions);
        if (!actions.length) return "no alarm action";
        const other = actions.filter((action) => !isOneOf(action, topics));
        return other.length > 0 && `notifies ${other.map(show).join(", ")}, not the alarm topic`;
      });
    },
  },
  {
    ids: ["SNS.1", "CKV_AWS_26"],
    resourceType: "aws_sns_topic",
    title: "The alarm topic is encrypted with a rotated customer-managed KMS key that CloudWatch may use",
    why: "Alarms cannot publish to a topic under the AWS-managed SNS key, and an unencrypted topic stores notifications in clear.",
    exception: ({ config }) =>
      config.alarm_topic_arn
        ? "alarm_topic_arn names an existing topic: its encryption is managed where that topic is defined"
        : undefined,
    check: (input) => {
      const topics = resources(input.main, "aws_sns_topic");
      if (!topics.length) return ["no alarm topic in the stack, and alarm_topic_arn is null"];
      const keys = resources(input.main, "aws_kms_key");
      return each(topics, (topic) => {
        const keyRef = topic.body.kms_master_key_id;
        if (!keyRef) return "not encrypted";
        const key = keys.find((k) =>
          isOneOf(keyRef, [reference(k, "arn"), reference(k, "key_id"), reference(k, "id")]),
        );
        if (!key) return `kms_master_key_id ${show(keyRef)} is not a customer-managed key of this stack`;
        if (key.body.enable_key_rotation !== true) return `${key.path}: key rotation off`;
        const granted = statements(key.body.policy)
          .filter(
            (st) =>
              st.Effect === "Allow" && JSON.stringify(st.Principal ?? null).includes('"cloudwatch.amazonaws.com"'),
          )
          .flatMap((st) => st.Action);
        const missing = ["kms:GenerateDataKey*", "kms:Decrypt"].filter((action) => !granted.includes(action));
        return (
          missing.length > 0 &&
          `${key.path}: the key policy does not let cloudwatch.amazonaws.com use ${missing.join(", ")}`
        );
      });
    },
  },
  {
    ids: ["CUSTOM.SCALABLE_TARGETS"],
    resourceType: "aws_appautoscaling_target",
    title: "Each ECS service has a scalable target (1 <= min <= max) with a policy, and ignores desired_count",
    why: "Without one a service cannot follow its load; without ignore_changes every deploy resets the scaler's count.",
    notes: (input) =>
      scalableTargets(input).flatMap(({ service, target }) =>
        target && Number(target.body.min_capacity) === Number(target.body.max_capacity)
          ? [`${service.path}: fixed size (min = max = ${show(target.body.min_capacity)})`]
          : [],
      ),
    check: (input) => {
      const policies = resources(input.main, "aws_appautoscaling_policy").map((p) => p.body.resource_id);
      return scalableTargets(input).flatMap(({ service, target }) => {
        const problem = (() => {
          if (!target) return "no scalable target";
          const [min, max] = [Number(target.body.min_capacity), Number(target.body.max_capacity)];
          if (!(min >= 1)) return `min_capacity ${show(target.body.min_capacity)} (below 1 nothing serves or consumes)`;
          if (!(max >= min)) return `max_capacity ${show(target.body.max_capacity)} is below min_capacity ${min}`;
          if (!policies.includes(reference(target, "resource_id"))) return "no scaling policy on its scalable target";
          return (
            !list(field(service.body, "lifecycle", "ignore_changes")).includes("desired_count") &&
            "desired_count not in ignore_changes"
          );
        })();
        return problem ? [`${service.path}: ${problem}`] : [];
      });
    },
  },
  {
    ids: ["CUSTOM.ALARM_DIMENSIONS"],
    resourceType: "aws_cloudwatch_metric_alarm",
    title: "Every alarm's metric dimensions reference resources of the stack",
    why: "A name typed into an alarm keeps watching the old name after a rename or replacement: an alarm on nothing never fires.",
    exemptions: [
      {
        what: "the DynamoDB `Operation` dimension",
        why: "it names an API operation (GetItem, PutItem...), not a resource",
      },
      {
        what: "a metric one of the stack's log metric filters publishes",
        why: "it has no dimensions, and the filter that publishes it reads the stack's own log group by reference",
      },
      {
        what: "WAF's `Region` and `Rule` dimensions",
        why: "they name the web ACL's region and one of its rules (`ALL` for every rule), not resources; `WebACL` is checked",
      },
    ],
    check: (input) =>
      resources(input.main, "aws_cloudwatch_metric_alarm").flatMap((alarm) => {
        const queries = list(alarm.body.metric_query);
        const sets = [alarm.body.dimensions, ...queries.map((q) => field(q, "metric", "dimensions"))].filter(
          Boolean,
        ) as TfObject[];
        const metricCount =
          (alarm.body.metric_name ? 1 : 0) +
          queries.filter((q) => field(q, "metric") && !publishedByMetricFilter(input.main, field(q, "metric"))).length;
        if (sets.length < metricCount)
          return [`${alarm.path}: a metric without dimensions (an account-wide metric, not this stack's)`];
        const literal = sets
          .flatMap((dimensions) => Object.entries(dimensions))
          .filter(([name, value]) => !NON_RESOURCE_DIMENSIONS.includes(name) && !referencesResource(input.main, value));
        return literal.length
          ? [
              `${alarm.path}: ${literal.map(([n, v]) => `${n}=${show(v)}`).join(", ")} is not a reference to a resource of the stack`,
            ]
          : [];
      }),
  },
];

/** Alarm dimensions whose values name something other than a resource. */
const NON_RESOURCE_DIMENSIONS = ["Operation", "Region", "Rule"];

/** Whether a log metric filter of `doc` publishes `metric` (same namespace and name). */
function publishedByMetricFilter(doc: TfJson, metric: unknown): boolean {
  return resources(doc, "aws_cloudwatch_log_metric_filter").some(
    (filter) =>
      field(filter.body, "metric_transformation", "namespace") === field(metric, "namespace") &&
      field(filter.body, "metric_transformation", "name") === field(metric, "metric_name"),
  );
}

/** `${aws_x.name.attribute}` where `aws_x.name` is a resource of `doc`. */
function referencesResource(doc: TfJson, value: unknown): boolean {
  const match = /^\$\{(aws_[a-z0-9_]+)\.([^.}]+)\.[a-z_]+\}$/.exec(String(value));
  return Boolean(match && field(doc.resource, match[1]!, match[2]!));
}

/** Each ECS service with the scalable target whose resource id names it (`service/<cluster>/<service name>`). */
function scalableTargets(input: PolicyInput): { service: TfResource; target?: TfResource }[] {
  const targets = resources(input.main, "aws_appautoscaling_target").filter((t) => t.body.service_namespace === "ecs");
  return resources(input.main, "aws_ecs_service").map((service) => ({
    service,
    target: targets.find(
      (t) =>
        t.body.scalable_dimension === "ecs:service:DesiredCount" &&
        String(t.body.resource_id).endsWith(`/${reference(service, "name")}`),
    ),
  }));
}
