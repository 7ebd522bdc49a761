import { show } from "../../tfjson/index.js";
import { all, each, type Control } from "./check.js";

/** CloudWatch Logs */
export const LOGS_CONTROLS: readonly Control[] = [
  {
    ids: ["CKV_AWS_338"],
    resourceType: "aws_cloudwatch_log_group",
    title: "Every log group keeps logs for at least a year",
    why: "Incident investigations and audits need a year of history; an unset retention keeps logs (and cost) forever.",
    check: (input) =>
      each(
        all(input, "aws_cloudwatch_log_group"),
        (g) =>
          !(Number(g.body.retention_in_days) >= 365) && `retention ${show(g.body.retention_in_days ?? "unset")} days`,
      ),
  },
  {
    ids: ["CKV_AWS_158"],
    resourceType: "aws_cloudwatch_log_group",
    title: "Log groups encrypted with a customer KMS key",
    why: "Key-level control over who can read logs.",
    exception: ({ config }) =>
      config.log_kms_key_arn
        ? undefined
        : "optional by config: log_kms_key_arn is null (CloudWatch Logs encrypts with its own key)",
    check: (input) => each(all(input, "aws_cloudwatch_log_group"), (g) => !g.body.kms_key_id && "no KMS key"),
  },
];
