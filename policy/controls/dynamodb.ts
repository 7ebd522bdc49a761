import { field, resources } from "../../tfjson/index.js";
import { each, type Control } from "./check.js";

/** DynamoDB */
export const DYNAMODB_CONTROLS: readonly Control[] = [
  {
    ids: ["DynamoDB.2", "CKV_AWS_28"],
    resourceType: "aws_dynamodb_table",
    title: "Point-in-time recovery",
    why: "Restores the table to any second of the last 35 days after a bad write or delete.",
    check: (input) =>
      each(
        resources(input.main, "aws_dynamodb_table"),
        (t) => field(t.body, "point_in_time_recovery", "enabled") !== true && "PITR off",
      ),
  },
  {
    ids: ["DynamoDB.6"],
    resourceType: "aws_dynamodb_table",
    title: "Deletion protection",
    why: "A stray destroy would lose every result.",
    exception: ({ config }) =>
      config.deletion_protection
        ? undefined
        : "deletion_protection is false in this config (a dev or tear-down config)",
    check: (input) =>
      each(
        resources(input.main, "aws_dynamodb_table"),
        (t) => t.body.deletion_protection_enabled !== true && "deletion protection off",
      ),
  },
  {
    ids: ["DynamoDB.1"],
    resourceType: "aws_dynamodb_table",
    title: "On-demand or autoscaled capacity",
    why: "Fixed capacity throttles the processor under load.",
    check: (input) =>
      each(
        resources(input.main, "aws_dynamodb_table"),
        (t) =>
          t.body.billing_mode !== "PAY_PER_REQUEST" &&
          resources(input.main, "aws_appautoscaling_target").every((a) => a.body.service_namespace !== "dynamodb") &&
          "provisioned without autoscaling",
      ),
  },
];
