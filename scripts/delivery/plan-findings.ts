/**
 * What a plan says besides its changes, for the reviewer: the `check` blocks that failed (Terraform only warns, and the
 * plan goes on) and the VPC's public subnets (the main stack's `public_subnet_ids` output), from the JSON plan's
 * `checks` and `planned_values.outputs`.
 */
export interface PlanFindings {
  /** One line per failed check instance: `check.<name>: <its error message>`. */
  warnings: string[];
  /** The `public_subnet_ids` output when the plan holds it and knows its value. */
  publicSubnets?: string[];
}

type JsonObject = Record<string, unknown>;

const isRecord = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const records = (value: unknown): JsonObject[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** `check.<name>: <message>` for each problem of each failed check block. */
function failedChecks(checks: unknown): string[] {
  return records(checks).flatMap((check) => {
    const address = isRecord(check.address) ? check.address : {};
    if (address.kind !== "check" || check.status !== "fail") return [];
    const name = typeof address.to_display === "string" ? address.to_display : `check.${String(address.name)}`;
    const messages = records(check.instances)
      .flatMap((instance) => records(instance.problems))
      .map((problem) => String(problem.message));
    return messages.length > 0 ? messages.map((message) => `${name}: ${message}`) : [`${name}: failed`];
  });
}

export function planFindings(plan: JsonObject): PlanFindings {
  const outputs = isRecord(plan.planned_values) ? plan.planned_values.outputs : undefined;
  const output = isRecord(outputs) ? outputs.public_subnet_ids : undefined;
  const subnets = isRecord(output) && Array.isArray(output.value) ? output.value.map(String) : undefined;
  return { warnings: failedChecks(plan.checks), ...(subnets ? { publicSubnets: subnets } : {}) };
}
