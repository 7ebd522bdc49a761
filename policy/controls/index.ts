import { ACCESS_CONTROLS } from "./access.js";
import { API_GATEWAY_CONTROLS } from "./api-gateway.js";
import type { Control, ControlResult, PolicyInput } from "./check.js";
import { DEPLOYMENT_CONTROLS } from "./deployments.js";
import { DYNAMODB_CONTROLS } from "./dynamodb.js";
import { ECR_CONTROLS } from "./ecr.js";
import { ECS_CONTROLS } from "./ecs.js";
import { ELB_CONTROLS } from "./elb.js";
import { IAM_CONTROLS } from "./iam.js";
import { LOGS_CONTROLS } from "./logs.js";
import { NETWORK_CONTROLS } from "./network.js";
import { OPERATIONS_CONTROLS } from "./operations.js";
import { SQS_CONTROLS } from "./sqs.js";

/**
 * Security and reliability controls from AWS Security Hub (Foundational Security Best Practices) and checkov,
 * checked on the synthesized Terraform JSON of both stacks, one file per service. This order is the order of
 * `npm run policy` and docs/POLICY.md.
 */
export const CONTROLS: readonly Control[] = [
  ...API_GATEWAY_CONTROLS,
  ...ACCESS_CONTROLS,
  ...ELB_CONTROLS,
  ...ECS_CONTROLS,
  ...SQS_CONTROLS,
  ...DYNAMODB_CONTROLS,
  ...ECR_CONTROLS,
  ...LOGS_CONTROLS,
  ...IAM_CONTROLS,
  ...NETWORK_CONTROLS,
  ...OPERATIONS_CONTROLS,
  ...DEPLOYMENT_CONTROLS,
];

export type { Control, ControlResult, PolicyInput, Status } from "./check.js";
export { ACTIONS_WITHOUT_RESOURCES, TRUSTED_SERVICE_PRINCIPALS } from "./iam.js";

/** Every control's result on `input`, in CONTROLS order (or only those of `controls`). */
export function evaluate(input: PolicyInput, controls: readonly Control[] = CONTROLS): ControlResult[] {
  return controls.map((control) => {
    const exceptionReason = control.exception?.(input);
    if (exceptionReason) return { control, status: "exception", problems: [], exceptionReason };
    const problems = control.check(input);
    const notes = control.notes?.(input) ?? [];
    return { control, status: problems.length ? "fail" : "pass", problems, ...(notes.length ? { notes } : {}) };
  });
}
